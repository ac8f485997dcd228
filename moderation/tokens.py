"""Words and sentences of a folded post, with SMS and dialect spellings spelled out.

The frames (``frames.py``) and the learned layer (``model.py``) read posts as
tokens rather than characters: "jveux", "j'veux" and "je veux" must look the
same to them, and so must "kheb" and "ik heb", "dont" and "don't". Each token
keeps the folded offsets of the characters it came from, so a finding built
from tokens still points into the member's own text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Words: letters and digits, with a decimal part ("0,5", "2.5") kept whole;
# "@handle" and "€" are tokens of their own (contact and price cues).
_TOKEN = re.compile(r"@[^\W_]+|\d+(?:[.,]\d+)?|[^\W\d_]+(?:'[^\W\d_]+)*|€")
# A sentence ends at . ! ? ; or a line break ("0.5" is handled by the token regex).
_SENTENCE_END = re.compile(r"(?:[!?;]+|\.(?!\d)|\n)")
# Inside a sentence, a new clause starts after these ("pas besoin de diminuer, arrête").
_CLAUSE_MARK = re.compile(r"[,:(\"\u00ab\u201c\-]")

# Short forms members type, written out (folded spellings, any language).
# Ambiguous short forms ("c", "t", "u") are left to the cue lists, which know
# the post's language.
EXPANSIONS: dict[str, tuple[str, ...]] = {
    # French SMS
    "jveux": ("je", "veux"), "jveu": ("je", "veux"), "jvx": ("je", "veux"), "jvoudrais": ("je", "voudrais"),
    "jvais": ("je", "vais"), "jvai": ("je", "vais"), "jsuis": ("je", "suis"), "jsui": ("je", "suis"),
    "chuis": ("je", "suis"), "chui": ("je", "suis"), "jsais": ("je", "sais"), "chais": ("je", "sais"),
    "jsai": ("je", "sais"), "jpeux": ("je", "peux"), "jpeu": ("je", "peux"), "jpense": ("je", "pense"),
    "jai": ("j", "ai"), "jme": ("je", "me"), "jte": ("je", "te"), "jle": ("je", "le"), "jles": ("je", "les"),
    "jen": ("j", "en"), "jfais": ("je", "fais"), "jprends": ("je", "prends"), "jprend": ("je", "prends"),
    "jarrete": ("j", "arrete"), "jarrive": ("j", "arrive"), "jdois": ("je", "dois"), "jcrois": ("je", "crois"),
    "jsens": ("je", "sens"), "jvous": ("je", "vous"), "jlai": ("je", "l", "ai"), "jles ai": ("je", "les", "ai"),
    "jrentre": ("je", "rentre"), "jdors": ("je", "dors"), "jtiens": ("je", "tiens"), "jmen": ("je", "m", "en"),
    "jcompte": ("je", "compte"), "japprends": ("j", "apprends"), "jpourrais": ("je", "pourrais"),
    "jetais": ("j", "etais"), "jaimerais": ("j", "aimerais"), "jvends": ("je", "vends"),
    "jpaie": ("je", "paie"), "jpaye": ("je", "paie"), "jdonne": ("je", "donne"), "pk": ("pourquoi",),
    "pq": ("pourquoi",), "pkoi": ("pourquoi",), "pourkoi": ("pourquoi",), "pcq": ("parce", "que"),
    "pck": ("parce", "que"), "psk": ("parce", "que"), "paske": ("parce", "que"), "qqn": ("quelqu", "un"),
    "qqun": ("quelqu", "un"), "qq1": ("quelqu", "un"), "kk1": ("quelqu", "un"), "kelkun": ("quelqu", "un"),
    "quelquun": ("quelqu", "un"), "qlq": ("quelques",), "qqch": ("quelque", "chose"),
    "qqc": ("quelque", "chose"), "bcp": ("beaucoup",), "jms": ("jamais",), "jamai": ("jamais",),
    "tjrs": ("toujours",), "tjs": ("toujours",), "mtn": ("maintenant",), "auj": ("aujourd", "hui"),
    "ajd": ("aujourd", "hui"), "ajrd": ("aujourd", "hui"), "dmain": ("demain",), "dem1": ("demain",),
    "cmb": ("combien",), "svp": ("s", "il", "vous", "plait"), "stp": ("s", "il", "te", "plait"),
    "tkt": ("t", "inquiete"), "jsp": ("je", "sais", "pas"), "oklm": ("au", "calme"), "aprem": ("apres", "midi"),
    "bjr": ("bonjour",), "mrc": ("merci",),
    # Dutch / Flemish chat and tussentaal
    "kheb": ("ik", "heb"), "kzou": ("ik", "zou"), "kben": ("ik", "ben"), "kwil": ("ik", "wil"),
    "kga": ("ik", "ga"), "kzal": ("ik", "zal"), "kkan": ("ik", "kan"), "kweet": ("ik", "weet"),
    "kvoel": ("ik", "voel"), "kdenk": ("ik", "denk"), "khad": ("ik", "had"), "kzit": ("ik", "zit"),
    "kstop": ("ik", "stop"), "kneem": ("ik", "neem"), "kmoet": ("ik", "moet"), "kwou": ("ik", "wou"),
    "kzie": ("ik", "zie"), "khou": ("ik", "hou"), "kspaar": ("ik", "spaar"), "kzoek": ("ik", "zoek"),
    "kgeef": ("ik", "geef"), "kverkoop": ("ik", "verkoop"), "kstuur": ("ik", "stuur"), "kwas": ("ik", "was"),
    "kkon": ("ik", "kon"), "kga'r": ("ik", "ga", "er"), "kik": ("ik",), "kpak": ("ik", "pak"),
    "niemeer": ("niet", "meer"), "wrm": ("waarom",), "gwn": ("gewoon",), "gewoonweg": ("gewoon",),
    "kzen": ("ik", "ben"), "zijde": ("zijt", "ge"), "hebde": ("hebt", "ge"), "kunde": ("kunt", "ge"),
    "moete": ("moet", "ge"), "zoudt": ("zou",), "efkes": ("even",), "seffens": ("straks",),
    "goesting": ("zin",), "vanavon": ("vanavond",), "morge": ("morgen",), "nimeer": ("niet", "meer"),
    # English chat
    "didnt": ("did", "not"), "doesnt": ("does", "not"), "shouldnt": ("should", "not"),
    "wouldnt": ("would", "not"), "pls": ("please",), "plz": ("please",), "tmrw": ("tomorrow",),
    "tmr": ("tomorrow",), "tmrow": ("tomorrow",), "2moro": ("tomorrow",), "2morrow": ("tomorrow",),
    "tomoz": ("tomorrow",), "2nite": ("tonight",), "tonite": ("tonight",), "gonna": ("going", "to"),
    "wanna": ("want", "to"), "gotta": ("got", "to"), "cuz": ("because",), "coz": ("because",),
    "ppl": ("people",), "smth": ("something",), "thx": ("thanks",), "b4": ("before",),
    "idk": ("i", "do", "not", "know"), "imo": ("in", "my", "opinion"), "dm's": ("dm",), "pm's": ("pm",),
}

# Dialect words that are other words elsewhere: written out in posts of their
# language only (Walloon "done" is "donne", English "done" is not; West
# Flemish "mi" is "meer", Walloon "mi" is "moi").
LANG_EXPANSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {  # French SMS forms that are words in Dutch or English ("kan", "g", "ya")
        "kan": ("quand",), "ki": ("qui",), "ke": ("que",), "g": ("j", "ai"), "ct": ("c", "etait"),
        "koi": ("quoi",), "mm": ("meme",), "pt": ("peut", "etre"), "tt": ("tout",), "tte": ("toute",),
        "ttes": ("toutes",), "ds": ("dans",), "ya": ("il", "y", "a"), "yen": ("il", "y", "en"),
        "ns": ("nous",), "dc": ("donc",), "pr": ("pour",), "cb": ("combien",), "plu": ("plus",),
        "qq": ("quelques",), "qqs": ("quelques",), "ptet": ("peut", "etre"), "mnt": ("maintenant",),
        "avc": ("avec",), "dsl": ("desole",),
        # Walloon and Brussels French
        "dji": ("je",), "dj": ("je",), "mi": ("moi",), "ti": ("toi",), "co": ("encore",), "pus": ("plus",),
        "saqui": ("quelqu", "un"), "saquis": ("quelques",), "dandji": ("besoin",), "volti": ("volontiers",),
        "done": ("donne",), "dones": ("donnes",), "di": ("de",), "vi": ("vieux",), "gna": ("il", "y", "a"),
    },
    "nl": {  # Flemish chat forms that are words in French ("ni", "da")
        "ni": ("niet",), "nie": ("niet",), "nt": ("niet",), "wa": ("wat",), "da": ("dat",), "ff": ("even",),
        "mss": ("misschien",), "mn": ("mijn",), "zn": ("zijn",), "idd": ("inderdaad",), "nx": ("niks",),
        "nks": ("niks",),
        # Limburgs, West-Vlaams, Brabants
        "ich": ("ik",), "iech": ("ik",), "neet": ("niet",), "mie": ("meer",), "mi": ("meer",),
        "klaor": ("klaar",), "ligke": ("liggen",), "ligge": ("liggen",), "pille": ("pillen",),
        "kinders": ("kinderen",), "nimmie": ("niet", "meer"), "nimi": ("niet", "meer"),
        "goa": ("ga",), "goan": ("gaan",), "zjwaar": ("zwaar",),
    },
    "en": {  # English chat forms that are words in French ("dont")
        "dont": ("do", "not"), "cant": ("can", "not"), "wont": ("will", "not"), "im": ("i", "am"),
        "ive": ("i", "have"), "ur": ("your",), "bc": ("because",), "ty": ("thanks",), "rn": ("right", "now"),
        "aint": ("is", "not"), "isnt": ("is", "not"), "wasnt": ("was", "not"),
    },
}
_BY_LANG = {lang: {**EXPANSIONS, **extra} for lang, extra in LANG_EXPANSIONS.items()}

# Dutch possessives and pronouns written with an apostrophe.
_SPECIAL = {"m'n": ("mijn",), "z'n": ("zijn",), "d'r": ("der",), "da'k": ("dat", "ik"), "ge's": ("ge", "eens")}
# English contractions after an apostrophe split: "don't" -> "do" "not".
_CONTRACTION_TAILS = {"m": "am", "re": "are", "ve": "have", "ll": "will"}
_NT = {"don": "do", "can": "can", "won": "will", "didn": "did", "doesn": "does", "isn": "is", "wasn": "was",
       "shouldn": "should", "wouldn": "would", "couldn": "could", "aren": "are", "haven": "have", "ain": "is",
       "weren": "were", "hasn": "has", "hadn": "had", "mustn": "must"}


class Token(NamedTuple):
    """One normalised word, with the folded [start, end) it came from and its sentence."""

    norm: str
    start: int
    end: int
    sent: int


def _split_apostrophes(word: str) -> list[str]:
    parts = word.split("'")
    if len(parts) == 2:
        head, tail = parts
        if tail == "t" and head in _NT:
            return [_NT[head], "not"]
        if tail in _CONTRACTION_TAILS and head in ("i", "you", "we", "they", "he", "she", "it", "that", "there"):
            return [head, _CONTRACTION_TAILS[tail]]
        if head == "aujourd":
            return ["aujourd", "hui"]
    if word in _SPECIAL:
        return list(_SPECIAL[word])
    return [p for p in parts if p]


def _expansions(lang: str | None) -> dict[str, tuple[str, ...]]:
    return _BY_LANG.get(lang or "", EXPANSIONS)


def tokenize(plain: str, lang: str | None = None) -> tuple[list[Token], int]:
    """Tokens of a folded text and the number of sentences.

    Sentence numbers grow at every sentence end; a sentence longer than 40
    words is cut, so a run-on post without punctuation still has windows.
    ``lang`` adds the dialect spellings of that language (``LANG_EXPANSIONS``).
    """
    tokens: list[Token] = []
    append = tokens.append
    ends = [m.start() for m in _SENTENCE_END.finditer(plain)]
    ends.append(len(plain) + 1)
    k, next_end = 0, ends[0]
    sent, in_sent = 0, 0
    expansions = _expansions(lang)
    for m in _TOKEN.finditer(plain):
        start, end = m.span()
        if start > next_end:
            while ends[k] < start:
                k += 1
            next_end = ends[k]
            if tokens:
                sent += 1
                in_sent = 0
        elif in_sent >= 40:
            sent += 1
            in_sent = 0
        word = m.group()
        pieces = _split_apostrophes(word) if "'" in word else (word,)
        for piece in pieces:
            expanded = expansions.get(piece)
            if expanded is None:
                append(Token(piece, start, end, sent))
                in_sent += 1
            else:
                for part in expanded:
                    append(Token(part, start, end, sent))
                    in_sent += 1
    return tokens, (sent + 1 if tokens else 0)


def question_sentences(plain: str, tokens: list[Token]) -> frozenset[int]:
    """Sentences that end with a question mark (the mark sits between their last word and the next)."""
    if "?" not in plain:
        return frozenset()
    found: set[int] = set()
    last = len(tokens) - 1
    for k, tok in enumerate(tokens):
        if k < last and tokens[k + 1].sent == tok.sent:
            continue
        if "?" in plain[tok.end : tokens[k + 1].start if k < last else len(plain)]:
            found.add(tok.sent)
    return frozenset(found)


def clause_starts(plain: str, tokens: list[Token]) -> frozenset[int]:
    """Indexes of tokens that open a sentence or a clause (where an imperative verb stands)."""
    found: set[int] = set()
    prev: Token | None = None
    search = _CLAUSE_MARK.search
    for k, tok in enumerate(tokens):
        new_sentence = prev is None or prev.sent != tok.sent
        # Words are usually one space apart: only look for a mark in longer gaps.
        marked = (prev is not None and tok.start > prev.end
                  and (tok.start - prev.end > 1 or plain[prev.end] != " ")
                  and search(plain, prev.end, tok.start) is not None)
        if new_sentence or marked:
            found.add(k)
        prev = tok
    return frozenset(found)


# Quotation marks: straight and curly doubles, guillemets, and single quotes
# that stand apart from letters ('gewoon stoppen', not the apostrophe of "j'ai").
QUOTED_SPAN = _QUOTED = re.compile(
    r'"[^"\n]{1,200}"|\u00ab[^\u00bb\n]{1,200}\u00bb|\u201c[^\u201d\n]{1,200}\u201d|\u201e[^\u201c\u201d\n]{1,200}[\u201c\u201d]'
    r"|(?<![^\W_])'(?=[^\W_])[^'\n]{1,200}(?<=[^\W_])'(?![^\W_])"
)


def quoted_tokens(plain: str, tokens: list[Token]) -> frozenset[int]:
    """Tokens between quotation marks: words the poster quotes rather than says."""
    spans = [(m.start(), m.end()) for m in _QUOTED.finditer(plain)]
    if not spans:
        return frozenset()
    return frozenset(k for k, tok in enumerate(tokens) if any(a < tok.start and tok.end < b for a, b in spans))
