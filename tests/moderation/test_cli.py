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


def test_jsonl_without_lang_uses_each_lines_own_language() -> None:
    lines = [
        {"id": "nl", "lang": "nl", "text": "Die junkies aan het station."},
        {"id": "en", "lang": "en", "text": "Those junkies at the station."},
    ]
    stdin = "".join(json.dumps(x) + "\n" for x in lines)
    status, out = run(["check", "--jsonl"], stdin)
    rows = {r["id"]: r["findings"] for r in map(json.loads, out.splitlines())}
    assert status == 0
    assert rows["nl"][0]["lang"] == "nl" and rows["en"][0]["lang"] == "en"


def test_without_any_lang_the_language_is_guessed_from_the_text() -> None:
    stdin = json.dumps({"id": 1, "text": "Ik vind die junkies aan het station echt niet oké."}) + "\n"
    status, out = run(["check", "--jsonl"], stdin)
    assert status == 0
    assert json.loads(out)["findings"][0]["lang"] == "nl"
    status, out = run(["check"], "Those junkies at the station, I do not like them.")
    assert status == 0 and json.loads(out)["findings"][0]["lang"] == "en"


def test_lang_given_is_the_default_for_lines_without_one() -> None:
    lines = [{"id": 1, "text": "les toxicos"}, {"id": 2, "lang": "xx", "text": "x"}]
    stdin = "".join(json.dumps(x) + "\n" for x in lines)
    status, out = run(["check", "--lang", "fr", "--jsonl"], stdin)
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and rows[0]["findings"][0]["lang"] == "fr" and rows[1]["findings"] == []


def test_jsonl_line_that_is_not_an_object_is_reported() -> None:
    status, out = run(["check", "--jsonl"], '["text"]\n{"id": 2, "text": "hello"}\n')
    assert status == 1 and [json.loads(line)["id"] for line in out.splitlines()] == [2]


def test_guess_language() -> None:
    from moderation.language import guess_language

    assert guess_language("je ne sais plus quoi faire avec mes cachets") == "fr"
    assert guess_language("'k weet ni wa da ik moet doen met die pillen") == "nl"
    assert guess_language("I don't know what to do with my pills") == "en"
    assert guess_language("Temesta 2,5", default="nl") == "nl"


def test_jsonl_line_nested_too_deep_or_with_a_number_json_cannot_write_is_reported() -> None:
    """Outsider's attack (round 32): a line of 100,000 nested brackets stopped the whole run with a traceback
    (RecursionError), the lines after it unchecked; an id of 1e999 or NaN came out as Infinity or NaN, which
    no JSON reader accepts. Each is that line's error; the others are checked."""
    deep = '{"id": ' + "[" * 100_000 + "]" * 100_000 + ', "text": "x"}'
    stdin = "\n".join([deep, '{"id": 1e999, "text": "x"}', '{"id": NaN, "text": "x"}',
                       '{"id": 4, "lang": "en", "text": "junkie"}']) + "\n"
    status, out = run(["check", "--jsonl"], stdin)
    assert status == 1
    rows = [json.loads(line) for line in out.splitlines()]  # every line written is JSON
    assert [row["id"] for row in rows] == [4] and rows[0]["findings"]
