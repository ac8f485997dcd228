"""A post's likely language (fr, nl or en) when nobody said which, from its common short words.

Only used where no language is given (``python -m moderation check`` without
``--lang``): every lexicon runs on every post anyway, so the guess only picks
the language of the explanations. A tie or a post without any of these words
falls back to the caller's default.
"""

from __future__ import annotations

import re

from moderation.types import LANGUAGES

_WORDS = {
    "fr": frozenset(
        "je j tu il elle on nous vous ils elles le la les un une des du de et est suis pas ne plus que qui "
        "mais avec pour dans sur ce cette mon ma mes ton ta tes son sa ses au aux ai as avoir etre fait "
        "moi toi c ca cest jai chui trop bcp tjrs pcq quand comme aussi tout rien".split()
    ),
    "nl": frozenset(
        "ik gij ge je jij hij zij ze we wij het een de en is ben zijn niet ni geen maar met voor in op "
        "dat da die dit mijn mn uw zo nog ook al wel heb hebt heeft kan wil naar van te er nie kzou k "
        "gaan ga wat hoe als dan of".split()
    ),
    "en": frozenset(
        "i you he she we they the a an and is am are not no but with for in on that this my your it "
        "to of have has had do dont im ive just so what how if then or been be was were can will".split()
    ),
}
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def guess_language(text: str, default: str = "fr") -> str:
    counts = dict.fromkeys(LANGUAGES, 0)
    for raw in _TOKEN.findall(text.casefold().replace("'", " ").replace("’", " ")):
        for lang in LANGUAGES:
            if raw in _WORDS[lang]:
                counts[lang] += 1
    best = max(LANGUAGES, key=lambda lang: counts[lang])
    top = counts[best]
    if top == 0 or sum(1 for lang in LANGUAGES if counts[lang] == top) > 1:
        return default
    return best
