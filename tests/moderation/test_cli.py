"""The `python -m moderation check` contract (DESIGN.md, "Interfaces")."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from moderation.cli import main

KEYS = {"category", "start", "end", "match", "suggestions", "rule"}


def run(argv: list[str], stdin: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(argv, stdin=io.StringIO(stdin), stdout=out)
    return status, out.getvalue()


def test_plain_text_prints_findings_object() -> None:
    text = "Mon voisin est un toxico.\nAppelle-moi au 0470 12 34 56"
    status, out = run(["check", "--lang", "fr"], text)
    data = json.loads(out)
    assert status == 0 and set(data) == {"findings"}
    assert [f["category"] for f in data["findings"]] == ["stigma", "personal_data"]
    for f in data["findings"]:
        assert set(f) >= KEYS
        assert text[f["start"] : f["end"]] == f["match"]
        assert isinstance(f["suggestions"], list)


def test_no_findings_is_an_empty_list() -> None:
    assert json.loads(run(["check", "--lang", "nl"], "Dag allemaal!")[1]) == {"findings": []}


def test_jsonl_reads_and_writes_one_line_per_post() -> None:
    lines: list[dict[str, str | int]] = [
        {"id": "a", "lang": "nl", "text": "Ik zie het niet meer zitten."},
        {"id": 7, "lang": "en", "text": "Good morning"},
        {"id": "c", "lang": "fr", "text": "Café ☕ puis les toxicos."},
    ]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    status, out = run(["check", "--lang", "fr", "--jsonl"], stdin)
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 0
    assert [r["id"] for r in rows] == ["a", 7, "c"]
    assert all(set(r) == {"id", "findings"} for r in rows)
    assert rows[0]["findings"][0]["category"] == "crisis"
    assert rows[1]["findings"] == []
    f = rows[2]["findings"][0]
    text = str(lines[2]["text"])
    assert text[f["start"] : f["end"]] == f["match"] == "toxicos"


def test_jsonl_bad_line_is_reported_and_others_still_checked() -> None:
    stdin = 'not json\n{"id": 1, "lang": "en", "text": "junkie"}\n'
    status, out = run(["check", "--lang", "en", "--jsonl"], stdin)
    assert status == 1
    assert [json.loads(line)["id"] for line in out.splitlines()] == [1]


def test_module_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "moderation", "check", "--lang", "en"],
        input="I want to die",
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(proc.stdout)["findings"][0]["category"] == "crisis"
