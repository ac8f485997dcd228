"""The static gates of `make lint` hold, and would catch what they are for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.security import lint_templates

ROOT = Path(__file__).resolve().parents[2]


def test_templates_use_safe_only_on_sanitised_html() -> None:
    assert lint_templates.findings() == []


def test_the_template_gate_catches_a_planted_safe(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "ok.html").write_text("<div>{{ post.body_html|safe }}</div>\n")
    (templates / "bad.html").write_text(
        "<p>{{ post.title | safe }}</p>\n{% autoescape false %}{{ x }}{% endautoescape %}\n")
    found = lint_templates.findings(templates)
    assert len(found) == 2 and all("bad.html" in line for line in found)


def test_ruff_forbids_markup_and_sql_from_strings(tmp_path: Path) -> None:
    planted = tmp_path / "app" / "planted.py"
    planted.parent.mkdir()
    planted.write_text(
        "from markupsafe import Markup\n\n\n"
        "def page(name: str, conn) -> object:\n"
        "    conn.execute(f\"SELECT * FROM accounts_users WHERE pseudonym = '{name}'\")\n"
        "    return Markup(name)\n"
    )
    command = [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
               "--output-format", "concise", str(planted)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert "TID251" in result.stdout and "S608" in result.stdout
