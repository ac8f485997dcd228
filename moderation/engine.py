"""The matching engine: every lexicon compiled once, applied to a post.

All three languages' lexicons run on every post, because members mix French,
Dutch and English in one message; the post's language only decides which
entry wins when entries in several languages match the same words (so the
explanation comes in the member's language) and breaks ordering ties.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from moderation.context import RULES, Span, suppressed_by
from moderation.context_cues import NOT_ALONE
from moderation.corpus import finding_label
from moderation.features import Analysis, analyse
from moderation.frames import ADDRESSEE, decisive
from moderation.lexicon import load_lexicon
from moderation.model import Model, Scores, get_model
from moderation.normalize import Folded, fold
from moderation.overlay import EMPTY, Overlay, current_overlay, layered
from moderation.patterns import CompiledPattern, compile_pattern, iter_matches, trie_regex
from moderation.personal_data import find_personal_data
from moderation.spans import DisjointSpans
from moderation.types import CATEGORIES, LANGUAGES, Entry, Finding

_CATEGORY_ORDER = {c: i for i, c in enumerate(CATEGORIES)}
_REACH = 160  # characters scanned on each side of an anchor
_WORD_CACHE_LIMIT = 50_000
# A written word that holds no literal of any rule (most words): one shared entry.
_NO_LITERALS: tuple[tuple[tuple[int, str], ...], frozenset[str]] = ((), frozenset())
# Which shared explanation a frame or model finding carries, by (category, about).
_EXPLANATION_KEY = {
    ("crisis", ""): "crisis",
    ("sourcing", ""): "sourcing",
    ("cold_turkey_advice", "others"): "cold_turkey",
    ("cold_turkey_advice", "self"): "cold_turkey_self",
    ("stigma", ""): "contempt",
    ("personal_data", ""): "",
}
_SEVERITY = {"crisis": "high", "sourcing": "high", "personal_data": "high"}
# Cues of danger: with none of them, no crisis frame and the poster announcing their own abrupt
# stop ("I've not taken anything since last night", "j'ai tout balancé dans les toilettes ce soir"),
# the learned layer's crisis score reads the stop, not a crisis: the poster gets the kind
# notice on tapering instead of the help lines.
RISK_CUES = frozenset({"DEATH", "DESPAIR", "BURDEN", "FAREWELL", "ABSENCE", "STOCK", "SELFHARM", "EDGE", "JUMP",
                       "LETTER", "AFFAIRS", "GIVEAWAY", "NONEED", "FOREVER", "CALLOUT", "NOBLAME", "MISSING",
                       "CHECKON"})
# The context rules a learned-layer finding must pass too, read on its sentence: what rules a
# lexicon phrase out (an offer the poster reported to the moderators, a post that warns against
# buying, a parent's worry about a child's pills, a past crisis told as recovery, someone else's
# words retold) rules the model's reading of the same sentence out. The sentence-wide "warning"
# and "pharmacy_return" rules are left out: on the corpus they ruled out true offers ("jamais eu
# de souci", "plutôt que de les ramener à la pharmacie") and no false one.
# Context rules that drop a lexicon phrase for lack of evidence around it ("DM me" with nothing on
# offer nearby), not because the words are ruled out: they leave the category to the learned layer.
# "needs_medication" stays a veto for offers: an offer with no medication anywhere near is about
# something else ("vélo à vendre, contactez-moi en mp"); for a label ("zwakkelingen" far from any
# medication word) it only says the phrase alone is too little.
ABSENCE_RULES = frozenset({"needs_advice", "needs_supply"})
# Context rules about the matched words alone (a question someone asked the poster, a quotation, a
# negation): they rule out the learned layer's reading of that sentence, not of the whole post. The
# others (a warning, pills brought back, a recovery told) speak for the post.
LOCAL_RULES = frozenset({"asked", "quoted", "negated", "negated_label", "negated_clause", "question", "clock_time",
                         "not_literal", "addressed"})
MODEL_CONTEXT: dict[str, tuple[str, ...]] = {
    "sourcing": ("reported_offer", "warned_post", "third_party"),
    "crisis": ("recovered", "others_words", "symptom_talk"),
}
# Labels of the learned layer, as (category, about).
_LABEL_FINDING = {
    "crisis": ("crisis", ""),
    "sourcing": ("sourcing", ""),
    "cold_turkey_advice": ("cold_turkey_advice", "others"),
    "cold_turkey_self": ("cold_turkey_advice", "self"),
    "stigma": ("stigma", ""),
    "personal_data": ("personal_data", ""),
}


@dataclass(frozen=True, slots=True)
class Rule:
    entry: Entry
    pattern: CompiledPattern
    also: frozenset[str] | None = None  # the pattern's second literals, as the scan finds them


_RUN = re.compile(r"[^\W\d_]+|\d+")
_WORD_REST = re.compile(r"\w*")  # the rest of a word (letters, digits, "_") from a position


def _scannable(literal: str) -> str:
    """The part of a literal the word scan can find: "z-drug" is looked for as "drug".

    A post's words (tokens.py) are runs of letters or of digits, and every literal
    found inside one of them lies in a single word; a literal that spans a hyphen or
    a comma is replaced by its longest run, which must occur wherever it does.
    """
    runs = _RUN.findall(literal)
    return literal if runs == [literal] else max(runs, key=len, default=literal)


class Engine:
    def __init__(self, langs: Sequence[str], overlay: Overlay = EMPTY) -> None:
        self.langs = tuple(langs)
        self.overlay = overlay
        self.always: list[Rule] = []
        self.by_anchor: dict[str, list[Rule]] = {}
        for lang in self.langs:
            lexicon = layered(load_lexicon(lang), overlay)
            for entry in lexicon.entries:
                for source in entry.patterns:
                    pattern = compile_pattern(source, lexicon.macros)
                    also = None if pattern.also is None else frozenset(map(_scannable, pattern.also))
                    rule = Rule(entry, pattern, also)
                    if pattern.anchors is None:
                        self.always.append(rule)
                    else:
                        for anchor in {_scannable(a) for a in pattern.anchors}:
                            self.by_anchor.setdefault(anchor, []).append(rule)
        anchors = sorted(self.by_anchor)
        # A rule's second literal ("also") is looked for in the same pass: a rule whose
        # second literal is absent from the post cannot match and is not run.
        seconds = {a for rules in self.by_anchor.values() for r in rules for a in r.also or ()}
        words = sorted(set(anchors) | seconds)
        # Lookahead: find the longest literal starting at EVERY position, overlaps included.
        self._anchor_rx = re.compile("(?=(" + trie_regex(words) + "))")
        # Per written word: the (offset, longest literal) that wake rules, and the literals present.
        self._word_literals: dict[str, tuple[tuple[tuple[int, str], ...], frozenset[str]]] = {}
        # tokens.tokenize_words() leaves out one-letter words: a one-letter literal needs the full scan.
        self._word_scan = min(map(len, words), default=2) >= 2
        # A literal found at a position implies all literals that are its prefixes: precompute,
        # for each longest literal, every rule those anchors wake and every literal present
        # (the hot loop stays a lookup).
        self._rules_for: dict[str, tuple[Rule, ...]] = {}
        self._present_for: dict[str, frozenset[str]] = {}
        for longest in words:
            woken: dict[int, Rule] = {}
            for anchor in anchors:
                if longest.startswith(anchor):
                    woken.update((id(rule), rule) for rule in self.by_anchor[anchor])
            self._rules_for[longest] = tuple(woken.values())
            self._present_for[longest] = frozenset(w for w in words if longest.startswith(w))
        # phonenumbers, stdnum and the first names load their data lazily: pay that once
        # here, not on the first member's post that holds a number or a name.
        find_personal_data("0470 12 34 56, BE71 0961 2345 6769, 85.07.30-033.28, Sofie Lambrecht")

    def _literals(self, plain: str, words: Sequence[tuple[int, str]] | None
                  ) -> tuple[dict[str, list[int]], set[str]]:
        """Where each longest literal that wakes a rule starts in the folded post, and every
        literal present (anchors and second literals, with the literals they start with).

        With the post's written words (``tokens.tokenize_words``), each distinct word is
        scanned once per process and the post costs a lookup per word; without them,
        every position of the post is scanned. Literals that wake no rule (second
        literals such as "en", "de") only count as present: their positions are not kept.
        """
        found: dict[str, list[int]] = {}
        present: set[str] = set()
        rules_for, present_for = self._rules_for, self._present_for
        if words is None or not self._word_scan:
            for m in self._anchor_rx.finditer(plain):
                longest = m.group(1)
                if longest:
                    present |= present_for[longest]
                    if rules_for[longest]:
                        found.setdefault(longest, []).append(m.start())
            return found, present
        cache = self._word_literals
        if len(cache) > _WORD_CACHE_LIMIT:
            cache.clear()  # bounded memory on a long-running worker
        anchor_rx = self._anchor_rx
        cached = list(map(cache.get, [word for _, word in words]))
        if None in cached:  # words this process has not scanned yet
            for k, entry in enumerate(cached):
                if entry is None:
                    word = words[k][1]
                    literals = [(m.start(), m.group(1)) for m in anchor_rx.finditer(word) if m.group(1)]
                    hits = tuple((offset, longest) for offset, longest in literals if rules_for[longest])
                    word_present = frozenset().union(*(present_for[longest] for _, longest in literals))
                    cached[k] = cache[word] = (hits, word_present) if literals else _NO_LITERALS
        entries = cast("list[tuple[tuple[tuple[int, str], ...], frozenset[str]]]", cached)
        seen: set[str] = set()
        # Most words hold no literal: they are skipped by identity.
        for k in [k for k, entry in enumerate(entries) if entry is not _NO_LITERALS]:
            hits, word_present = entries[k]
            start, word = words[k]
            for offset, longest in hits:
                found.setdefault(longest, []).append(start + offset)
            if word_present and word not in seen:
                seen.add(word)
                present |= word_present
        return found, present

    def candidate_rules(self, plain: str, words: Sequence[tuple[int, str]] | None = None
                        ) -> dict[int, tuple[Rule, list[int]]]:
        """The rules that may match, each with the positions of its anchors (empty: scan all).

        ``words``: the post's written words, when the caller has read them (``_literals``).
        """
        found, present = self._literals(plain, words)
        rules: dict[int, tuple[Rule, list[int]]] = {id(r): (r, []) for r in self.always}
        for longest, positions in found.items():
            for rule in self._rules_for[longest]:
                second = rule.also
                if second is not None and second.isdisjoint(present):
                    continue
                rules.setdefault(id(rule), (rule, []))[1].extend(positions)
        return rules

    @staticmethod
    def windows(view: str, positions: list[int]) -> list[tuple[int, int]]:
        """Merged slices of the text around anchor positions, cut at word boundaries.

        A pattern spans a few words around its anchor, so scanning ±_REACH
        characters finds the same matches as scanning the whole post, faster.
        """
        n = len(view)
        if not positions:
            return [(0, n)]
        spans: list[tuple[int, int]] = []
        rest_of_word = _WORD_REST.match
        for pos in sorted(positions):
            lo = pos - _REACH if pos > _REACH else 0
            hi = pos + _REACH
            # endpos cuts the string: never end a window inside a word
            hi = n if hi >= n else rest_of_word(view, hi).end()  # type: ignore[union-attr]  # \w* always matches
            if spans and lo <= spans[-1][1]:
                first, last = spans[-1]
                spans[-1] = (first, hi if hi > last else last)
            else:
                spans.append((lo, hi))
        return spans

    def check(self, text: str, lang: str, *, use_model: bool = True) -> list[Finding]:
        """Lexicon rules, frames and personal data; then the model where no rule found its label."""
        folded = fold(text)
        analysis = analyse(folded.plain, lang)
        vetoed: set[tuple[str, int, int]] = set()
        findings = self.rule_findings(text, folded, analysis, lang, vetoed)
        model = get_model() if use_model else None
        if model is not None:
            findings.extend(self.model_findings(model, text, folded, analysis, lang, findings, vetoed,
                                                _once(folded.plain, analysis, lang)))
        return resolve_overlaps(findings, lang)

    def lexicon_findings(self, text: str, folded: Folded, vetoed_spans: set[tuple[str, int, int]] | None = None,
                         words: Sequence[tuple[int, str]] | None = None) -> list[Finding]:
        """Lexicon matches that pass their context rules; the (category, start, end) of phrases a
        context rule ruled out go into ``vetoed_spans``. ``words``: the post's written words, when the
        caller has them."""
        plain = folded.plain
        raw: list[Finding] = []
        # Spans a context rule ruled out, per category: a shorter match inside
        # one ("verslaafde" inside a quoted "'ex-verslaafde'") is ruled out too.
        vetoed: list[tuple[str, int, int]] = []
        # Phrases dropped for what their context lacks ("DM me" with nothing on offer nearby): the
        # rule found too little, it did not rule the words out, so the model may still read them.
        lacking: list[tuple[str, int, int]] = []
        ruled_out: list[tuple[str, int, int]] = []
        # Labels the poster gave themselves: "je me suis dit 'tu ressembles à une vieille junkie' ...
        # alors la vieille junkie, elle mérite du respect" -- the same word again is still about them.
        own_labels: set[str] = set()
        windows: dict[tuple[int, ...], list[tuple[int, int]]] = {}
        # The context rules' answer for a span: the same words are often matched again (another pattern
        # of the entry, the same entry in another language) and ask the same rules (pure functions of the
        # post, the span and the rules).
        reasons: dict[tuple[int, int, tuple[str, ...]], str | None] = {}
        for rule, positions in self.candidate_rules(plain, words).values():
            view = folded.lower if rule.pattern.accent_sensitive else plain
            entry = rule.entry
            key = tuple(positions)
            if key not in windows:
                # Both views have the same length and word boundaries.
                windows[key] = self.windows(plain, positions)
            matches = (m for lo, hi in windows[key] for m in iter_matches(rule.pattern.regex, view, lo, hi))
            for m in matches:
                why = _reason(reasons, plain, m.start(), m.end(), entry.context)
                if why is not None:
                    if why not in ABSENCE_RULES and not (why == "needs_medication" and entry.category == "stigma"):
                        vetoed.append((entry.category, m.start(), m.end()))
                        # What the rule rules out for the learned layer: these words only, or the post.
                        ruled_out.append((entry.category, m.start(), m.end()) if why in LOCAL_RULES
                                         else (entry.category, 0, len(plain)))
                    else:
                        lacking.append((entry.category, m.start(), m.end()))
                    if entry.category == "stigma" and (
                        why == "self_description"
                        or _reason(reasons, plain, m.start(), m.end(), _SELF_DESCRIPTION) is not None
                    ):
                        own_labels.add(plain[m.start():m.end()])
                    continue
                start, end = folded.span(m.start(), m.end())
                raw.append(
                    Finding(
                        category=entry.category,
                        start=start,
                        end=end,
                        match=text[start:end],
                        suggestions=entry.suggestions,
                        rule=entry.id,
                        severity=entry.severity,
                        explanation=entry.explanation,
                        lang=entry.lang,
                        about="others" if entry.category == "cold_turkey_advice" else "",
                    )
                )
        if own_labels:
            raw = [f for f in raw if f.category != "stigma" or fold(f.match).plain not in own_labels]
        if vetoed or lacking:
            raw = [f for f in raw if not _inside_vetoed(f, vetoed + lacking, folded)]
            if vetoed_spans is not None:
                vetoed_spans.update(ruled_out)
        return raw

    def rule_findings(self, text: str, folded: Folded, analysis: Analysis, lang: str,
                      vetoed: set[tuple[str, int, int]] | None = None) -> list[Finding]:
        findings = self.lexicon_findings(text, folded, vetoed, analysis.words)
        frame_findings = self.frame_findings(text, folded, analysis, lang)
        advice = [f for f in findings if f.category == "cold_turkey_advice"]
        if advice and not any(f.about == "others" for f in frame_findings):
            addressed = any(c.cls in ADDRESSEE and not c.negated for c in analysis.cues) or _imperative_led(
                advice, folded, analysis)
            if not addressed:
                # A lexicon phrase ("cold turkey", "d'un coup") in a post that speaks of the
                # poster's own stop and to nobody else: an announcement, not advice.
                own = any(f.about == "self" for f in frame_findings)
                mine = {id(f) for f in advice if own or _first_person_near(f, folded, analysis)}
                findings = [_replace_about(f, "self", self._explanation(lang, f.category, "self"))
                            if id(f) in mine else f for f in findings]
        findings.extend(frame_findings)
        findings.extend(find_personal_data(text))
        return findings

    def _explanation(self, lang: str, category: str, about: str) -> str:
        key = _EXPLANATION_KEY.get((category, about), category)
        return load_lexicon(lang).explanations.get(key, "")

    def _suggestions(self, lang: str, category: str, about: str) -> tuple[str, ...]:
        if category != "cold_turkey_advice" or about != "others":
            return ()
        entries = load_lexicon(lang).by_category(category)
        return entries[0].suggestions if entries else ()

    def frame_findings(self, text: str, folded: Folded, analysis: Analysis, lang: str) -> list[Finding]:
        out = []
        tokens = analysis.tokens
        for hit in decisive(analysis.hits):
            category, about = hit.frame.category, hit.about
            start, end = folded.span(tokens[hit.first].start, tokens[hit.last].end)
            out.append(self._finding(text, lang, category, about, start, end, rule=f"frame.{hit.frame.id}"))
        return out

    def _finding(self, text: str, lang: str, category: str, about: str, start: int, end: int, *,
                 rule: str, **extra: object) -> Finding:
        """A frame's or the model's finding: the span, the wording help and the rule that found it."""
        return Finding(
            category=category, start=start, end=end, match=text[start:end],
            suggestions=self._suggestions(lang, category, about), rule=rule,
            severity=_SEVERITY.get(category, "medium"), explanation=self._explanation(lang, category, about),
            lang=lang, about=about, **extra,  # type: ignore[arg-type]
        )

    def model_findings(self, model: Model, text: str, folded: Folded, analysis: Analysis, lang: str,
                       found: list[Finding], vetoed: set[tuple[str, int, int]] | None = None,
                       once: tuple[str, Analysis] | None = None) -> list[Finding]:
        """One finding per label the model is sure enough of and no rule found, on its weightiest sentence.

        Where a lexicon entry matched and a context rule ruled it out (a quoted
        or negated phrase, a warning, leftovers brought back to the pharmacy),
        the rule has looked at those very words: the model does not overrule it.
        """
        # A post that repeats itself is scored as if each sentence were written once (``_once``).
        scored_plain, scored = once if once else (folded.plain, analysis)
        scores = model.score(scored, lang)
        have = {finding_label(f.category, f.about) for f in found}
        own_stop = "cold_turkey_self" in have or (
            "cold_turkey_self" in scores.probability
            and scores.probability["cold_turkey_self"] >= model.threshold("cold_turkey_self"))
        out = []
        for label, probability in scores.probability.items():
            if label in have or probability < model.threshold(label) or label not in _LABEL_FINDING:
                continue
            category, about = _LABEL_FINDING[label]
            if vetoed and _vetoed_here(vetoed, category, scored, scores.sentence[label], whole_post=once is not None):
                continue
            if category == "cold_turkey_advice" and _abrupt_only_negated(analysis):
                # "Stop zeker niet in één keer", "n'arrête pas d'un coup": the post speaks of an
                # abrupt stop only to rule it out, as the rules have read it.
                continue
            if not model_gate_open(label, analysis):
                # No label word (the lexicon would have decided) and no word of contempt: "a forum
                # for people who take benzodiazepines" describes people, it does not label them.
                continue
            if category in MODEL_CONTEXT and _ruled_out(scored_plain, scored, scores.sentence[label],
                                                        MODEL_CONTEXT[category]):
                continue
            if label == "crisis" and own_stop and not _at_risk(analysis):
                continue  # an own abrupt stop, told without a word of danger (RISK_CUES)
            if label == "crisis" and _comfort_only(analysis, scored_plain):
                continue  # comfort found ("dat ik niet alleen ben"), told without a word of danger
            if label == "crisis" and _figurative_only(analysis):
                continue  # "I'll die lol", "morte de fatigue": the only word of death is a figure of speech
            if label == "cold_turkey_self" and "crisis" in have:
                # A post in crisis needs the help lines, not a word on tapering that calls it courage.
                continue
            if label == "cold_turkey_self" and _crisis_estimate(model, scores) and _at_risk(analysis):
                continue
            if once:
                start, end = _first_occurrence(folded, *once, scores.sentence[label])
            else:
                start, end = _sentence_span(text, folded, analysis, scores.sentence[label])
            out.append(self._finding(text, lang, category, about, start, end, rule=f"model.{label}",
                                     source="model", score=probability))
        return out


_SELF_DESCRIPTION = ("self_description",)
_UNSEEN = object()


def _reason(reasons: dict[tuple[int, int, tuple[str, ...]], str | None], plain: str, start: int, end: int,
            rules: tuple[str, ...]) -> str | None:
    """``suppressed_by`` once per span and rules in a post (``reasons``: the answers so far)."""
    key = (start, end, rules)
    why = reasons.get(key, _UNSEEN)
    if why is _UNSEEN:
        why = reasons[key] = suppressed_by(plain, start, end, rules)
    return why  # type: ignore[return-value]  # _UNSEEN is never returned


_REPEATED_RUN = re.compile(r"(?<![^\W_])(\w.{0,200}?\W+)\1{2,}", re.S)  # a word or phrase three times and more in a row
_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]*")
_MIN_WORDS_REPEATED = 40
_DISTINCT_SHARE = 0.25


def _once(plain: str, analysis: Analysis, lang: str) -> tuple[str, Analysis] | None:
    """The post with each sentence kept once and runs of one word cut to two, when it repeats itself.

    Ten copies of a story, or one word typed 600 times, add up the same evidence again and again
    and push the learned layer's score to either end. None for an ordinary post (the usual case).
    """
    norms = analysis.norms
    if len(norms) < _MIN_WORDS_REPEATED or len(set(norms)) >= _DISTINCT_SHARE * len(norms):
        return None
    seen: set[str] = set()
    kept = []
    for m in _SENTENCE.finditer(plain):
        sentence = _REPEATED_RUN.sub(r"\1", m.group() + " ")
        key = " ".join(sentence.split())
        if key and key not in seen:
            seen.add(key)
            kept.append(sentence)
    once = " ".join(kept)
    return once, analyse(once, lang)


def _first_occurrence(folded: Folded, once: str, analysis: Analysis, sentence: int) -> tuple[int, int]:
    """Where a sentence of the once-only text first stands in the post."""
    tokens = [t for t in analysis.tokens if t.sent == sentence] or analysis.tokens
    if not tokens:
        return folded.span(0, len(folded.plain))
    piece = once[tokens[0].start : tokens[-1].end]
    at = folded.plain.find(piece)
    if at < 0:
        return folded.span(0, len(folded.plain))
    return folded.span(at, at + len(piece))


def _ruled_out(plain: str, analysis: Analysis, sentence: int, rules: tuple[str, ...]) -> bool:
    """A context rule rules the sentence out; read as if the phrase were the whole sentence's end."""
    tokens = [t for t in analysis.tokens if t.sent == sentence]
    if not tokens:
        return False
    s0, s1 = tokens[0].start, tokens[-1].end
    span = Span(plain, s1, s1, s0, s1)
    return any(RULES[name](span) for name in rules)


def _at_risk(analysis: Analysis) -> bool:
    """A cue of danger in the post, or any crisis frame (at any weight)."""
    if any(hit.frame.category == "crisis" for hit in analysis.hits):
        return True
    return any(not cue.negated and cue.cls in RISK_CUES for cue in analysis.cues)


# Words that keep a post worth a second look even when it says "I'm not alone": the pills
# themselves, counted, taken or all of them.
_NOT_COMFORT_ONLY = frozenset({"MED", "COUNT", "STOCK", "INGEST", "TOTAL", "OVERDOSE_AMOUNT"})


def _comfort_only(analysis: Analysis, plain: str) -> bool:
    """A reply that finds comfort ("het helpt om te lezen dat ik niet alleen ben"), with no cue of
    danger (RISK_CUES) and no word of the pills: the learned layer's crisis reading is not kept."""
    if NOT_ALONE.search(plain) is None or _at_risk(analysis):
        return False
    return not any(cue.cls in _NOT_COMFORT_ONLY and not cue.negated for cue in analysis.cues)


# How close (in words) a figure of speech must be to a word of death to take it ("I'll die lol",
# "mort de rire", "dying for sleep").
_FIGURE_REACH = 6


def _figurative_only(analysis: Analysis) -> bool:
    """Every word of death in the post stands in a figure of speech (FIGURATIVE within a few words:
    "one more hill repeat and I'll die lol", "je vais mourir d'ennui"), with no other cue of danger
    and no crisis frame: the learned layer's crisis reading is not kept. On the corpus this holds
    for 43 posts, one of them in crisis, which its rules find (a son giving his things away)."""
    deaths = [cue for cue in analysis.cues if cue.cls == "DEATH" and not cue.negated]
    if not deaths or any(hit.frame.category == "crisis" for hit in analysis.hits):
        return False
    if any(not cue.negated and cue.cls in RISK_CUES and cue.cls != "DEATH" for cue in analysis.cues):
        return False
    figures = [cue for cue in analysis.cues if cue.cls == "FIGURATIVE"]
    return all(any(abs(f.first - d.first) <= _FIGURE_REACH or abs(f.last - d.last) <= _FIGURE_REACH
                   for f in figures) for d in deaths)


def model_gate_open(label: str, analysis: Analysis) -> bool:
    """Whether the learned layer may find ``label`` in this post at all.

    Stigma needs a word of contempt or a group set apart ("these people", "zulke mensen") in the
    post, not negated ("ze zijn niet zwak" is no contempt). Training chooses the stigma threshold
    on the posts this gate lets through, as the engine reads them (``train.choose_thresholds``).
    """
    if label != "stigma":
        return True
    return any(cue.cls in ("CONTEMPT", "SCORN", "OTHERING") and not cue.negated for cue in analysis.cues)


def _abrupt_only_negated(analysis: Analysis) -> bool:
    """A warning, abruptness named only under a negation, and nothing thrown away."""
    negated = warned = False
    for cue in analysis.cues:
        if cue.cls == "ABRUPT":
            if not cue.negated:
                return False
            negated = True
        elif cue.cls in ("THROW", "BIN") and not cue.negated:
            return False
        elif cue.cls == "WARN" and not cue.negated:
            warned = True
    return negated and warned


def _first_person_near(f: Finding, folded: Folded, analysis: Analysis) -> bool:
    """The poster speaks of themselves in the finding's sentence or the one before or after."""
    tokens = analysis.tokens
    sents = {t.sent for t in tokens if _overlaps(folded.span(t.start, t.end), (f.start, f.end))}
    if not sents:
        return False
    near = set(range(min(sents) - 1, max(sents) + 2))
    return any(c.cls in ("FIRST", "WE") and not c.negated and tokens[c.first].sent in near for c in analysis.cues)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _crisis_estimate(model: Model, scores: Scores) -> bool:
    return "crisis" in scores.probability and scores.probability["crisis"] >= model.threshold("crisis")


def _sentence_span(text: str, folded: Folded, analysis: Analysis, sentence: int) -> tuple[int, int]:
    tokens = [t for t in analysis.tokens if t.sent == sentence] or analysis.tokens
    if not tokens:
        stripped = text.strip()
        lo = text.find(stripped) if stripped else 0
        return lo, lo + len(stripped)
    return folded.span(tokens[0].start, tokens[-1].end)


def _imperative_led(advice: list[Finding], folded: Folded, analysis: Analysis) -> bool:
    """An advice phrase that opens with an imperative ("Arrête tout d'un coup, c'est ce que j'ai
    fait"): it speaks to the reader even when the poster then tells their own story."""
    starts = {f.start for f in advice}
    tokens = analysis.tokens
    return any(c.cls == "IMPER" and not c.negated
               and (c.first == 0 or tokens[c.first - 1].sent != tokens[c.first].sent)  # opens its sentence
               and folded.span(tokens[c.first].start, tokens[c.first].end)[0] in starts
               for c in analysis.cues)


def _replace_about(f: Finding, about: str, explanation: str) -> Finding:
    return Finding(f.category, f.start, f.end, f.match, f.suggestions, f.rule, f.severity,
                   explanation or f.explanation, f.lang, f.source, f.score, about)


def _vetoed_here(vetoed: set[tuple[str, int, int]], category: str, analysis: Analysis, sentence: int, *,
                 whole_post: bool) -> bool:
    """A context rule ruled out a phrase of this category in the sentence the model weighs most.

    "Le psychiatre m'a demandé si j'avais des idées noires ... Mais j'ai compté ce qui reste dans le
    tiroir": the question rules its own words out, not the counting two sentences later.
    """
    spans = [(start, end) for cat, start, end in vetoed if cat == category]
    if not spans:
        return False
    words = [t for t in analysis.tokens if t.sent == sentence]
    if whole_post or not words:  # a post scored once per repeated sentence: no shared positions
        return True
    lo, hi = words[0].start, words[-1].end
    return any(start < hi and lo < end for start, end in spans)


def _inside_vetoed(f: Finding, vetoed: list[tuple[str, int, int]], folded: Folded) -> bool:
    for category, vs, ve in vetoed:
        start, end = folded.span(vs, ve)
        if (
            category == f.category
            and start <= f.start
            and f.end <= end
            and (start, end)
            != (
                f.start,
                f.end,
            )
        ):
            return True
    return False


def resolve_overlaps(findings: list[Finding], lang: str) -> list[Finding]:
    """Keep one finding per overlapping span and category (and audience): the longest, then the post's language."""

    def lang_rank(f: Finding) -> int:
        return 0 if f.lang in ("", lang) else 1 + LANGUAGES.index(f.lang)

    kept: list[Finding] = []
    spans: dict[tuple[str, str], DisjointSpans] = {}
    for f in sorted(findings, key=lambda f: (f.start - f.end, lang_rank(f), f.start, f.rule)):
        if spans.setdefault((f.category, f.about), DisjointSpans()).add(f.start, f.end):
            kept.append(f)
    kept.sort(key=lambda f: (f.start, _CATEGORY_ORDER[f.category], f.end, f.rule))
    return kept


_engines: dict[tuple[tuple[str, ...], str], Engine] = {}
_engines_lock = threading.Lock()
_KEEP = 4


def get_engine(langs: tuple[str, ...] = LANGUAGES, overlay: Overlay | None = None) -> Engine:
    """The engine for these lexicons and an overlay (default: the installed one), compiled once per version."""
    overlay = current_overlay() if overlay is None else overlay
    key = (tuple(langs), overlay.version)
    engine = _engines.get(key)
    if engine is None:
        engine = Engine(key[0], overlay)
        with _engines_lock:
            while len(_engines) >= _KEEP:
                _engines.pop(next(iter(_engines)))  # the oldest: an earlier overlay or language set
            _engines[key] = engine
    return engine
