"""The anonymiser: rules for every language, members' pseudonyms from the database, and the
NLP models where they serve (spaCy's French model, belgian-deduce for Dutch), with
medication names and doses protected from all of them.

Models are good at names and bad at knowing what a forum about medicines needs:
spaCy tags "Loramet 2" as MISC and "Xanax" as a place; deduce tags "Bel" (call)
as a person. So model findings are filtered by label, trimmed of greetings and
titles, and cut wherever they touch a protected medication or dose.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from app.research.anonymise import nlp, protect, rules
from app.research.anonymise.spans import Label, Span, apply, resolve

SENTENCE_END = re.compile(r"[.!?\n]")
FIRST_PERSON = re.compile(
    r"(?i)\b(?:je|j['’]|moi|mon|ma|mes|nous|notre|nos|on|chez|ik|mij|mijn|wij|we|ons|onze|i|me|my|our|us)\b"
)
TITLE_WORDS = frozenset(
    w.casefold() for w in
    "dr dr. dre docteur doctoresse dokter doctor doc prof prof. professeur professor mme mme. madame monsieur "
    "m. mr mr. mrs mrs. ms ms. mevr mevr. mevrouw meneer dhr dhr. le la les de het the mijn ma mon my".split()
)
DEDUCE_LABELS = {
    "person": Label.PERSON, "patient": Label.PERSON, "location": Label.PLACE, "hospital": Label.CARE_PLACE,
    "institution": Label.CARE_PLACE, "care_institution": Label.CARE_PLACE, "email": Label.EMAIL,
    "phone_number": Label.PHONE, "url": Label.URL, "national_register_number": Label.NATIONAL_ID,
}
# Public figures of the field: "the Ashton manual" is a resource, not a person to hide.
PUBLIC_NAMES = frozenset({"ashton", "heather ashton", "benzonet"})
# Places a researcher needs and that identify no one.
COUNTRIES = frozenset(
    protect.fold(w) for w in
    "Belgique België Belgie Belgium België Bruxelles Brussel Brussels Wallonie Vlaanderen Flandre Flanders "
    "Wallonia France Frankrijk Nederland Netherlands Pays-Bas Europe Europa Luxembourg Luxemburg Allemagne "
    "Duitsland Germany Maroc Marokko Morocco".split()
)


# Which model reads which language. The French model also finds names in English posts (there
# is no English model in the extra); deduce's name and place lists are Belgian, so they help in
# French and English posts too. Measured on the labelled set (tests/research).
SPACY_LANGS = ("fr", "en")
DEDUCE_LANGS = ("nl", "fr", "en")
# Findings that guess at names; direct identifiers (e-mail, IBAN...) are never cut.
GUESSED = frozenset({Label.PERSON, Label.PLACE, Label.CARE_PLACE})
COMMON = 3.5  # zipf frequency above which a word is everyday vocabulary
# A word this much more frequent (zipf) in a post's language than in another of ours is that language's
# vocabulary, not a name ("courage": French 4.8, Dutch 2.8; "marie": 5.0, 4.2, 4.2).
VOCABULARY_MARGIN = 1.0


def _sentence_initial(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \t\"'«(")
    return not before or before[-1] in ".!?:\n"


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass
class MemberNames:
    """Every member's pseudonym, for finding mentions of them in text ("[MEMBER]").

    A pseudonym written with "@" is always a mention. Written bare, a
    pseudonym counts when it is distinctive (digits, "_", ".", "-") or
    capitalised as names are; plain words that happen to be pseudonyms
    ("espoir", "courage") in lower case stay, and medication names never match.
    """

    folded: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, pseudonyms: Iterable[str]) -> MemberNames:
        names = cls()
        for name in pseudonyms:
            names.add(name)
        return names

    def add(self, pseudonym: str) -> None:
        key = fold(pseudonym.strip())
        if len(key) >= 3 and not protect.is_medication(key):
            self.folded.add(key)

    def __len__(self) -> int:
        return len(self.folded)

    TOKEN = re.compile(r"@?[\w][\w.\-]*[\w]|@?\w{3,}")

    def find(self, text: str, lang: str = "") -> list[Span]:
        if not self.folded:
            return []
        spans = []
        for match in self.TOKEN.finditer(text):
            token = match.group()
            at = token.startswith("@")
            start = match.start() + (1 if at else 0)
            candidates = [(token.lstrip("@"), start)]
            if "." in token or "-" in token:
                # "Marie.Bonjour" or "lumiere-22": try the token's parts too.
                offset = start
                for part in re.split(r"([.\-])", token.lstrip("@")):
                    if part not in (".", "-") and part != candidates[0][0]:
                        candidates.append((part, offset))
                    offset += len(part)
            for candidate, position in candidates:
                if fold(candidate) in self.folded and self._counts(text, candidate, position, at, lang):
                    begin = match.start() if at and position == start else position
                    spans.append(Span(begin, position + len(candidate), Label.MEMBER, "members"))
                    break
        return spans

    @staticmethod
    def _counts(text: str, word: str, position: int, at: bool, lang: str = "") -> bool:
        """Is this bare word a mention of the member, or a word that happens to be a pseudonym?"""
        if at:
            return True
        if any(ch.isdigit() or ch in "_.-" for ch in word) or any(ch.isupper() for ch in word[1:]):
            return True  # distinctive: "Papillon_22", "NachtUil"
        if rules._not_a_name(word):
            return False  # greetings and function words: "Courage," "Merci"
        frequency = max((nlp.word_frequency(word, lang) or 0.0) for lang in ("fr", "nl", "en"))
        if word[:1].isupper():
            # "Mistral a écrit" counts; "Patience, ça vient" opening a sentence is the word.
            return not (_sentence_initial(text, position) and frequency >= COMMON)
        # Lower case: a mention unless the word is everyday vocabulary of the post's language, which is
        # what a wordy pseudonym's word is ("espoir": 4.7 in French, 1.6 in English). A name is met
        # about as often in all three languages ("alice": 4.2 in each), so "call me alice" is a mention
        # (QA: only capitalised variants were replaced). Without word lists nothing tells a word from a
        # name: the member's privacy comes first.
        if nlp.word_frequency(word, "fr") is None or frequency < COMMON:
            return True
        own = nlp.word_frequency(word, lang) or 0.0 if lang in ("fr", "nl", "en") else frequency
        others = [nlp.word_frequency(word, other) or 0.0 for other in ("fr", "nl", "en") if other != lang]
        return own < COMMON or own - min(others) < VOCABULARY_MARGIN


def _trim(text: str, span: Span) -> Span | None:
    """A model's span without greetings, titles, articles or punctuation at its edges."""
    words = [(m.start() + span.start, m.end() + span.start, m.group())
             for m in re.finditer(r"[^\s]+", text[span.start:span.end])]

    def strip(word: str) -> str:
        return word.strip(".,;:!?()\"'’«»")

    while words and (rules._not_a_name(strip(words[0][2])) or fold(strip(words[0][2])) in TITLE_WORDS
                     or not strip(words[0][2])):
        words.pop(0)
    while words and (rules._not_a_name(strip(words[-1][2])) or not strip(words[-1][2])
                     or (span.label == Label.PERSON and not strip(words[-1][2])[:1].isupper())):
        words.pop()
    if not words:
        return None
    start = words[0][0]
    end = words[-1][1]
    while end > start and text[end - 1] in ".,;:!?)\"'’»":
        end -= 1
    while start < end and text[start] in "(\"'«":
        start += 1
    if end - start < 2:
        return None
    if span.label == Label.PERSON and not any(w[2][:1].isupper() for w in words):
        return None  # a person's name is capitalised somewhere; "bel me" is not a name
    return Span(start, end, span.label, span.source)


PARTICLES = frozenset("van von de der den le la du des ter ten vande vander vanden".split())


def _refine_name(text: str, span: Span, lang: str) -> Span | None:
    """A model's name or place, or None when it is not one.

    Drops a public figure of the field ("Ashton"), acronyms ("CBT-I"), an
    everyday word opening a sentence ("Si", "Phone", "Appelez") and phrases
    with lower-case words ("Dutch and French"); trims an opening everyday
    word ("Quand Olivier" -> "Olivier"). Known first names and surnames
    (belgian-deduce's lists) need a much higher frequency to count as words,
    since "Jan" and "David" are frequent too.
    """
    if fold(text[span.start:span.end]) in PUBLIC_NAMES:
        return None
    words = [(m.start() + span.start, m.end() + span.start, m.group().strip(".,"))
             for m in re.finditer(r"\S+", text[span.start:span.end])]
    if all(len(w) > 1 and w.replace("-", "").isupper() for _s, _e, w in words):
        return None
    if nlp.word_frequency("a", lang) is None:
        return span  # without word lists, trust the model
    names = nlp.known_names()

    def everyday(word: str) -> bool:
        threshold = 5.5 if word.casefold() in names else COMMON
        return (nlp.word_frequency(word, lang) or 0.0) >= threshold

    if words and _sentence_initial(text, words[0][0]) and everyday(words[0][2]):
        words = words[1:]
    if not words:
        return None
    if len(words) > 1 and any(w[:1].islower() and w.casefold() not in PARTICLES for _s, _e, w in words):
        return None
    return Span(words[0][0], words[-1][1], span.label, span.source)


def _cut_protected(span: Span, protected: list[tuple[int, int]]) -> list[Span]:
    """The parts of a model's span that touch no medication name or dose."""
    pieces = [span]
    for p_start, p_end in protected:
        next_pieces = []
        for piece in pieces:
            if piece.start < p_end and p_start < piece.end:
                if piece.start < p_start:
                    next_pieces.append(Span(piece.start, p_start, piece.label, piece.source))
                if p_end < piece.end:
                    next_pieces.append(Span(p_end, piece.end, piece.label, piece.source))
            else:
                next_pieces.append(piece)
        pieces = next_pieces
    return pieces


def _personal(text: str, start: int) -> bool:
    """Is the place in a sentence about the writer ("j'habite", "bij mij", "my town")?"""
    left = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    right_match = SENTENCE_END.search(text, start)
    right = right_match.start() if right_match else len(text)
    return bool(FIRST_PERSON.search(text[left:right]))


class Anonymiser:
    """Finds identifying spans and replaces them with typed placeholders.

    `use_nlp=False` is the rules-only anonymiser (the research extra missing);
    exports say in their datasheet which one made them.
    """

    def __init__(self, members: MemberNames | None = None, *, use_nlp: bool = True) -> None:
        self.members = members or MemberNames()
        self.use_nlp = use_nlp
        if use_nlp:
            nlp.require()

    @property
    def method(self) -> str:
        return "rules+spacy+deduce" if self.use_nlp else "rules"

    def _base_spans(self, text: str, protected: list[tuple[int, int]], lang: str = "") -> list[Span]:
        spans: list[Span] = []
        for span in rules.find(text):
            if span.label in GUESSED:  # a name next to "Dr" may still be "Temesta"
                spans.extend(s for s in _cut_protected(span, protected) if len(s) > 1)
            else:
                spans.append(span)
        spans.extend(self.members.find(text, lang))
        return spans

    def _model_spans(self, text: str, lang: str, raw: Iterable[Span],
                     protected: list[tuple[int, int]]) -> list[Span]:
        spans: list[Span] = []
        for span in raw:
            trimmed = _trim(text, span)
            if trimmed is None:
                continue
            for cut in _cut_protected(trimmed, protected):
                found = _trim(text, cut)
                if found is not None and found.label in (Label.PERSON, Label.PLACE):
                    found = _refine_name(text, found, lang)
                if found is None:
                    continue
                piece: Span = found
                digits = re.sub(r"\D", "", text[piece.start:piece.end])
                if piece.label == Label.PHONE and digits in rules.PUBLIC_NUMBERS:
                    continue
                if piece.label == Label.PLACE:
                    place = protect.fold(text[piece.start:piece.end])
                    if place in COUNTRIES:
                        continue
                    if any(ch.isdigit() for ch in text[piece.start:piece.end]):
                        piece = Span(piece.start, piece.end, Label.ADDRESS, piece.source)
                    elif not _personal(text, piece.start):
                        continue
                spans.append(piece)
        return spans

    def _spacy_spans(self, docs: Iterable[object]) -> list[list[Span]]:
        out = []
        for doc in docs:
            found = []
            for ent in doc.ents:  # type: ignore[attr-defined]
                label = {"PER": Label.PERSON, "LOC": Label.PLACE}.get(ent.label_)
                if label is not None:
                    found.append(Span(ent.start_char, ent.end_char, label, "spacy"))
            out.append(found)
        return out

    @staticmethod
    def _deduce_spans(text: str) -> list[Span]:
        document = nlp.deduce().deidentify(text)
        found = []
        for annotation in document.annotations:
            label = DEDUCE_LABELS.get(annotation.tag)
            if label is not None:
                found.append(Span(annotation.start_char, annotation.end_char, label, "deduce"))
        return found

    def find_many(self, items: Sequence[tuple[str, str]]) -> list[list[Span]]:
        """Spans for many (text, lang) pairs; the French model runs over them as one batch."""
        results = []
        spacy_spans: dict[int, list[Span]] = {}
        if self.use_nlp:
            french = [i for i, (_text, lang) in enumerate(items) if lang in SPACY_LANGS]
            docs = nlp.french().pipe([items[i][0] for i in french], batch_size=64)
            spacy_spans = dict(zip(french, self._spacy_spans(docs), strict=True))
        for index, (text, lang) in enumerate(items):
            protected = protect.protected_ranges(text)
            spans = self._base_spans(text, protected, lang)
            if self.use_nlp:
                model = list(spacy_spans.get(index, []))
                if lang in DEDUCE_LANGS:
                    model.extend(self._deduce_spans(text))
                spans.extend(self._model_spans(text, lang, model, protected))
            results.append(resolve(spans))
        return results

    def find(self, text: str, lang: str) -> list[Span]:
        return self.find_many([(text, lang)])[0]

    def anonymise_many(self, items: Sequence[tuple[str, str]]) -> list[str]:
        return [apply(text, spans) for (text, _lang), spans in zip(items, self.find_many(items), strict=True)]

    def anonymise(self, text: str, lang: str) -> str:
        return self.anonymise_many([(text, lang)])[0]
