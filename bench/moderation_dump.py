"""Every result of the moderation engine, for proving that a speed change changes none.

Run from the repository root: PYTHONPATH=. .venv/bin/python bench/moderation_dump.py OUT.json
then again after the change, and compare the two files byte for byte (``cmp``).

For every post of ``moderation/data/*.jsonl`` and the 600 posts of ``bench_moderation.py``
(both shares of flagged sentences) it writes every field of every finding of ``check`` with the
model and without it (rules and frames only), and the model's probability per label and the
sentence it points at. Model scores are rounded to 1e-9: float32 sums may differ in their last
digits from process to process (a word's cue classes are a frozenset, iterated in hash order).
"""

from __future__ import annotations

import dataclasses
import glob
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_moderation  # noqa: E402

from moderation.engine import _once, get_engine  # noqa: E402
from moderation.features import analyse  # noqa: E402
from moderation.model import get_model  # noqa: E402
from moderation.normalize import fold  # noqa: E402
from moderation.types import Finding  # noqa: E402


def _r9(x: float | None) -> float | None:
    return None if x is None else round(x, 9)


def _row(f: Finding) -> list[str]:
    return [repr(_r9(f.score) if fl.name == "score" else getattr(f, fl.name)) for fl in dataclasses.fields(f)]


def main(out_path: str) -> None:
    engine, model = get_engine(), get_model()
    assert model is not None
    posts: list[tuple[str, str, str]] = []
    for path in sorted(glob.glob(str(ROOT / "moderation" / "data" / "*.jsonl"))):
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh):
                if line.strip():
                    d = json.loads(line)
                    posts.append((f"{os.path.basename(path)}:{n}", d["text"], d.get("lang", "fr")))
    for share in (0.2, 1.0):
        for n, (text, lang) in enumerate(bench_moderation.make_posts(300, flagged_share=share)):
            posts.append((f"bench{share}:{n}", text, lang))
    out = {}
    for key, text, lang in posts:
        rec: dict[str, list] = {"f": [_row(f) for f in engine.check(text, lang)],
                                "r": [_row(f) for f in engine.check(text, lang, use_model=False)]}
        folded = fold(text)
        analysis = analyse(folded.plain, lang)
        once = _once(folded.plain, analysis, lang)
        scores = model.score(once[1] if once else analysis, lang)
        rec["s"] = [repr(sorted((k, _r9(v)) for k, v in scores.probability.items())),
                    repr(sorted(scores.sentence.items()))]
        out[key] = rec
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=0, sort_keys=True)
    print(len(out), "posts,", sum(len(r["f"]) for r in out.values()), "findings,",
          sum(len(r["r"]) for r in out.values()), "without the model")


if __name__ == "__main__":
    main(sys.argv[1])
