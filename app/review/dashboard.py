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
    # Moderators of each language who take crisis items now (not paused).
    crisis_cover: dict[str, int]


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
                     oldest_open=oldest, open_appeals=open_appeals, crisis_cover=crisis_cover(session, langs))


def crisis_cover(session: Session, langs: list[str]) -> dict[str, int]:
    """How many moderators of each language take crisis items right now (admins count for every language)."""
    now = utcnow()
    paused = set(session.scalars(select(ModeratorSettings.user_id).where(
        ModeratorSettings.crisis_paused_until.is_not(None), ModeratorSettings.crisis_paused_until > now)))
    staff = session.scalars(select(User).where(User.role.in_([Role.moderator, Role.admin])))
    cover = dict.fromkeys(langs, 0)
    for user in staff:
        if user.id in paused:
            continue
        for lang in langs:
            if user.moderates(lang):
                cover[lang] += 1
    return cover


def uncovered_langs(session: Session) -> set[str]:
    """Thread languages no moderator or admin takes crisis items in right now (none of theirs, or all paused).

    Their crisis items go to every moderator (service._queue_query): a reader is told moderators
    know, so an urgent item must never wait in a queue nobody reads.
    """
    return {lang for lang, count in crisis_cover(session, list(LOCALES)).items() if count == 0}
