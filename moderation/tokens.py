"""Words and sentences of a folded post, with SMS and dialect spellings spelled out.

The frames (``frames.py``) and the learned layer (``model.py``) read posts as
tokens rather than characters: "jveux", "j'veux" and "je veux" must look the
same to them, and so must "kheb" and "ik heb", "dont" and "don't". Each token
keeps the folded offsets of the characters it came from, so a finding built
from tokens still points into the member's own text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import NamedTuple

# Words: letters and digits, with a decimal part ("0,5", "2.5") kept whole;
# "@handle" and "€" are tokens of their own (contact and price cues). Each alternative starts with
# a character no other one starts with; letters, the most common start, are tried first.
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+(?:[.,]\d+)?|@[^\W_]+|€")
# A sentence ends at . ! ? ; or a line break ("0.5" is handled by the token regex); a period
# with a letter right after it is inside an address ("jasper.de.smet91@gmail.com", "site.be").
# Written with one character class first, so that re skips to the candidates (3 times faster than
# "(?:[!?;]+|\.(?![^\W_])|\n)", the same marks).
_SENTENCE_END = re.compile(r"[!?;.\n](?:(?<=[!?;])[!?;]*|(?<=\.)(?![^\W_])|(?<=\n))")
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
        "saqui": ("quelqu", "un"),
        "dmain": ("demain",), "dmin": ("demain",),
        "saquis": ("quelques",), "dandji": ("besoin",), "volti": ("volontiers",),
        "done": ("donne",), "dones": ("donnes",), "di": ("de",), "vi": ("vieux",), "gna": ("il", "y", "a"),
    },
    "nl": {  # Flemish chat forms that are words in French ("ni", "da")
        "ni": ("niet",), "nie": ("niet",), "nt": ("niet",), "wa": ("wat",), "da": ("dat",), "ff": ("even",),
        "mss": ("misschien",),
        "nix": ("niks",), "vandoage": ("vandaag",), "vandoag": ("vandaag",),
        "mer": ("meer",), "allemolle": ("allemaal",), "allemol": ("allemaal",),
        "mn": ("mijn",), "zn": ("zijn",), "idd": ("inderdaad",), "nx": ("niks",),
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


_WORD_CACHE_LIMIT = 50_000
_word_cache: dict[str | None, dict[str, tuple[str, ...]]] = {}
_new = tuple.__new__


def _norms(word: str, lang: str | None) -> tuple[str, ...]:
    """The normalised words one written word stands for ("jveux" -> je, veux; "don't" -> do, not)."""
    expansions = _expansions(lang)
    pieces = _split_apostrophes(word) if "'" in word else (word,)
    out: list[str] = []
    for piece in pieces:
        out.extend(expansions.get(piece, (piece,)))
    return tuple(out)


def tokenize(plain: str, lang: str | None = None) -> tuple[list[Token], int]:
    """Tokens of a folded text and the number of sentences.

    Sentence numbers grow at every sentence end; a sentence longer than 40
    words is cut, so a run-on post without punctuation still has windows.
    ``lang`` adds the dialect spellings of that language (``LANG_EXPANSIONS``).
    """
    tokens, n_sent, _ = tokenize_words(plain, lang)
    return tokens, n_sent


def tokenize_words(plain: str, lang: str | None = None) -> tuple[list[Token], int, list[tuple[int, str]]]:
    """``tokenize``, plus each written word of two letters or more with its start (for the lexicon's scan)."""
    tokens: list[Token] = []
    append = tokens.append
    ends = [m.start() for m in _SENTENCE_END.finditer(plain)]
    ends.append(len(plain) + 1)
    k, next_end = 0, ends[0]
    sent, in_sent = 0, 0
    cache = _word_cache.get(lang)
    if cache is None or len(cache) > _WORD_CACHE_LIMIT:
        cache = _word_cache[lang] = {}  # bounded memory on a long-running worker
    get = cache.get
    # Every written word with its start, read in one pass (a comprehension costs less than a loop).
    found = [(m.start(), m.group()) for m in _TOKEN.finditer(plain)]
    for start, word in found:
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
        norms = get(word)
        if norms is None:
            norms = cache[word] = _norms(word, lang)
        end = start + len(word)
        # Token(...) without its Python-level __new__: this loop runs once per word of every post.
        if len(norms) == 1:
            append(_new(Token, (norms[0], start, end, sent)))
            in_sent += 1
        else:
            for norm in norms:
                append(_new(Token, (norm, start, end, sent)))
            in_sent += len(norms)
    words = [w for w in found if len(w[1]) > 1]
    return tokens, (sent + 1 if tokens else 0), words


def question_sentences(plain: str, tokens: list[Token], starts: list[int] | None = None) -> frozenset[int]:
    """Sentences that end with a question mark (the mark sits between their last word and the next).

    ``starts``: the tokens' start offsets, when the caller has them."""
    at = plain.find("?")
    if at < 0 or not tokens:
        return frozenset()
    found: set[int] = set()
    starts = [tok.start for tok in tokens] if starts is None else starts
    n = len(tokens)
    while at >= 0:
        k = bisect_right(starts, at)  # the first word after the mark
        if k > 0 and tokens[k - 1].end <= at and (k == n or tokens[k].sent != tokens[k - 1].sent):
            found.add(tokens[k - 1].sent)  # the mark follows the last word of a sentence
        at = plain.find("?", at + 1)
    return frozenset(found)


def clause_starts(plain: str, tokens: list[Token]) -> frozenset[int]:
    """Indexes of tokens that open a sentence or a clause (where an imperative verb stands)."""
    return clause_marks(plain, tokens)[0]


def clause_marks(plain: str, tokens: list[Token], starts: list[int] | None = None,
                 sents: list[int] | None = None) -> tuple[frozenset[int], frozenset[int]]:
    """The tokens that open a sentence or a clause, and those right after a comma (where a
    negation's reach ends: "pas de schéma, arrête" negates the taper, not the stop).

    ``starts`` and ``sents``: the tokens' start offsets and sentences, when the caller has them.
    """
    if not tokens:
        return frozenset(), frozenset()
    starts = [tok.start for tok in tokens] if starts is None else starts
    sents = [tok.sent for tok in tokens] if sents is None else sents
    # Sentences are numbered 0, 1, 2, ... in order: each one's first token, by bisection.
    found = {bisect_left(sents, s) for s in range(sents[-1] + 1)}
    commas: set[int] = set()
    n = len(tokens)
    for m in _CLAUSE_MARK.finditer(plain):
        pos = m.start()
        k = bisect_right(starts, pos)  # the first word after the mark
        if 0 < k < n and tokens[k - 1].end <= pos:  # the mark stands between two words, not inside one
            found.add(k)
            if plain[pos] == ",":
                commas.add(k)
    return frozenset(found), frozenset(commas)


# Quotation marks: straight and curly doubles, guillemets, and single quotes
# that stand apart from letters ('gewoon stoppen', not the apostrophe of "j'ai").
QUOTED_SPAN = _QUOTED = re.compile(
    r'"[^"\n]{1,200}"|\u00ab[^\u00bb\n]{1,200}\u00bb|\u201c[^\u201d\n]{1,200}\u201d|\u201e[^\u201c\u201d\n]{1,200}[\u201c\u201d]'
    # An apostrophe between two letters stays inside ('I don't rent to benzo junkies', 'zo'n verslaafde').
    r"|(?<![^\W_])'(?=[^\W_])(?:[^'\n]|(?<=[^\W_])'(?=[^\W_])){1,200}(?<=[^\W_])'(?![^\W_])"
)


_DOUBLE_QUOTES = ('"', "\u00ab", "\u201c", "\u201e")

# The poster approving what was just said: "terecht eigenlijk", "à juste titre", "and rightly so".
_APPROVAL = (
    r"(?:en |volkomen |helemaal |heel |compleet |best )terecht"
    r"|(?<!ergens )(?<!nergens )(?<!hier )(?<!daar )(?<!wel )"
    r"terecht(?= ?(?:[.,!;:]|eigenlijk|ook|trouwens|hoor|toch|$))"
    r"|(?:a|et a|c est a|c'est a) juste titre|(?:et )?c'?(?:est| est) (?:bien )?merite"
    r"|(?:and )?rightly so|deservedly"
    # the poster's own judgement confirmed ("I think 'Xanax junkie'. Nine times out of ten I'm right.")
    r"|(?:i'?m|i am|i'm usually|i am usually) right|nine times out of ten|neuf fois sur dix|negen op de tien"
    r"|(?:et )?j'? ?ai (?:souvent |toujours )?raison|(?:en )?(?:ik heb|heb ik) (?:meestal |altijd )?gelijk"
)

# A quotation the poster agrees with right after ("Ma grand-mère dit: '...'. Elle a raison.",
# "'...', en eerlijk gezegd heeft ze gelijk"): the words are the poster's own too.
_ENDORSED = re.compile(
    r"(?<![^\W_])(?:(?:elle|il|ils|elles) (?:a|avait|ont|avaient) (?:bien |totalement |tout a fait )?raison"
    r"|(?:heeft|had|hebben) (?:ze|zij|hij|die) (?:wel |echt |toch |overschot van )?gelijk"
    r"|(?:ze|zij|hij|die) (?:heeft|had|hebben) (?:wel |echt |toch |overschot van )?gelijk"
    r"|(?:she|he|they)(?:'s|'re| is| are| was| were) (?:so |totally |absolutely |dead |quite )?right"
    r"|" + _APPROVAL + r")(?![^\W_])"
)
_APPROVED = re.compile(r"(?<![^\W_])(?:" + _APPROVAL + r")(?![^\W_])")
_ENDORSE_REACH = 120


# The poster quoting their own words ("Je vous copie le mail que j'ai envoyé : « ... »", "I wrote: '...'").
_OWN_WORDS = re.compile(
    r"(?<![^\W_])(?:(?:le mail|le courriel|la lettre|le message|le mot) que j'? ?ai (?:envoye|ecrit)"
    r"|j'? ?ai (?:ecrit|repondu)|ce que j'? ?ai ecrit|i (?:wrote|replied|answered|emailed)"
    r"|my (?:email|e-mail|message|reply|letter)|ik (?:schreef|antwoordde|mailde)"
    r"|ik heb (?:geschreven|geantwoord|gemaild)"
    r"|(?:de mail|het bericht|de brief) die ik (?:stuurde|schreef|heb gestuurd|heb geschreven))"
    r"(?![^\W_])[^.!?\n]{0,80}$"
)


def approved(text: str, end: int) -> bool:
    """Whether the poster approves, right after end, of what came before ("'junk'. terecht eigenlijk")."""
    return _APPROVED.search(text, end, min(len(text), end + _ENDORSE_REACH)) is not None


def endorsed(text: str, start: int, end: int) -> bool:
    """Whether the quotation text[start:end] is the poster's own: words they agree with right
    after, or their own words quoted (a mail they sent)."""
    if _ENDORSED.search(text, end, min(len(text), end + _ENDORSE_REACH)) is not None:
        return True
    return _OWN_WORDS.search(text, max(0, start - _ENDORSE_REACH), start) is not None


def may_quote(text: str, lo: int = 0, hi: int | None = None) -> bool:
    """Whether text[lo:hi] can hold a quotation (``QUOTED_SPAN``): a double quotation mark,
    or a single one that opens (no letter before it, one after). Cheaper than the search."""
    hi = len(text) if hi is None else hi
    if any(text.find(mark, lo, hi) >= 0 for mark in _DOUBLE_QUOTES):
        return True
    i = text.find("'", lo, hi)
    while i >= 0:
        if (i == 0 or not text[i - 1].isalnum()) and i + 1 < len(text) and text[i + 1].isalnum():
            return True
        i = text.find("'", i + 1, hi)
    return False


def quoted_tokens(plain: str, tokens: list[Token], starts: list[int] | None = None) -> frozenset[int]:
    """Tokens between quotation marks: words the poster quotes rather than says."""
    if not may_quote(plain):
        return frozenset()
    spans = [(m.start(), m.end()) for m in _QUOTED.finditer(plain) if not endorsed(plain, m.start(), m.end())]
    if not spans:
        return frozenset()
    starts = [tok.start for tok in tokens] if starts is None else starts
    found: set[int] = set()
    for a, b in spans:
        # The words that start after the opening mark and end before the closing one.
        for k in range(bisect_right(starts, a), len(tokens)):
            tok = tokens[k]
            if tok.start >= b:
                break
            if tok.end < b:
                found.add(k)
    return frozenset(found)
