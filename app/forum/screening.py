"""What the moderation engine's findings do to a post (DESIGN.md, "Moderation pipeline").

The forum decides publication (held or published) and the notices shown with a
post; what goes into the moderators' queue is review's decision, taken when the
forum announces the screening (events.PostScreened).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum

import moderation
from app.forum.models import PostStatus

# Rule findings (lexicon entries, frames) may hold a post; the learned layer's
# findings (source "model") never do: they route the post to people (the queue,
# help lines shown gently, a private notice).
HOLD_CATEGORIES = frozenset({"sourcing", "personal_data"})


class Notice(StrEnum):
    """Notices about a post: stored with it (information boxes) or shown to its poster at once."""

    gradual_tapering = "gradual_tapering"  # advice to stop abruptly: an information box under the post
    crisis_lines = "crisis_lines"  # the poster sees the help lines at once
    crisis_gentle = "crisis_gentle"  # only the learned layer saw a crisis: the help lines, offered gently
    cold_turkey_self = "cold_turkey_self"  # the poster announced their own abrupt stop: a private, kind notice
    personal_data = "personal_data"  # the poster is told why the post is held
    held = "held"  # the post waits for a moderator
    welcome = "welcome"  # a new member's first post waits for a moderator's welcome (said once, for the first)


NOTICE_FOR_CATEGORY = {"cold_turkey_advice": Notice.gradual_tapering, "crisis": Notice.crisis_lines}


def label(f: moderation.Finding) -> str:
    """A finding's label: an announced abrupt stop ("about": "self") is not advice to others."""
    if f.category == "cold_turkey_advice" and f.about == "self":
        return "cold_turkey_self"
    return f.category


@dataclass
class Screening:
    body_findings: list[moderation.Finding] = field(default_factory=list)
    title_findings: list[moderation.Finding] = field(default_factory=list)
    newcomer_hold: bool = False
    #: The author's first post ever (no earlier one, held, published or gone): the one the welcome is said for.
    first_post: bool = False

    @property
    def findings(self) -> list[moderation.Finding]:
        return self.title_findings + self.body_findings

    @property
    def categories(self) -> set[str]:
        return {f.category for f in self.findings}

    @property
    def labels(self) -> set[str]:
        """Categories, with "cold_turkey_self" for a poster's own abrupt stop (what the queue shows)."""
        return {label(f) for f in self.findings}

    @property
    def rule_labels(self) -> set[str]:
        return {label(f) for f in self.findings if f.source == "rule"}

    @property
    def rule_categories(self) -> set[str]:
        """Categories a lexicon entry or frame found: words to point at, so they may hold a post.

        The learned layer's findings (source "model") only route a post to a
        moderator; they never hold it (DESIGN.md, "The safety loop").
        """
        return {f.category for f in self.findings if f.source == "rule"}

    @property
    def held(self) -> bool:
        # A newcomer's post that speaks of crisis is not held for the welcome: being unseen
        # would read as rejection, and peers may answer before a moderator is awake.
        welcome_hold = self.newcomer_hold and not self.urgent
        return welcome_hold or bool(self.rule_categories & HOLD_CATEGORIES)

    @property
    def status(self) -> PostStatus:
        return PostStatus.held if self.held else PostStatus.published

    @property
    def notices(self) -> list[str]:
        """The notices stored with the post (every reader sees them): from rules, never about the poster's own stop."""
        return [notice for cat, notice in NOTICE_FOR_CATEGORY.items() if cat in self.rule_labels]

    @property
    def urgent(self) -> bool:
        return "crisis" in self.categories

    @property
    def crisis_by_score(self) -> bool:
        """Only the learned layer's score saw a crisis."""
        return self.urgent and "crisis" not in self.rule_labels

    @property
    def stops_abruptly(self) -> bool:
        return "cold_turkey_self" in self.labels

    @property
    def stigma(self) -> list[moderation.Finding]:
        """Wording findings for the composer's review: rules only (they point at the words)."""
        return [f for f in self.findings if f.category == "stigma" and f.source == "rule"]

    def poster_notices(self) -> list[str]:
        """What the poster sees at once after posting: crisis lines always, whatever else applies.

        Help lines come in full when a rule saw a crisis and gently when only
        the learned layer's score did; an announced abrupt stop gets a private,
        kind notice (never the public information box).
        """
        notices: list[str] = []
        if self.crisis_by_score:
            notices.append(Notice.crisis_gentle)
        elif self.urgent:
            notices.append(Notice.crisis_lines)
        if self.stops_abruptly:
            notices.append(Notice.cold_turkey_self)
        if "personal_data" in self.rule_categories:
            notices.append(Notice.personal_data)
        elif self.held and self.first_post and not self.rule_categories & HOLD_CATEGORIES:
            notices.append(Notice.welcome)  # once: a newcomer's next posts wait too, and are told so plainly
        elif self.held:
            notices.append(Notice.held)
        return notices


_ready: set[str] = set()  # languages the engine has checked a text in, in this process
_first_check = threading.Lock()


def check_text(text: str, lang: str) -> list[moderation.Finding]:
    """The engine's findings; the first check of a language builds the engine once for everyone.

    The engine compiles its lexicons and cue index on first use (seconds). Without the lock,
    every request arriving meanwhile (and the start-up warm-up) built its own copy at once,
    each slowing the others: a worker freshly started under load answered nothing for tens
    of seconds. Later checks run in parallel, without the lock.
    """
    if lang not in _ready:
        with _first_check:
            findings = moderation.check(text, lang)
            _ready.add(lang)
            return findings
    return moderation.check(text, lang)


def screen(*, title: str, body: str, lang: str, newcomer_hold: bool, first_post: bool = False) -> Screening:
    return Screening(
        body_findings=check_text(body, lang),
        title_findings=check_text(title, lang) if title else [],
        newcomer_hold=newcomer_hold,
        first_post=first_post,
    )
