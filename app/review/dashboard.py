"""The moderators' dashboard: what is open, by kind and language, and how soon items get a first look."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.db import utcnow
from app.i18n import LOCALES
from app.review.models import Appeal, ItemStatus, ModeratorSettings, ReviewItem


@dataclass(frozen=True)
class Gaps:
    """Thread languages whose items would wait in a queue no moderator reads (admins apart).

    `crisis`: no moderator of the language takes crisis items now (none, or all paused): its crisis
    and "worried" items go to every moderator. `held`: no moderator of the language at all: its held
    posts (sourcing offers, newcomers' first posts...) go to every moderator too, as they wait on one.
    """

    crisis: frozenset[str]
    held: frozenset[str]
    # Languages with moderators, all of them on a break from crisis items.
    paused: frozenset[str]


@dataclass(frozen=True)
class Dashboard:
    open_by_kind_lang: dict[tuple[str, str], int]
    kinds: list[str]
    langs: list[str]
    open_total: int
    # Median minutes from an item's arrival to its first claim or decision, by window in days (None: no data).
    median_first_action: dict[int, float | None]
    measured: dict[int, int]
    oldest_open: dt.datetime | None
    open_appeals: int
    # Moderators (admins apart) of every language who take crisis items now (not paused).
    crisis_cover: dict[str, int]
    gaps: Gaps


def median_minutes(session: Session, *, days: int, now: dt.datetime | None = None) -> tuple[float | None, int]:
    since = (now or utcnow()) - dt.timedelta(days=days)
    rows = session.execute(select(ReviewItem.created_at, ReviewItem.first_action_at).where(
        ReviewItem.created_at >= since, ReviewItem.first_action_at.is_not(None))).all()
    waits = [(first - created).total_seconds() / 60 for created, first in rows if first is not None]
    return (statistics.median(waits) if waits else None), len(waits)


def build(session: Session, *, langs: list[str]) -> Dashboard:
    counts = dict(((kind, lang), n) for kind, lang, n in session.execute(
        select(ReviewItem.kind, ReviewItem.lang, func.count(ReviewItem.id))
        .where(ReviewItem.status == ItemStatus.open, ReviewItem.lang.in_(langs))
        .group_by(ReviewItem.kind, ReviewItem.lang)))
    medians, measured = {}, {}
    for days in (7, 30):
        medians[days], measured[days] = median_minutes(session, days=days)
    oldest = session.scalar(select(func.min(ReviewItem.created_at)).where(
        ReviewItem.status == ItemStatus.open, ReviewItem.lang.in_(langs)))
    open_appeals = session.scalar(select(func.count(Appeal.id)).where(Appeal.status == "open")) or 0
    return Dashboard(open_by_kind_lang=counts, kinds=sorted({k for k, _ in counts}), langs=langs,
                     open_total=sum(counts.values()), median_first_action=medians, measured=measured,
                     oldest_open=oldest, open_appeals=open_appeals,
                     crisis_cover=crisis_cover(session, list(LOCALES)), gaps=gaps(session))


def _moderator_langs(session: Session) -> tuple[list[set[str]], list[set[str]]]:
    """Each moderator's languages (admins apart): all of them, and those who take crisis items now (not paused)."""
    now = utcnow()
    paused = set(session.scalars(select(ModeratorSettings.user_id).where(
        ModeratorSettings.crisis_paused_until.is_not(None), ModeratorSettings.crisis_paused_until > now)))
    staff = list(session.scalars(select(User).where(User.role == Role.moderator)))
    every = [set(user.moderated_lang_list) for user in staff]
    on_duty = [set(user.moderated_lang_list) for user in staff if user.id not in paused]
    return every, on_duty


def crisis_cover(session: Session, langs: list[str]) -> dict[str, int]:
    """How many moderators of each language take crisis items right now.

    Admins do not count: they see every language but are often not the ones reading the queue.
    """
    _every, on_duty = _moderator_langs(session)
    return {lang: sum(lang in mine for mine in on_duty) for lang in langs}


def gaps(session: Session) -> Gaps:
    every, on_duty = _moderator_langs(session)
    langs = set(LOCALES)
    staffed = set().union(*every) if every else set()
    taking = set().union(*on_duty) if on_duty else set()
    return Gaps(crisis=frozenset(langs - taking), held=frozenset(langs - staffed),
                paused=frozenset((langs & staffed) - taking))


def uncovered_langs(session: Session) -> set[str]:
    """Thread languages no moderator (admins apart) takes crisis items in right now (none of theirs, or all paused).

    Their crisis items go to every moderator (service._queue_query): a reader is told moderators
    know, so an urgent item must never wait in a queue nobody reads.
    """
    return set(gaps(session).crisis)
