"""`python -m moderation check [--lang fr|nl|en] [--jsonl]` (a stable interface, see DESIGN.md).

``--lang`` is the default language: a JSONL line's own ``lang`` wins over it,
and without either the language is guessed from the text's common words.

Also `train` (fit the learned layer; needs scikit-learn) and `evaluate FILE.jsonl` (precision and recall).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from moderation import LANGUAGES, check
from moderation.language import guess_language


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m moderation")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("check", help="check text from stdin and print findings as JSON")
    cmd.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="primary language (default: a JSONL line's own 'lang', else guessed from the text)",
    )
    cmd.add_argument(
        "--jsonl",
        action="store_true",
        help='read lines {"id", "lang", "text"}; write lines {"id", "findings"}',
    )
    sub.add_parser("train", help="fit the learned layer on moderation/data (needs the 'train' extra)", add_help=False)
    sub.add_parser("evaluate", help="precision and recall on labelled JSONL files", add_help=False)
    return parser


def _dumps(obj: object) -> str:
    # allow_nan=False: an id read as 1e999 or NaN would come out as Infinity or NaN, which is not JSON.
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def _language(text: str, given: object, default: str | None) -> str:
    if isinstance(given, str) and given in LANGUAGES:
        return given
    return default or guess_language(text)


def run_jsonl(lang: str | None, stdin: TextIO, stdout: TextIO) -> int:
    status = 0
    for number, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"]
            if not isinstance(text, str):
                raise TypeError("'text' must be a string")
            # An unknown or missing language still gets checked with every lexicon.
            item_lang = _language(text, item.get("lang"), lang)
            findings = [f.to_dict() for f in check(text, item_lang)]
            written = _dumps({"id": item.get("id"), "findings": findings})
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            # RecursionError: a line nested too deep for the JSON reader is that line's error, not the run's end.
            print(f"line {number}: {exc}", file=sys.stderr)
            status = 1
            continue
        stdout.write(written + "\n")
    return status


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["train"]:
        # Imported here: scikit-learn is a training-time dependency only.
        from moderation.train import main as train_main

        return train_main(argv[1:])
    if argv[:1] == ["evaluate"]:
        from moderation.evaluate import main as evaluate_main

        return evaluate_main(argv[1:])
    args = _parser().parse_args(argv)
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if args.jsonl:
        return run_jsonl(args.lang, stdin, stdout)
    text = stdin.read()
    stdout.write(_dumps({"findings": [f.to_dict() for f in check(text, _language(text, None, args.lang))]}) + "\n")
    return 0
