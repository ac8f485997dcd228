"""Consent: members' answers and their history, "never quote" marks, and the member's data.

No consent is the default. Every change appends an event (grant or withdrawal,
its date, the version and the SHA-256 of the text shown); the current answers
live in one row per member. A withdrawal applies to every export built after
it, because exports read the answers when they start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.db import serialize, utcnow
from app.errors import PermissionDenied
from app.forum.models import Post
from app.forum.permissions import access_post
from app.research import texts
from app.research.models import Consent, ConsentEvent, ConsentScope, NeverQuote


@dataclass(frozen=True)
class ConsentState:
    posts: bool
    diary: bool
    posts_version: int | None
    diary_version: int | None
    current_version: int
    asked_version: int
    updated_at: dt.datetime | None

    @property
    def needs_answer(self) -> bool:
        """A newer consent text than the one the member last saw or answered: ask once."""
        return self.asked_version < self.current_version and (self.posts or self.diary)

    @property
    def counts_for_posts(self) -> bool:
        return self.posts and (self.posts_version or 0) >= texts.oldest_valid_version("consent")

    @property
    def counts_for_diary(self) -> bool:
        return self.diary and (self.diary_version or 0) >= texts.oldest_valid_version("consent")


def get_consent(session: Session, *, user: User) -> ConsentState:
    row = session.get(Consent, user.id)
    current = texts.current("consent").version
    if row is None:
        return ConsentState(False, False, None, None, current, 0, None)
    return ConsentState(row.posts, row.diary, row.posts_version, row.diary_version, current, row.asked_version,
                        row.updated_at)


def _row(session: Session, user: User) -> Consent:
    """The member's answers, for a change. Answers sent at once take turns: the later one reads what the
    first wrote (one row, and one event per change in the history), instead of inserting the row twice."""
    serialize(session, "research-consent", user.id)
    row = session.get(Consent, user.id, populate_existing=True)
    if row is None:
        row = Consent(user_id=user.id, posts=False, diary=False, asked_version=0)
        session.add(row)
    return row


def set_consent(session: Session, *, user: User, posts: bool, diary: bool, lang: str) -> ConsentState:
    """Record the member's answers under the current text, shown in `lang`."""
    document = texts.current("consent")
    lang = lang if lang in texts.LANGS else "en"
    row = _row(session, user)
    for scope, wanted in ((ConsentScope.posts, posts), (ConsentScope.diary, diary)):
        was = bool(getattr(row, scope.value))
        version_field = f"{scope.value}_version"
        renewed = wanted and getattr(row, version_field) != document.version
        if wanted != was or renewed:
            session.add(ConsentEvent(user_id=user.id, scope=scope, granted=wanted, version=document.version,
                                     lang=lang, text_sha256=document.sha256(lang), created_at=utcnow()))
        setattr(row, scope.value, wanted)
        setattr(row, version_field, document.version if wanted else None)
    row.asked_version = document.version
    row.updated_at = utcnow()
    session.flush()
    return get_consent(session, user=user)


def dismiss_prompt(session: Session, *, user: User) -> None:
    """"Not now": the member has been asked about the current version; keep their answers."""
    _row(session, user).asked_version = texts.current("consent").version


def list_consent_events(session: Session, *, user: User) -> list[ConsentEvent]:
    return list(session.scalars(
        select(ConsentEvent).where(ConsentEvent.user_id == user.id)
        .order_by(ConsentEvent.created_at.desc(), ConsentEvent.id.desc())
    ))


def consenting_members(session: Session, *, scope: ConsentScope) -> dict[int, int]:
    """Member id -> consent version, for everyone whose answer for `scope` counts today.

    A member who asked for their account's erasure counts as not consenting from
    that moment (their consent is erased with the account a week later): a new
    export never holds them, whether they chose to keep their posts or not.
    """
    flag = Consent.posts if scope == ConsentScope.posts else Consent.diary
    version = Consent.posts_version if scope == ConsentScope.posts else Consent.diary_version
    rows = session.execute(
        select(Consent.user_id, version).where(flag.is_(True), version >= texts.oldest_valid_version("consent"))
    )
    leaving = accounts.pending_erasure_ids(session)
    return {user_id: int(v) for user_id, v in rows if v is not None and user_id not in leaving}


def users_to_ask(session: Session) -> set[int]:
    """Members who answered yes under an older text that no longer counts, and were not asked since.

    A wording-only version (``material = false``) asks no one again: their answer still counts.
    """
    counting_from = texts.oldest_valid_version("consent")
    return set(session.scalars(
        select(Consent.user_id).where(Consent.asked_version < counting_from, (Consent.posts | Consent.diary))
    ))


# ---------------------------------------------------------------- never quote
def set_never_quote(session: Session, *, user: User, post_id: int, never: bool) -> None:
    post = access_post(session, user, post_id)
    if post.author_id != user.id:
        raise PermissionDenied()
    # Idempotent under concurrency: two requests marking the same post at once both succeed.
    if not never:
        session.execute(delete(NeverQuote).where(NeverQuote.post_id == post_id))
        return
    if session.get(NeverQuote, post_id) is not None:
        return
    try:
        with session.begin_nested():
            session.add(NeverQuote(post_id=post_id, user_id=user.id, created_at=utcnow()))
    except IntegrityError:
        pass  # another request marked it a moment ago


def never_quote_ids(session: Session, *, post_ids: list[int] | None = None, user: User | None = None) -> set[int]:
    query = select(NeverQuote.post_id)
    if post_ids is not None:
        if not post_ids:
            return set()
        query = query.where(NeverQuote.post_id.in_(post_ids))
    if user is not None:
        query = query.where(NeverQuote.user_id == user.id)
    return set(session.scalars(query))


def post_marks(session: Session, viewer: User, posts: Sequence[Post]) -> dict[int, dict[str, bool]]:
    """The "never quote" mark of each of the viewer's own posts (app/forum/extensions.py)."""
    own = [post.id for post in posts if post.author_id == viewer.id]
    marked = never_quote_ids(session, post_ids=own)
    return {post_id: {"never_quote": post_id in marked} for post_id in own}


# ---------------------------------------------------------------- the member's own data
def export_member_research(session: Session, *, user: User) -> dict[str, object]:
    """Consent answers, their full history and "never quote" marks, for the member's data download."""
    state = get_consent(session, user=user)
    return {
        "consent": {"posts": state.posts, "diary": state.diary, "posts_version": state.posts_version,
                    "diary_version": state.diary_version, "current_text_version": state.current_version},
        "consent_history": [
            {"scope": e.scope, "granted": e.granted, "version": e.version, "lang": e.lang,
             "text_sha256": e.text_sha256, "at": e.created_at.isoformat()}
            for e in reversed(list_consent_events(session, user=user))
        ],
        "never_quote_posts": sorted(never_quote_ids(session, user=user)),
    }


def erase_member_research(session: Session, *, user: User) -> None:
    """Before an account is deleted: its consent, history and marks go (the foreign keys cascade
    too; doing it here keeps it true if posts outlive the account as "former member")."""
    session.execute(delete(NeverQuote).where(NeverQuote.user_id == user.id))
    session.execute(delete(ConsentEvent).where(ConsentEvent.user_id == user.id))
    session.execute(delete(Consent).where(Consent.user_id == user.id))
