"""Frames: cue classes found together in a sentence window make a finding.

A phrase list matches how someone once wrote; a frame matches what is being
said. "Ce soir je prends toute la boîte", "tonight I'm taking all of them" and
"vanavond neem ik ze allemaal" share one frame: INGEST × TOTAL × MED, made
stronger by a time (SOON). See lexicons/frames.toml for the frames and
lexicons/cues.toml for the classes.
"""

from __future__ import annotations

import tomllib
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from moderation.cues import Cue, read_cues
from moderation.tokens import Token

FRAMES_FILE = Path(__file__).parent / "lexicons" / "frames.toml"
ABOUT = ("", "others", "self", "auto")
# Who a cold-turkey post speaks to (frames with about = "auto").
ADDRESSEE = frozenset({"SECOND", "ADVICE", "BODYKNOWS", "IMPERATIVE"})
# Not cue lists: QUESTION is set on sentences that end with "?"; IMPERATIVE where
# an imperative verb (IMPER) opens a sentence or a clause, or follows "just",
# "gewoon", "et", ... ("Stop met die rommel", "pas besoin, arrête et c'est tout").
QUESTION = "QUESTION"
IMPERATIVE = "IMPERATIVE"
# Quoted words are someone else's: not advice, not a label the poster uses. A
# quoted crisis sentence still counts (a relative quoting "dormir pour toujours").
_QUOTES_EXCUSE = frozenset({"cold_turkey_advice", "stigma"})
_LEADS = frozenset(
    "et puis alors donc bon allez franchement juste simplement frere mec svp stp "
    "en dan dus maar allee gewoon gewoonweg gasten mannekes "
    "and then so now just simply please mate bro dude".split()
)


class FrameError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Part:
    """Any of these classes; mode "pos" (not negated), "neg" (negated) or "any"."""

    classes: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A "none" group: rules a frame out when all of ``present`` and none of ``absent`` are found.

    Written "A+B" (both), "A+!B" (A, unless B: PHARMACY+!CLOSED, a pharmacy
    that is open).
    """

    present: frozenset[str]
    absent: frozenset[str] = frozenset()

    def holds(self, classes: set[str]) -> bool:
        return self.present <= classes and not self.absent & classes


def _exclusion(spec: str) -> Exclusion:
    names = spec.split("+")
    return Exclusion(frozenset(n for n in names if not n.startswith("!")),
                     frozenset(n[1:] for n in names if n.startswith("!")))


@dataclass(frozen=True, slots=True)
class Frame:
    id: str
    category: str
    parts: tuple[Part, ...]
    window: int
    weight: float
    about: str = ""
    span: int = 0
    boost: frozenset[str] = frozenset()
    boost_window: int = 0
    none: tuple[Exclusion, ...] = ()
    none_post: tuple[Exclusion, ...] = ()
    none_around: tuple[Exclusion, ...] = ()  # the window and two sentences on each side
    # Per part: the classes it takes when positive, and when negated (for a quick "not in this post").
    part_sets: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()

    def __post_init__(self) -> None:
        sets = tuple((frozenset(c for c, mode in part.classes if mode != "neg"),
                      frozenset(c for c, mode in part.classes if mode != "pos")) for part in self.parts)
        object.__setattr__(self, "part_sets", sets)


@dataclass(frozen=True, slots=True)
class Hit:
    frame: Frame
    first: int  # token indexes, inclusive
    last: int
    weight: float
    about: str = ""


def _part(spec: str) -> Part:
    classes = []
    for name in spec.split("|"):
        if name.endswith("-"):
            classes.append((name[:-1], "neg"))
        elif name.endswith("~"):
            classes.append((name[:-1], "any"))
        else:
            classes.append((name, "pos"))
    return Part(tuple(classes))


def _frame(raw: dict[str, object], known: set[str]) -> Frame:
    where = f"frame {raw.get('id', '?')}"
    try:
        parts = tuple(_part(str(p)) for p in raw["all"])  # type: ignore[attr-defined]
        frame = Frame(
            id=str(raw["id"]),
            category=str(raw["category"]),
            parts=parts,
            window=int(raw.get("window", 1)),  # type: ignore[call-overload]
            weight=float(raw.get("weight", 1.0)),  # type: ignore[arg-type]
            about=str(raw.get("about", "")),
            span=int(raw.get("span", 0)),  # type: ignore[call-overload]
            boost=frozenset(raw.get("boost", ())),  # type: ignore[call-overload]
            boost_window=int(raw.get("boost_window", 0)),  # type: ignore[call-overload]
            none=tuple(_exclusion(str(n)) for n in raw.get("none", ())),  # type: ignore[attr-defined]
            none_post=tuple(_exclusion(str(n)) for n in raw.get("none_post", ())),  # type: ignore[attr-defined]
            none_around=tuple(_exclusion(str(n)) for n in raw.get("none_around", ())),  # type: ignore[attr-defined]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise FrameError(f"{where}: {exc}") from exc
    used = {c for p in frame.parts for c, _ in p.classes} | set(frame.boost)
    used |= {c for group in frame.none + frame.none_post + frame.none_around for c in group.present | group.absent}
    unknown = used - known
    if unknown:
        raise FrameError(f"{where}: unknown cue classes {sorted(unknown)}")
    if frame.about not in ABOUT or (frame.about and frame.category != "cold_turkey_advice"):
        raise FrameError(f"{where}: about {frame.about!r} is for cold_turkey_advice frames only")
    return frame


@lru_cache(maxsize=1)
def load_frames(path: Path = FRAMES_FILE) -> tuple[Frame, ...]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    known = set(read_cues()) | {QUESTION, IMPERATIVE}
    frames = tuple(_frame(raw, known) for raw in data.get("frame", []))
    ids = [f.id for f in frames]
    if len(ids) != len(set(ids)):
        raise FrameError("duplicate frame ids")
    return frames


class Sentences:
    """Cues grouped by class and sentence: positive (not negated) and negated occurrences."""

    def __init__(self, tokens: list[Token], cues: list[Cue], n_sent: int, questions: frozenset[int],
                 clauses: frozenset[int]) -> None:
        self.n = n_sent
        # The positive classes of each sentence, and each class's cues with their sentence
        # (in the order of the post).
        self.in_sent: list[set[str]] = [set() for _ in range(n_sent)]
        self.pos: dict[str, list[tuple[int, Cue]]] = {}
        self.neg: dict[str, list[tuple[int, Cue]]] = {}
        self._sent_index: dict[tuple[str, str], list[int]] = {}
        for cue in cues:
            s = tokens[cue.first].sent
            if cue.negated:
                self.neg.setdefault(cue.cls, []).append((s, cue))
            else:
                self.pos.setdefault(cue.cls, []).append((s, cue))
                self.in_sent[s].add(cue.cls)
        for s in questions:
            self.in_sent[s].add(QUESTION)
        for _, cue in self.pos.get("IMPER", []):
            k = cue.first
            if k in clauses or tokens[k - 1].norm in _LEADS:
                s = tokens[k].sent
                self.pos.setdefault(IMPERATIVE, []).append((s, Cue(IMPERATIVE, k, k)))
                self.in_sent[s].add(IMPERATIVE)
        self.post_pos: set[str] = set(self.pos)
        self.post_neg: set[str] = set(self.neg)
        if questions:
            self.post_pos.add(QUESTION)

    def sentences_of(self, part: Part) -> set[int]:
        """The sentences holding any of a part's classes (in the part's mode)."""
        found: set[int] = set()
        for cls, mode in part.classes:
            if mode != "neg":
                found.update(s for s, _ in self.pos.get(cls, ()))
            if mode != "pos":
                found.update(s for s, _ in self.neg.get(cls, ()))
        return found

    def windows(self, frame: Frame) -> list[int]:
        """The first sentences of the windows where every part of the frame occurs, in order."""
        if frame.window == 0:
            return [0]
        width = frame.window
        first, *others = [self.sentences_of(part) for part in frame.parts]
        starts = {lo for s in first for lo in range(max(0, s - width + 1), s + 1)}
        return sorted(lo for lo in starts if all(any(lo <= s < lo + width for s in where) for where in others))

    def classes(self, lo: int, hi: int) -> set[str]:
        found: set[str] = set()
        for s in range(lo, hi):
            found.update(self.in_sent[s])
        return found

    def _between(self, mode: str, cls: str, lo: int, hi: int) -> list[tuple[int, Cue]]:
        """The class's (sentence, cue) pairs in sentences [lo, hi), in their order.

        The lists are in word order, so in sentence order: two bisections instead of a scan (a post
        with thousands of cues has thousands of windows, and scanning per window grew with the
        square of its length). A list out of sentence order is scanned as before.
        """
        items = (self.pos if mode == "pos" else self.neg).get(cls)
        if not items:
            return []
        key = (mode, cls)
        sents = self._sent_index.get(key)
        if sents is None:
            sents = [s for s, _ in items]
            if any(a > b for a, b in zip(sents, sents[1:], strict=False)):
                sents = []  # not in sentence order: scan
            self._sent_index[key] = sents
        if not sents:
            return [(s, cue) for s, cue in items if lo <= s < hi]
        return items[bisect_left(sents, lo) : bisect_left(sents, hi)]

    def occurrences(self, cls: str, mode: str, lo: int, hi: int) -> list[Cue]:
        """The class's cues in sentences [lo, hi): sentence by sentence, positive ones first."""
        pos = [(s, 0, cue) for s, cue in self._between("pos", cls, lo, hi)] if mode != "neg" else []
        if mode == "pos":
            return [cue for _, _, cue in pos]
        neg = [(s, 1, cue) for s, cue in self._between("neg", cls, lo, hi)]
        if mode == "neg":
            return [cue for _, _, cue in neg]
        return [cue for _, _, cue in sorted(pos + neg, key=lambda x: x[:2])]


@lru_cache(maxsize=1)
def _first_part_index() -> tuple[tuple[Frame, ...], dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """The frames, and each frame (by position) under the classes of its first part: positive, and negated."""
    frames = load_frames()
    by_pos: dict[str, list[int]] = {}
    by_neg: dict[str, list[int]] = {}
    for at, frame in enumerate(frames):
        pos, neg = frame.part_sets[0]
        for cls in pos:
            by_pos.setdefault(cls, []).append(at)
        for cls in neg:
            by_neg.setdefault(cls, []).append(at)
    return frames, {c: tuple(v) for c, v in by_pos.items()}, {c: tuple(v) for c, v in by_neg.items()}


def _possible(frame: Frame, sents: Sentences) -> bool:
    post_pos, post_neg = sents.post_pos, sents.post_neg
    for pos, neg in frame.part_sets:
        if pos.isdisjoint(post_pos) and neg.isdisjoint(post_neg):
            return False
    return not any(group.holds(post_pos) for group in frame.none_post)


_MAX_ANCHORS = 48


def _place(frame: Frame, sents: Sentences, lo: int, hi: int) -> tuple[int, int] | None:
    """Token span of the closest combination of the frame's parts in sentences [lo, hi).

    Each part needs words of its own ("tous" cannot be both TOTAL and MED). Parts are placed
    nearest to the first part's cue first; when the nearest choice leaves a later part no word
    of its own, the next nearest is tried ("tout prendre d'un coup": TOTAL is "d'un coup" when
    "tout" is the only word left for PRON_OBJ).
    """
    options: list[list[Cue]] = []
    for part in frame.parts:
        found = [cue for c, mode in part.classes for cue in sents.occurrences(c, mode, lo, hi)]
        if not found:
            return None
        options.append(found)
    best: tuple[int, int] | None = None
    index = [_by_place(found) for found in options]
    # A bounded number of anchors: a post repeating one phrase thousands of times has thousands,
    # and each is placed against every other part's cues (an ordinary post has a handful).
    for anchor in options[0][:_MAX_ANCHORS]:
        placed = _greedy(options, anchor, index) or _assign(options, 1, [(anchor.first, anchor.last)],
                                                            anchor.first)
        if placed is None:
            continue
        first, last = min(a for a, _ in placed), max(b for _, b in placed)
        if frame.span and last - first + 1 > frame.span:
            continue
        if best is None or last - first < best[1] - best[0]:
            best = (first, last)
    return best


def _greedy(options: list[list[Cue]], anchor: Cue,
            index: list[tuple[list[int], list[int]] | None]) -> list[tuple[int, int]] | None:
    """Each later part on its nearest free word: the usual case, and the cheap one."""
    taken = [(anchor.first, anchor.last)]
    for k, others in enumerate(options[1:], start=1):
        near = _nearest_free(others, index[k], anchor.first, taken)
        if near is None:
            return None
        taken.append((near.first, near.last))
    return taken


# Beyond this many cues, a part's nearest free word is looked for outward from the anchor in the
# cues sorted by place, instead of over every cue: a post repeating one phrase has thousands.
_SCAN_ALL = 32
_FAR = 1 << 60  # farther than any word


def _by_place(cues: list[Cue]) -> tuple[list[int], list[int]] | None:
    """The cues' indices sorted by first word, and those first words (None: few enough to scan)."""
    if len(cues) <= _SCAN_ALL:
        return None
    order = sorted(range(len(cues)), key=lambda i: cues[i].first)
    return order, [cues[i].first for i in order]


def _nearest_free(others: list[Cue], placed: tuple[list[int], list[int]] | None, at: int,
                  taken: list[tuple[int, int]]) -> Cue | None:
    """The cue nearest to ``at`` that overlaps no taken word; among equally near ones, the first
    in ``others`` (the choice ``min`` over the whole list makes)."""

    def free(c: Cue) -> bool:
        return all(c.last < a or c.first > b for a, b in taken)

    if placed is None:
        candidates = [c for c in others if free(c)]
        return min(candidates, key=lambda c: abs(c.first - at)) if candidates else None
    order, starts = placed
    n = len(starts)
    right = bisect_left(starts, at)
    left = right - 1
    while left >= 0 or right < n:
        distance = min(at - starts[left] if left >= 0 else _FAR, starts[right] - at if right < n else _FAR)
        ring: list[int] = []
        while left >= 0 and at - starts[left] == distance:
            ring.append(order[left])
            left -= 1
        while right < n and starts[right] - at == distance:
            ring.append(order[right])
            right += 1
        free_here = [i for i in ring if free(others[i])]
        if free_here:
            return others[min(free_here)]
    return None


def _assign(options: list[list[Cue]], k: int, taken: list[tuple[int, int]], at: int,
            budget: list[int] | None = None) -> list[tuple[int, int]] | None:
    """Words for parts k.. that overlap no word taken, nearest to ``at`` first (bounded backtracking)."""
    if k == len(options):
        return taken
    budget = [64] if budget is None else budget  # a post with many cues tries a bounded number of combinations
    free = sorted((c for c in options[k] if all(c.last < a or c.first > b for a, b in taken)),
                  key=lambda c: abs(c.first - at))
    for cue in free:
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        done = _assign(options, k + 1, [*taken, (cue.first, cue.last)], at, budget)
        if done is not None:
            return done
    return None


def _quoted(frame: Frame, placed: tuple[int, int], quoted: frozenset[int]) -> bool:
    """Advice counts as quoted when all of it is in quotes; a label, when any of it is."""
    inside = [k in quoted for k in range(placed[0], placed[1] + 1)]
    return any(inside) if frame.category == "stigma" else all(inside)


def _about(frame: Frame, sents: Sentences, lo: int, hi: int) -> str:
    if frame.about != "auto":
        return frame.about
    # Advice speaks to someone; an announcement speaks of oneself. Look a
    # sentence around the act: "arrête de te prendre la tête ... moi j'ai jeté".
    around = sents.classes(max(0, lo - 1), min(sents.n, hi + 1))
    if around & ADDRESSEE:
        return "others"
    if "FIRST" in around or "WE" in around or around & {"START", "RECENT", "LASTDOSE", "SOON"}:
        return "self"
    return "others"


def find(tokens: list[Token], cues: list[Cue], n_sent: int, questions: frozenset[int] = frozenset(),
         clauses: frozenset[int] = frozenset(), quoted: frozenset[int] = frozenset()) -> list[Hit]:
    """Every frame that fires in the post (one hit per frame and window)."""
    if not cues:
        return []
    sents = Sentences(tokens, cues, n_sent, questions, clauses)
    hits: list[Hit] = []
    frames, by_pos, by_neg = _first_part_index()
    # Only frames whose first part can be found in the post, in the file's order.
    wanted: set[int] = set()
    for cls in sents.post_pos:
        wanted.update(by_pos.get(cls, ()))
    for cls in sents.post_neg:
        wanted.update(by_neg.get(cls, ()))
    for at in sorted(wanted):
        frame = frames[at]
        if not _possible(frame, sents):
            continue
        seen: set[tuple[int, int]] = set()
        for lo in sents.windows(frame):  # windows missing a part are skipped: they could not place it
            hi = n_sent if frame.window == 0 else min(n_sent, lo + frame.window)
            placed = _place(frame, sents, lo, hi)
            if placed is None or placed in seen:
                continue
            if frame.category in _QUOTES_EXCUSE and _quoted(frame, placed, quoted):
                continue  # "ceux qui disent 'arrête tout'": the poster quotes, not advises
            present = sents.classes(lo, hi)
            if any(group.holds(present) for group in frame.none):
                continue
            if frame.none_around:
                around = sents.classes(max(0, lo - 2), min(n_sent, hi + 2))
                if any(group.holds(around) for group in frame.none_around):
                    continue
            seen.add(placed)
            weight = frame.weight
            if weight < 1 and frame.boost:
                s0, s1 = tokens[placed[0]].sent, tokens[placed[1]].sent
                if frame.boost_window == 0:
                    near = sents.post_pos
                else:
                    near = sents.classes(max(0, s0 - frame.boost_window), min(n_sent, s1 + frame.boost_window + 1))
                if frame.boost & near:
                    weight = 1.0
            hits.append(Hit(frame, placed[0], placed[1], weight, _about(frame, sents, lo, hi)))
    return hits


def decisive(hits: list[Hit]) -> list[Hit]:
    """The hits that make findings: weight 1, or weaker frames that add up to 1 in a post.

    Each frame counts once per post (a post that says goodbye three times is
    not three times more worrying), and cold-turkey advice and announcements
    add up separately.
    """
    out: list[Hit] = []
    by_key: dict[tuple[str, str], dict[str, Hit]] = {}
    for hit in hits:
        key = (hit.frame.category, hit.about)
        best = by_key.setdefault(key, {})
        old = best.get(hit.frame.id)
        if old is None or hit.weight > old.weight:
            best[hit.frame.id] = hit
    for per_frame in by_key.values():
        strong = [h for h in per_frame.values() if h.weight >= 1.0]
        if strong:
            out.extend(h for h in hits if h.weight >= 1.0 and h.frame.id in {s.frame.id for s in strong}
                       and (h.frame.category, h.about) == (strong[0].frame.category, strong[0].about))
        elif sum(h.weight for h in per_frame.values()) >= 1.0 - 1e-9:
            out.extend(per_frame.values())
    return out


def known_classes() -> frozenset[str]:
    return frozenset(read_cues()) | {QUESTION, IMPERATIVE}
