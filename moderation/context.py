"""Context rules: when a pattern matched but the finding should not be raised.

Each rule looks at the folded text around a match and returns True to
SUPPRESS it. Rules are named so lexicon entries can choose them; the cue
lists below are part of the guidelines and are written in all three
languages because members mix languages within one post.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from moderation.context_cues import (
    ADDRESSED,
    ADMITTED,
    ADVICE,
    ASKED,
    BRIDGING,
    CARE_AGENT,
    FAREWELL_TO_HABIT,
    FIRST_PERSON,
    HELPER_WORRY,
    MEDICATION,
    METALINGUISTIC_AFTER,
    METALINGUISTIC_BEFORE,
    NARRATION,
    NEGATED_LABEL,
    NEGATION_BEFORE,
    NO_PRESCRIPTION,
    NOT_LITERAL,
    NOT_LITERAL_AFTER,
    NOT_MEDS,
    OTHERS_WORDS,
    OWN_COUNT,
    OWN_SUPPLY,
    PAST_TIME,
    PHARMACY_RETURN,
    QUESTION_START,
    RECOVERED,
    REMEDY,
    RENOUNCED,
    REPORTED_AFTER,
    REPORTED_OFFER,
    REPORTED_SPEECH,
    RHETORICAL,
    SECOND_CLEAN,
    SELF_DESCRIPTION,
    SELF_TALK,
    SUPPLY,
    SYMPTOM_TALK,
    TAPER_TARGET,
    THIRD_SUBJECT,
    WARNED_POST,
    WARNING,
    WISHED,
)
from moderation.tokens import QUOTED_SPAN, approved, endorsed, may_quote

_SENTENCE_END = re.compile(r"[.!?\n;]")
_WINDOW = 120  # run-on posts without punctuation still get a bounded "sentence"


@dataclass(frozen=True, slots=True)
class Span:
    """A match in the folded text, with the sentence that holds it."""

    text: str
    start: int
    end: int
    s0: int
    s1: int

    @property
    def before(self) -> str:
        return self.text[self.s0 : self.start]

    @property
    def after(self) -> str:
        return self.text[self.end : self.s1]

    @property
    def sentence(self) -> str:
        return self.text[self.s0 : self.s1]


def make_span(text: str, start: int, end: int) -> Span:
    s0 = max(start - _WINDOW, 0)
    for m in _SENTENCE_END.finditer(text, s0, start):
        # "..." inside a sentence and decimal points ("0.5 mg") do not end it.
        if m.group() == "." and (text[m.start() + 1 : m.start() + 2].isdigit()):
            continue
        s0 = m.end()
    stop = _SENTENCE_END.search(text, end, min(end + _WINDOW, len(text)))
    s1 = stop.start() if stop else min(end + _WINDOW, len(text))
    return Span(text, start, end, s0, s1)


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


_PAIRS = (("\u00ab", "\u00bb"), ("\u201c", "\u201d"), ("\u201e", "\u201d"), ("\u201e", "\u201c"))


def quoted(sp: Span) -> bool:
    """Inside a Markdown blockquote or quotation marks: the poster quotes someone."""
    text, start, end = sp.text, sp.start, sp.end
    lo, hi = max(0, start - 200), min(len(text), end + 200)
    if may_quote(text, lo, start) and any(m.start() < start and end < m.end() and not endorsed(text, m.start(), m.end())
                                          for m in QUOTED_SPAN.finditer(text, lo, hi)):
        return True  # 'junkie pills', « sale toxico » ...
    line0 = _line_start(text, start)
    if text[line0:start].lstrip().startswith(">"):
        return True
    line1 = text.find("\n", end)
    line1 = len(text) if line1 < 0 else line1
    head, tail = text[line0:start], text[end:line1]
    if head.count('"') % 2 == 1 and '"' in tail:
        return not endorsed(text, line0 + head.rfind('"'), end + tail.index('"') + 1)
    for opening, closing in _PAIRS:
        if head.rfind(opening) > head.rfind(closing) and closing in tail:
            return not endorsed(text, line0 + head.rfind(opening), end + tail.index(closing) + 1)
    # 'word' in single quotes (not apostrophes: the quote must touch non-letters), unless approved
    # right after ("'junk' en 'druggie'. terecht eigenlijk").
    return (
        head.endswith("'")
        and (len(head) < 2 or not head[-2].isalnum())
        and tail.startswith("'")
        and (len(tail) < 2 or not tail[1].isalnum())
        and not approved(text, end + 1)
    )


_AS_FORMER = re.compile(r"(?:ex|voormalige?|gewezen|ancien|ancienne|former|oud)(?![^\W_])")
_AS = re.compile(r"(?<![^\W_])(?:als|en tant qu'? ?e?|as an?|as|comme)\W*$")
# "Former pillhead here", "Ex-toxico ici": a label opening the sentence, followed by "here".
_HERE_AFTER = re.compile(r"\W{0,3}(?:here|ici|hier)(?![^\W_])")
# "une ancienne camée comme moi", "een junkie zoals ik": the poster counts themselves in.
_LIKE_ME = re.compile(r"\W{0,3}(?:comme moi|zoals ik|zoals mij|like me|like myself)(?![^\W_])")
_OPENING = re.compile(r"\W*(?:(?:ex|voormalige?|gewezen|ancien|ancienne|former|oud|old|recovering)\W*)?$")


def self_description(sp: Span) -> bool:
    """The poster describes themselves ("ik voel me een junkie"): everyone may, and is never lectured."""
    lo = max(sp.s0, sp.start - 60)
    if SELF_DESCRIPTION.search(sp.text, lo, sp.start):
        return True
    if _AS_FORMER.match(sp.text, sp.start) and _AS.search(sp.text, lo, sp.start):
        return True  # "Als ex-gebruiker kan ik u zeggen", "as a former user"
    if _HERE_AFTER.match(sp.text, sp.end) and _OPENING.match(sp.text[sp.s0:sp.start]):
        return True  # "Former pillhead here, my word for myself"
    if _LIKE_ME.match(sp.text, sp.end) and not sp.text[sp.start : sp.end].endswith(("s", "en", "x")):
        return True  # one "camée comme moi"; "ex-junkies zoals ik" speaks of a group
    # Entries that take the verb into the match ("suis accro", "ben clean"): read up to its first word.
    space = sp.text.find(" ", sp.start, sp.end)
    if space > 0 and SELF_DESCRIPTION.search(sp.text, lo, space + 1) is not None:
        return True
    # Talking to oneself: "je me suis dit 'tu ressembles à une vieille junkie'", "ik ben een
    # zwakkeling. Da zeg ik al heel de dag tegen mezelf."
    return SELF_TALK.search(sp.text, max(sp.s0, sp.start - 80), min(len(sp.text), sp.s1 + 60)) is not None


def reported(sp: Span) -> bool:
    """Someone else used the label about the poster or others ("il m'a traité de", "comme dit mon beau-père"),
    and the poster does not approve of it right after ("Terecht eigenlijk")."""
    if REPORTED_SPEECH.search(sp.text, max(sp.s0, sp.start - 90), sp.start) is not None:
        return not approved(sp.text, sp.end)
    return REPORTED_AFTER.match(sp.text, sp.end) is not None and not approved(sp.text, sp.end)


def metalinguistic(sp: Span) -> bool:
    """The poster discusses the word itself ("le mot toxico", "het woord junkie")."""
    if METALINGUISTIC_BEFORE.search(sp.text, max(sp.s0, sp.start - 60), sp.start):
        return True
    return METALINGUISTIC_AFTER.match(sp.text, sp.end) is not None


def negated_label(sp: Span) -> bool:
    """The label is denied ("je ne suis pas une toxico", "we are not addicts"); "ne fréquente pas
    les toxicomanes" negates the verb, and the label stands."""
    return NEGATED_LABEL.search(sp.text, max(sp.s0, sp.start - 40), sp.start) is not None


_CLAUSE_NEGATION = re.compile(
    r"(?<![^\W_])(?:pas|jamais|niet|ni|nie|nooit|not|never|don't|dont|do not)(?:[ ']+\w+){0,2}[ ']*$"
)


def negated_clause(sp: Span) -> bool:
    """A negation in the same clause just before ("ne pas tout arrêter d'un coup"); a comma
    ends its reach ("pas besoin de diminuer, arrête d'un coup" is advice)."""
    if RHETORICAL.search(sp.sentence):
        return False  # "why not just quit cold turkey?"
    return _CLAUSE_NEGATION.search(sp.text, max(sp.s0, sp.start - 30), sp.start) is not None


def asked(sp: Span) -> bool:
    """The words are a question someone asked the poster ("mon psy m'a demandé si j'avais des
    idées noires"), or the poster asks whether it is safe ("Sylvie demandait si elle pouvait")."""
    if ASKED.search(sp.text, max(sp.s0, sp.start - 80), sp.start) is None:
        return False
    return ADMITTED.search(sp.text) is None  # "j'ai dit non. j'ai menti": the answer stands


def care_channel(sp: Span) -> bool:
    """A pharmacist or doctor is the one who gives, refuses or cuts ("ma pharmacienne peut me
    dépanner en attendant l'ordonnance", "mon médecin m'a coupé le Xanax d'un coup")."""
    if NO_PRESCRIPTION.search(sp.sentence):
        return False  # a pharmacy that hands benzos out without a prescription is a source
    if CARE_AGENT.search(sp.text, sp.s0, sp.start):
        return True
    return BRIDGING.search(sp.text, sp.end, min(len(sp.text), sp.s1 + 80)) is not None


def wished(sp: Span) -> bool:
    """A wish given up or past, not advice nor a decision ("ik wou alles weggooien en stoppen")."""
    if WISHED.search(sp.text, max(sp.s0, sp.start - 60), sp.start):
        return True
    return RENOUNCED.search(sp.text, sp.end, min(len(sp.text), sp.s1 + 40)) is not None


def farewell_to_habit(sp: Span) -> bool:
    """A farewell addressed to the pills or the illness ("une lettre d'adieu à mon Xanax")."""
    return FAREWELL_TO_HABIT.match(sp.text, sp.end) is not None


def negated(sp: Span) -> bool:
    """A negation just before the phrase ("je n'ai pas envie de mourir")."""
    return NEGATION_BEFORE.search(sp.text, max(sp.s0, sp.start - 30), sp.start) is not None


def warning(sp: Span) -> bool:
    """The sentence warns against the act ("surtout n'arrête pas d'un coup")."""
    return WARNING.search(sp.sentence) is not None


def question(sp: Span) -> bool:
    """The poster asks (whether it is safe, what to do) rather than advises."""
    closing = sp.text[sp.s1 : sp.s1 + 1]
    if RHETORICAL.search(sp.sentence):
        return False  # "why not just stop?" is advice dressed as a question
    return closing == "?" or QUESTION_START.match(sp.sentence.lstrip(" \"'-*>(")) is not None


def narration(sp: Span) -> bool:
    """The poster recounts what they (or someone) did, in the past tense."""
    recounted = sp.text[sp.s0 : sp.end]
    return NARRATION.search(recounted) is not None or PAST_TIME.search(sp.sentence) is not None


def needs_advice(sp: Span) -> bool:
    """For bare "abruptly" phrases: suppress unless the sentence gives advice."""
    return ADVICE.search(sp.sentence) is None


def needs_medication(sp: Span) -> bool:
    """Generic offers ("à vendre", "DM me") count only near a medication word, and not when the
    poster says the offer has nothing to do with medication."""
    lo, hi = max(0, sp.start - 120), min(len(sp.text), sp.end + 120)
    return MEDICATION.search(sp.text, lo, hi) is None or _says_not_meds(sp.text)


# Read once per post, like _warned: searched for every offer phrase, a post repeating "buy pills
# online" 1,000 times was scanned 1,000 times (an outsider's attack: 2.5 s at 20,000 characters).
@lru_cache(maxsize=32)
def _says_not_meds(text: str) -> bool:
    return NOT_MEDS.search(text) is not None


def needs_supply(sp: Span) -> bool:
    """ "Envoie-moi un mp" is sourcing only when something is on offer or wanted nearby."""
    lo, hi = max(0, sp.start - 120), min(len(sp.text), sp.end + 120)
    return SUPPLY.search(sp.text, lo, hi) is None or MEDICATION.search(sp.text, lo, hi) is None


def recovered(sp: Span) -> bool:
    """A past crisis told as recovery: a past-time marker here or in the sentence before ("Il y a neuf
    ans, j'étais aux urgences. Je voulais mourir, vraiment."), a recovery marker in the post."""
    # The past marker first: it reads two sentences, the recovery marker the whole post.
    if PAST_TIME.search(sp.sentence) is None:
        previous = make_span(sp.text, sp.s0 - 1, sp.s0 - 1) if sp.s0 > 1 else None
        if previous is None or PAST_TIME.search(previous.sentence) is None:
            return False
    return RECOVERED.search(sp.text) is not None


def addressed(sp: Span) -> bool:
    """The crisis words follow "pour ceux qui", "voor wie", "for anyone who": said to others."""
    return ADDRESSED.search(sp.before) is not None


def symptom_talk(sp: Span) -> bool:
    """Crisis words named as a withdrawal symptom, in general or in the past ("les idées
    suicidaires font partie des effets du sevrage ?"): not someone in crisis now. "J'ai des idées
    noires, c'est un symptôme ?" keeps its finding (the first person, now)."""
    sentence = sp.sentence
    if SYMPTOM_TALK.search(sentence) is None:
        return False
    return FIRST_PERSON.search(sentence) is None or PAST_TIME.search(sentence) is not None


# A clock time right after the words ("not wake up again at 4am", "plus me réveiller à 4h", "niet meer
# wakker worden om 3u"): the early waking of withdrawal, not a wish never to wake.
_CLOCK_AFTER = re.compile(r"^[^.!?\n]{0,25}?(?<![\w,.])(?:\d{1,2} ?(?:am|pm|h\d{0,2}|u\d{0,2}|uur|heures?)(?!\w)"
                          r"|(?:at|a|om|vers|rond) \d{1,2}(?![\w.,]))")


def clock_time(sp: Span) -> bool:
    """A time of the clock follows the crisis words in their sentence: a complaint about waking."""
    return _CLOCK_AFTER.search(sp.after) is not None


#: How far after the crisis words a retraction is looked for ("... C'était une façon de parler").
_TAKEN_BACK_REACH = 250


def not_literal(sp: Span) -> bool:
    """The poster says in the same sentence that the crisis words were not meant literally, or takes them back
    in the sentences right after ("C'était une façon de parler")."""
    if NOT_LITERAL.search(sp.sentence) is not None:
        return True
    return NOT_LITERAL_AFTER.search(sp.text, sp.end, sp.end + _TAKEN_BACK_REACH) is not None



def others_words(sp: Span) -> bool:
    """Someone else's words told by a helper ("when someone writes that they are thinking about
    ending things"), or a helper's question about a third person ("how do you support a friend
    who keeps saying she can't go on like this?")."""
    return OTHERS_WORDS.search(sp.text, sp.s0, sp.start) is not None


# Every alternative of WARNED_POST holds one of these (a substring test is far cheaper than the search).
_WARNED_GATE = ("waarschuw", "avertissement", "warning", "garde", "attention", "pas op", "beware", "watch out",
                "koop", "achetez", "buy", "order", "faux", "scam", "kopen", "bestel", "nep", "fake", "pas ca",
                "pas ça", "nobody", "no one", "niemand", "personne", "don't", "dont", "don t", "venir", "prudent",
                "voorzichtig", "heads up", "psa", "pressed")


def warned_post(sp: Span) -> bool:
    """A post that warns against buying ("Even een waarschuwing: ... Koop dus niks online zonder
    voorschrift"), from a poster who offers, asks or gives no contact of their own."""
    return _warned(sp.text)


# The post-level answers below are asked once per finding's span; a post with thousands of
# findings ("xanax à vendre" repeated) scanned itself thousands of times. Each post is read once
# (the same string object comes back for every span of a check).
@lru_cache(maxsize=32)
def _warned(text: str) -> bool:
    if not any(word in text for word in _WARNED_GATE):
        return False  # the regex scans the whole post; most posts hold none of its words
    return WARNED_POST.search(text) is not None and OWN_SUPPLY.search(text) is None


@lru_cache(maxsize=32)
def _helper_worry(text: str) -> bool:
    return HELPER_WORRY.search(text) is not None and OWN_SUPPLY.search(text) is None


def third_party(sp: Span) -> bool:
    """A relative tells what someone else does and asks how to help ("Mon fils prend du Xanax qu'il
    achète sur Snap. Comment je peux lui parler ?"): worry, not an offer or a request."""
    return THIRD_SUBJECT.search(sp.text, sp.s0, sp.start) is not None and _helper_worry(sp.text)


def reported_offer(sp: Span) -> bool:
    """An offer the poster reported to the platform or the moderators, here or in the next two
    sentences ("Saw someone selling Xanax on Instagram. Reported it.")."""
    hi = min(len(sp.text), sp.s1 + 160)
    return REPORTED_OFFER.search(sp.text, max(0, sp.s0 - 160), hi) is not None


def pharmacy_return(sp: Span) -> bool:
    """Bringing leftovers back to the pharmacy is good practice, not sourcing."""
    lo, hi = max(0, sp.start - 150), min(len(sp.text), sp.end + 150)
    return PHARMACY_RETURN.search(sp.text, lo, hi) is not None


def taper_target(sp: Span) -> bool:
    """The phrase calls tapering, not people, weak ("les paliers c'est pour les faibles")."""
    return TAPER_TARGET.search(sp.text[max(sp.s0, sp.start - 60) : sp.start]) is not None


def second_clean(sp: Span) -> bool:
    """"Clean" promised to the reader ("en une semaine t'es clean"): the outcome of advice."""
    head = sp.text[max(sp.s0, sp.start - 12) : sp.start]
    return SECOND_CLEAN.search(head) is not None or sp.text.startswith(("ge ", "gij ", "je ", "jij "), sp.start)


def own_time(sp: Span) -> bool:
    """A member counting their own time off the medication ("I'm 8 months clean", "1 jaar clean van
    de Xanax vandaag!!"): a self-description, never lectured. Said to or of others, it stays."""
    sentence = sp.sentence
    if THIRD_SUBJECT.search(sentence) is not None:
        return False
    return FIRST_PERSON.search(sentence) is not None or OWN_COUNT.match(sentence) is not None


def remedy_swap(sp: Span) -> bool:
    """A benzo swapped for a remedy or a drink: advice to stop (the cold-turkey rules' part), not a trade."""
    return REMEDY.search(sp.text, sp.start, sp.s1) is not None


RULES: dict[str, Callable[[Span], bool]] = {
    "quoted": quoted,
    "reported": reported,
    "self_description": self_description,
    "metalinguistic": metalinguistic,
    "negated": negated,
    "warning": warning,
    "question": question,
    "narration": narration,
    "needs_advice": needs_advice,
    "pharmacy_return": pharmacy_return,
    "recovered": recovered,
    "needs_medication": needs_medication,
    "needs_supply": needs_supply,
    "negated_label": negated_label,
    "negated_clause": negated_clause,
    "asked": asked,
    "care_channel": care_channel,
    "farewell_to_habit": farewell_to_habit,
    "wished": wished,
    "symptom_talk": symptom_talk,
    "reported_offer": reported_offer,
    "others_words": others_words,
    "clock_time": clock_time,
    "not_literal": not_literal,
    "addressed": addressed,
    "warned_post": warned_post,
    "third_party": third_party,
    "own_time": own_time,
    "taper_target": taper_target,
    "second_clean": second_clean,
    "remedy_swap": remedy_swap,
}

DEFAULT_RULES: dict[str, tuple[str, ...]] = {
    "stigma": ("quoted", "reported", "metalinguistic", "self_description", "negated_label"),
    "cold_turkey_advice": ("quoted", "reported", "warning", "question", "narration", "asked", "care_channel",
                           "wished"),
    # Crisis favours recall: only an explicit negation, a crisis told as past and
    # overcome, a question someone asked the poster, a farewell to the pills, or the words
    # named as a withdrawal symptom in general or in the past suppresses it.
    "crisis": ("negated", "recovered", "asked", "farewell_to_habit", "symptom_talk", "others_words", "clock_time",
               "not_literal", "addressed"),
    "sourcing": ("warning", "negated", "pharmacy_return", "care_channel", "reported_offer", "warned_post",
                 "third_party"),
    "personal_data": (),
}


def suppressed(text: str, start: int, end: int, rules: tuple[str, ...]) -> bool:
    return suppressed_by(text, start, end, rules) is not None


def suppressed_by(text: str, start: int, end: int, rules: tuple[str, ...]) -> str | None:
    """The first rule that suppresses the match, or None."""
    if not rules:
        return None
    sp = make_span(text, start, end)
    return next((name for name in rules if RULES[name](sp)), None)
