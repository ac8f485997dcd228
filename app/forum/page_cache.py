"""Which forum pages visitors get from the page cache, and which changes make them stale.

Pages: the forum index, a category and a thread, in each language. A thread page
depends on its own thread's version and on STRUCTURE (category names and
visibility, pseudonyms, taper lines); lists depend on every change (ALL). Every
change to a post, thread, reaction, category, a member's pseudonym, status or
erasure request (which may hide their name: User.public_pseudonym), or a taper
line bumps its versions in its own transaction (app/page_versions).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.diary.models import DiarySettings, TaperLine
from app.diary.service import today as diary_today
from app.forum.models import Category, Post, Reaction, Thread
from app.i18n import LOCALES
from app.page_versions import ALL, STRUCTURE, changed, thread_key, watch
from app.web.page_cache import Rule

_LANG = "(?:" + "|".join(LOCALES) + ")"


def _day(_match: re.Match[str]) -> str:
    # Taper lines count days: a page rendered yesterday is not today's page.
    return str(diary_today())


RULES = (
    Rule(re.compile(f"/{_LANG}/"), lambda m: (ALL, STRUCTURE)),
    Rule(re.compile(f"/{_LANG}/c/[^/]+"), lambda m: (ALL, STRUCTURE), frozenset({"page", "langs"})),
    # The id as its one address writes it (app/web/params.Id): /t/01 is redirected, never cached.
    Rule(re.compile(f"/{_LANG}/t/([1-9]\\d*)"), lambda m: (STRUCTURE, thread_key(int(m.group(1)))),
         frozenset({"page"}), variant=_day),
)


def _post(session: Session, post: Post, change: str) -> Iterable[str]:
    keys = {thread_key(post.thread_id)}
    if change == "dirty":  # a post moved to another thread leaves the old one too
        keys.update(thread_key(old) for old in inspect(post).attrs.thread_id.history.deleted if old is not None)
    return keys


def _thread(session: Session, thread: Thread, change: str) -> Iterable[str]:
    return {thread_key(thread.id)}


def _reaction(session: Session, reaction: Reaction, change: str) -> Iterable[str]:
    thread_id = session.connection().execute(select(Post.thread_id).where(Post.id == reaction.post_id)).scalar()
    return {thread_key(thread_id)} if thread_id is not None else {ALL}


# What of a member the forum's pages show: the name, and whether it is shown at all (User.public_pseudonym).
_SHOWN_USER_FIELDS = ("pseudonym", "status", "role", "erase_at", "erase_keep_posts")


def _user(session: Session, user: User, change: str) -> Iterable[str] | None:
    if change == "deleted" or (change == "dirty" and changed(user, *_SHOWN_USER_FIELDS)):
        return {STRUCTURE}
    return None


def _diary_settings(session: Session, settings: DiarySettings, change: str) -> Iterable[str] | None:
    return {STRUCTURE} if change != "dirty" or changed(settings, "visibility", "taper_line") else None


def connect() -> None:
    watch(Post, _post)
    watch(Thread, _thread)
    watch(Reaction, _reaction)
    watch(Category, lambda session, obj, change: {STRUCTURE})
    watch(User, _user)
    watch(TaperLine, lambda session, obj, change: {STRUCTURE})
    watch(DiarySettings, _diary_settings)
