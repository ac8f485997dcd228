"""The lexicons' pattern mini-syntax, compiled to regular expressions.

See moderation/README.md for the syntax. Besides the regex, compilation
extracts *anchors*: literal strings of which at least one must occur in the
folded text for the pattern to possibly match. The engine looks for all
anchors in one pass and only runs the patterns whose anchors are present;
that keeps a check on a long post well under a millisecond.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from moderation.normalize import fold_plain

# A space in a pattern: one or more non-word characters (space, hyphen,
# punctuation, line break), so "je veux mourir" also matches "je veux... mourir".
SEP = r"[\W_]+"
# "~" joins compound parts that may be written together, hyphenated or apart.
OPT_SEP = r"[\s\-_]?"
# An apostrophe may be typed, replaced by a space, or dropped ("j'ai", "j ai", "jai").
APOS = r"(?:'\s?|\s)?"
WORD_END = r"(?![^\W_])"
_MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_GAP = re.compile(r"<(\d)>")
_MIN_ANCHOR = 3  # preferred anchors are at least this long ...
_MIN_LITERAL = 2  # ... but any literal of two letters or more beats running a pattern on every post
# A gap never swallows a negation: "je veux <2> mourir" must not match
# "je veux pas mourir".
_GAP_WORD = r"(?:(?!(?:pas|plus|niet|nie|not|never|jamais|nooit|geen|no)(?![^\W_]))\w+" + SEP + ")"


class PatternError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    source: str
    regex: re.Pattern[str]
    anchors: frozenset[str] | None  # None: always run
    accent_sensitive: bool
    # A second, independent set of literals the pattern also needs ("diminution" ... "inutile"):
    # a post holding none of them cannot match, whatever the anchors say. None: not known.
    also: frozenset[str] | None = None


def expand_macros(pattern: str, macros: dict[str, str], depth: int = 0) -> str:
    if depth > 8:
        raise PatternError(f"macro recursion too deep in {pattern!r}")

    def replace(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise PatternError(f"unknown macro {{{name}}} in {pattern!r}")
        return "(" + expand_macros(macros[name], macros, depth + 1) + ")"

    return _MACRO.sub(replace, pattern)


# Frequent words make poor anchors: every post holds them, so their patterns
# would run on every post. A rarer literal of the same pattern is preferred.
_COMMON = frozenset(
    # French, Dutch, English
    "je tu il on les des une est pas que qui mon mes ton pour avec dans plus tout "  # noqa: SIM905
    "ik het een die dat niet van met wat zijn heb ben wil ook maar "
    "you the and for not was have want can".split()
)


def _anchor_score(cand: frozenset[str]) -> float:
    return min(len(a) - (4 if a in _COMMON else 0) for a in cand) - 0.1 * len(cand)


def _best(cands: list[frozenset[str]]) -> frozenset[str] | None:
    usable = [c for c in cands if min(map(len, c)) >= _MIN_ANCHOR]
    return max(usable or cands, key=_anchor_score, default=None)


def iter_matches(regex: re.Pattern[str], text: str, lo: int, hi: int) -> Iterator[re.Match[str]]:
    """Matches of a compiled pattern in text[lo:hi] that start at a word boundary."""
    pos = lo
    while pos < hi:
        m = regex.search(text, pos, hi)
        if m is None:
            return
        start = m.start()
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            pos = start + 1  # inside a word ("tox" in "detox"): look further
            continue
        if m.end() > start:
            yield m
        pos = max(m.end(), start + 1)


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.depth = 0
        self.second: list[frozenset[str] | None] = []  # per top-level alternative

    def alternation(self) -> tuple[str, frozenset[str] | None]:
        alts = [self.sequence()]
        while self.i < len(self.s) and self.s[self.i] == "|":
            self.i += 1
            alts.append(self.sequence())
        regex = "|".join(rx for rx, _ in alts)
        if any(anc is None for _, anc in alts):
            return regex, None
        return regex, frozenset().union(*(anc for _, anc in alts if anc is not None))

    def sequence(self) -> tuple[str, frozenset[str] | None]:
        parts: list[str] = []
        cands: list[frozenset[str]] = []
        run: list[str] = []

        def flush(keep_last_optional: bool = False) -> None:
            if keep_last_optional and run:
                last = run.pop()
                flush()
                parts.append(re.escape(last) + "?")
                return
            if run:
                literal = "".join(run)
                parts.append(re.escape(literal))
                cands.append(frozenset({literal}))
                run.clear()

        s = self.s
        while self.i < len(s) and s[self.i] not in "|)":
            ch = s[self.i]
            self.i += 1
            if ch == "(":
                flush()
                lookaround = s.startswith("?", self.i)
                if lookaround:
                    # (?! ... ) and friends pass through untouched.
                    end = self._closing(self.i - 1)
                    parts.append(s[self.i - 1 : end + 1])
                    self.i = end + 1
                    continue
                self.depth += 1
                rx, anc = self.alternation()
                self.depth -= 1
                if self.i >= len(s) or s[self.i] != ")":
                    raise PatternError(f"unbalanced parenthesis in {s!r}")
                self.i += 1
                optional = self._take_quantifier()
                parts.append(f"(?:{rx}){optional}")
                if not optional and anc:
                    cands.append(anc)
            elif ch == " ":
                flush()
                gap = _GAP.match(s, self.i)
                if gap:
                    # "a <2> b": up to two arbitrary words between a and b.
                    self.i = gap.end()
                    if s.startswith(" ", self.i):
                        self.i += 1
                    parts.append(SEP + _GAP_WORD + "{0," + gap.group(1) + "}")
                else:
                    parts.append(SEP)
            elif ch == "~":
                flush()
                parts.append(OPT_SEP)
            elif ch == "*":
                flush()
                parts.append(r"\w*")
            elif ch == "'":
                flush()
                parts.append(APOS)
            elif ch == "[":
                flush()
                end = s.index("]", self.i)
                parts.append(s[self.i - 1 : end + 1] + self._take_quantifier(end + 1))
            elif ch == "+" and (run or parts):
                if run:
                    last = run.pop()
                    flush()
                    parts.append(re.escape(last) + "+")
                else:
                    # "\\d+", "[a-z]+": repeat the previous escape or class.
                    parts[-1] = f"(?:{parts[-1]})+"
            elif ch == "?":
                if run:
                    flush(keep_last_optional=True)
                elif parts:
                    # "a ?b": the separator (or wildcard) before b is optional.
                    parts[-1] = f"(?:{parts[-1]})?"
                else:
                    raise PatternError(f"nothing to make optional in {s!r}")
            elif ch == "\\":
                flush()
                parts.append(s[self.i - 1 : self.i + 1])
                self.i += 1
            else:
                run.append(ch)
        flush()
        best = _best(cands)
        if self.depth == 0:
            rest = [c for c in cands if c is not best and min(map(len, c)) >= _MIN_LITERAL]
            self.second.append(max(rest, key=_anchor_score) if rest else None)
        return "".join(parts), best

    def _take_quantifier(self, at: int | None = None) -> str:
        if at is not None:
            self.i = at
        if self.i < len(self.s) and self.s[self.i] == "?":
            self.i += 1
            return "?"
        return ""

    def _closing(self, start: int) -> int:
        depth = 0
        for j in range(start, len(self.s)):
            if self.s[j] == "(" and (j == 0 or self.s[j - 1] != "\\"):
                depth += 1
            elif self.s[j] == ")" and self.s[j - 1] != "\\":
                depth -= 1
                if depth == 0:
                    return j
        raise PatternError(f"unbalanced parenthesis in {self.s!r}")


def compile_pattern(source: str, macros: dict[str, str] | None = None) -> CompiledPattern:
    """Compile one lexicon pattern (mini-syntax, or raw regex after "re:")."""
    text = source.strip()
    accent_sensitive = text.startswith("=")
    if accent_sensitive:
        text = text[1:]
    also: frozenset[str] | None = None
    if text.startswith("re:"):
        body, anchors = text[3:], None
    else:
        expanded = expand_macros(text, macros or {})
        folded = expanded.casefold() if accent_sensitive else fold_plain(expanded)
        parser = _Parser(folded)
        body, anchors = parser.alternation()
        if parser.i != len(folded):
            raise PatternError(f"unbalanced parenthesis in {source!r}")
        if len(parser.second) == 1 and parser.second[0] is not None:
            also = frozenset(fold_plain(a) for a in parser.second[0])
    if anchors is not None:
        anchors = frozenset(fold_plain(a) for a in anchors)
        if min(map(len, anchors)) < _MIN_LITERAL:
            anchors = None
    try:
        # No leading word-boundary lookbehind: it would stop the regex engine
        # from skipping ahead to the pattern's first letters (about 6x slower).
        # iter_matches() checks the start boundary instead.
        regex = re.compile("(?:" + body + ")" + WORD_END)
    except re.error as exc:
        raise PatternError(f"invalid pattern {source!r}: {exc}") from exc
    if anchors is None or also is None or min(map(len, also)) < _MIN_LITERAL:
        also = None
    return CompiledPattern(source, regex, anchors, accent_sensitive, also)


def trie_regex(words: Iterable[str]) -> str:
    """One regex for many literals, shaped as a trie so the engine never backtracks far."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(ch) + render(child) for ch, child in sorted(node.items()) if ch]
        optional = "" in node
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if optional else body

    return render(trie)
