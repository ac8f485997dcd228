"""docs/security/ASVS-L2.md answers every ASVS 5.0.0 Level 1 and 2 requirement once, by its real id, and
every test or file it names exists (so the mapping cannot rot as tests are renamed)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security" / "ASVS-L2.md"
IDS = ROOT / "docs" / "security" / "asvs-5.0.0-levels-1-2.txt"
STATUSES = {"met", "by design", "deviation", "n/a"}
ROW = re.compile(r"^\| (V\d+\.\d+\.\d+) \| ([12]) \| ([a-z /]+) \| (.+) \|$")


def _standard() -> dict[str, str]:
    levels = {}
    for line in IDS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            req_id, level = line.split()
            levels[req_id] = level.removeprefix("L")
    return levels


def _rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("| V"):
            match = ROW.match(line)
            assert match, f"malformed row: {line[:80]}"
            rows.append(match.groups())  # type: ignore[arg-type]
    return rows


def _defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_level_1_and_2_requirement_has_one_row_with_its_real_level() -> None:
    standard = _standard()
    assert len(standard) == 253  # ASVS 5.0.0 has 253 requirements at Level 1 or 2
    rows = _rows()
    ids = [req_id for req_id, *_ in rows]
    assert sorted(set(ids)) == sorted(ids), "an id appears twice"
    assert set(ids) == set(standard), (set(standard) - set(ids), set(ids) - set(standard))
    for req_id, level, status, text in rows:
        assert level == standard[req_id], req_id
        assert status in STATUSES, (req_id, status)
        assert len(text) > 5, req_id
        if status == "met":
            assert "tests/" in text, f"{req_id}: 'met' names the test that shows it"


def test_every_test_and_file_the_mapping_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    references = re.findall(r"`((?:tests|app|deploy|docs|moderation)/[\w/.-]+?)(?:::(\w+))?`", text)
    assert len(references) > 150
    for path_text, name in references:
        path = ROOT / path_text
        assert path.exists(), path_text
        if name and path.suffix == ".py":
            assert name in _defined_tests(path) or re.search(rf"^\s*(def|class) {name}\b|^{name} = ",
                                                             path.read_text(encoding="utf-8"), re.M), \
                f"{path_text}::{name}"
