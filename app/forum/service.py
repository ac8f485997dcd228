"""Forum operations: threads, replies, edits, deletions, reactions, visits, staff flags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import (
    Insert,
    Integer,
    Row,
    Select,
    Table,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app import markdown, page_versions
from app.accounts.models import User
from app.content_notes import is_content_note
from app.db import (
    INSERT_COMPANIONS,
    UTCDateTime,
    advisory_lock_params,
    attach_inserted,
    autoflushed_connection,
    serialize,
    serialized,
    utcnow,
)
from app.errors import Conflict, NotFound, PermissionDenied, Problems, RateLimited, ValidationFailed
from app.forum import events, references
from app.forum.errors import MemberRestricted
from app.forum.models import (
    Category,
    Post,
    PostRevision,
    PostStatus,
    Reaction,
    ReactionKind,
    Thread,
    ThreadVisit,
)
from app.forum.permissions import access_post, can_set_flags
from app.forum.screening import Notice, Screening, screen
from app.i18n import LOCALES
from app.i18n_markers import N_
from app.plain_text import has_bidi_controls, refuse_bidi_overrides, refuse_too_long, strip_controls, visible_length
from app.settings import TrustSettings

TITLE_MIN, TITLE_MAX = 3, 200


class WordingReview(Exception):
    """Stigma findings the member has not yet seen: the composer shows them first.

    Never raised for the JSON API, which returns findings with the created post:
    wording alone never stops a post.
    """

    def __init__(self, screening: Screening) -> None:
        super().__init__("wording review")
        self.screening = screening


@dataclass
class Posted:
    post: Post
    thread: Thread
    screening: Screening


def _clean_title(title: str) -> str:
    title = " ".join(strip_controls(title).split())
    if has_bidi_controls(title):
        raise ValidationFailed(N_("A title cannot contain text-direction control characters (such as "
                                  "right-to-left override). Please remove them."), field="title")
    if visible_length(title) < TITLE_MIN or len(title) > TITLE_MAX:
        raise ValidationFailed(N_("A title has between %(min)s and %(max)s characters."), field="title",
                               min=TITLE_MIN, max=TITLE_MAX)
    return title


def _clean_body(body: str, max_chars: int) -> str:
    body = strip_controls(body).strip()
    if not visible_length(body):  # spaces and zero-width characters only: nothing a reader would see
        raise ValidationFailed(N_("Your message is empty."), field="body")
    return refuse_bidi_overrides(refuse_too_long(body, max_chars=max_chars, field="body"), field="body")


def _clean_note(note: str | None) -> str | None:
    if not note:
        return None
    if not is_content_note(note):
        raise ValidationFailed(N_("Unknown content note."), field="content_note")
    return note


def _check_lang(lang: str) -> str:
    if lang not in LOCALES:
        raise ValidationFailed(N_("Choose the language of your thread."), field="lang")
    return lang


@dataclass(frozen=True)
class Draft:
    """A composer's fields, cleaned."""

    body: str
    note: str | None
    title: str | None = None


def check_draft(*, body: str, max_chars: int, content_note: str | None = None, title: str | None = None,
                lang: str | None = None) -> Draft:
    """Every problem of a composer's fields at once, in the form's order (title, language, message, content
    note): the checks publishing makes, and "Preview" shows. `title` and `lang` only for a new thread."""
    problems = Problems()
    clean_title = problems.check(_clean_title, title) if title is not None else None
    if lang is not None:
        problems.check(_check_lang, lang)
    clean_body = problems.check(_clean_body, body, max_chars)
    note = problems.check(_clean_note, content_note)
    problems.raise_any()
    return Draft(body=cast(str, clean_body), note=note, title=clean_title)


def is_newcomer(author: User, limits: TrustSettings) -> bool:
    """Not yet graduated: tighter posting limits, and a "first posts" mark for moderators."""
    return not author.is_moderator and author.approved_posts < limits.graduate_after


def is_premoderated(author: User, limits: TrustSettings) -> bool:
    """A new member's first posts wait for a moderator's welcome, in every category."""
    return not author.is_moderator and author.approved_posts < limits.premoderated_posts


def _screen_new_post(session: Session, *, author: User, limits: TrustSettings, title: str, body: str,
                     lang: str) -> Screening:
    """A new post's screening: held for the welcome while its author is new, welcomed for their first post only."""
    held = is_premoderated(author, limits)
    return screen(title=title, body=body, lang=lang, newcomer_hold=held,
                  first_post=held and not _has_posted(session, author))


def _first_in_turn(session: Session, author: User, screening: Screening) -> Screening:
    """`screening`, its welcome decided again in the member's turn (`serialize`, taken by the caller).

    `_screen_new_post` looked for an earlier post before the slow screening; two first
    posts sent at once both found none there, and both were told "welcome, your first
    post" (outsider's attack, round 31). In the turn, the other one's post is committed
    and seen (SQLite: one writer; PostgreSQL: the advisory lock, READ COMMITTED).
    """
    if screening.first_post and _has_posted(session, author):
        return replace(screening, first_post=False)
    return screening


def _has_posted(session: Session, author: User, *, before: int | None = None) -> bool:
    """Whether the member has a post (before post `before`), whatever became of it: held, published or removed."""
    query = select(Post.id).where(Post.author_id == author.id)
    if before is not None:
        query = query.where(Post.id < before)
    return session.scalar(query.limit(1)) is not None


def _check_can_write(author: User) -> None:
    if not author.can_write:
        raise MemberRestricted(author)


# Built once: checked twice per post (no statement rebuilt and re-walked each time).
_RECENT_POSTS = select(func.count(Post.id), func.min(Post.created_at)).where(
    Post.author_id == bindparam("author_id"), Post.created_at > bindparam("since", type_=UTCDateTime()))
# PostgreSQL: the same count, the member's turn taken by the same statement (serialize's advisory lock).
_RECENT_POSTS_IN_TURN = _RECENT_POSTS.add_columns(
    func.pg_advisory_xact_lock(bindparam("scope", type_=Integer()), bindparam("key", type_=Integer())))
_LAST_IN_THREAD = select(func.max(Post.created_at)).where(
    Post.thread_id == bindparam("thread_id"), Post.author_id == bindparam("author_id"))


def _check_posting_rate(session: Session, author: User, limits: TrustSettings, thread: Thread | None = None,
                        *, final: bool = False) -> None:
    """Posts per hour (fewer for new members), and the thread's slow mode; moderators are exempt.

    Checked twice: at once, so a member over the limit is told before their text
    is screened; then `final`, just before the post is written, with the
    member's posts taking turns (`serialize`), so that replies sent at once are
    counted one after the other and cannot all slip under the limit (issue 9).
    On PostgreSQL the first count also takes the member's turn, in the same
    statement (one round trip fewer): the final count, a later statement, still
    sees every earlier turn's post; only this member's other posts sent at the
    same moment wait the longer for it (while this one is screened).
    """
    if author.is_moderator:
        return
    if final:
        serialize(session, "posting", author.id)
    now = utcnow()
    allowed = limits.newcomer_posts_per_hour if is_newcomer(author, limits) else limits.posts_per_hour
    since = now - dt.timedelta(hours=1)
    connection = autoflushed_connection(session)
    params: dict[str, object] = {"author_id": author.id, "since": since}
    if not final and connection.dialect.name == "postgresql":
        recent, oldest, _locked = connection.execute(
            _RECENT_POSTS_IN_TURN, {**params, **advisory_lock_params("posting", author.id)}).one()
        serialized(session, "posting", author.id)
    else:
        recent, oldest = connection.execute(_RECENT_POSTS, params).one()
    if recent >= allowed:
        wait = int((oldest - since).total_seconds()) + 1 if oldest is not None else 600
        raise RateLimited(N_("You have posted a lot in the last hour. Please wait a little before posting again: "
                             "your text is still here."), retry_after=max(wait, 1))
    if thread is not None and thread.slow_mode_seconds:
        last = connection.execute(_LAST_IN_THREAD, {"thread_id": thread.id, "author_id": author.id}).scalar()
        if last is not None and now - last < dt.timedelta(seconds=thread.slow_mode_seconds):
            wait = thread.slow_mode_seconds - int((now - last).total_seconds())
            raise RateLimited(N_("This thread is in slow mode: you can reply again in %(minutes)s min. Your text "
                                 "is still here."), retry_after=wait, minutes=max(1, (wait + 59) // 60))


@dataclass(frozen=True)
class _RateGuard:
    """`_check_posting_rate(final=True)` made by the reply's INSERT itself: one statement fewer a reply."""

    limits: TrustSettings
    params: dict[str, object]
    slow: bool


def _rate_guard(session: Session, author: User, limits: TrustSettings, thread: Thread) -> _RateGuard | None:
    """The member's turn taken now (`serialize`), the limits left for the INSERT to check (None: moderators).

    The same counts as the final check, in the same place (after the turn is taken),
    so replies sent at once still cannot all slip under the limit (issue 9). An INSERT
    they stop writes nothing, and the check then runs as before to say which limit and
    how long to wait.
    """
    if author.is_moderator:
        return None
    serialize(session, "posting", author.id)
    now = utcnow()
    allowed = limits.newcomer_posts_per_hour if is_newcomer(author, limits) else limits.posts_per_hour
    params: dict[str, object] = {"since": now - dt.timedelta(hours=1), "allowed": allowed}
    if thread.slow_mode_seconds:
        params["slow_since"] = now - dt.timedelta(seconds=thread.slow_mode_seconds)
    return _RateGuard(limits=limits, params=params, slow=bool(thread.slow_mode_seconds))


_thread_table, _user_table = cast(Table, Thread.__table__), cast(Table, User.__table__)
_threads, _users = _thread_table.c, _user_table.c
_created = bindparam("created", type_=UTCDateTime())
# Built once: executing the same statement object skips SQLAlchemy's per-call cache-key walk.
_COUNT_THREAD_IN = (
    update(_thread_table).where(_threads.id == bindparam("thread_id"))
    .values(post_count=_threads.post_count + bindparam("delta"),
            last_post_at=case((_threads.last_post_at < _created, _created), else_=_threads.last_post_at))
    .returning(_threads.post_count, _threads.last_post_at)
)
_COUNT_THREAD_OUT = (
    update(_thread_table).where(_threads.id == bindparam("thread_id"))
    .values(post_count=_threads.post_count + bindparam("delta")).returning(_threads.post_count)
)
_COUNT_AUTHOR = (
    update(_user_table).where(_users.id == bindparam("user_id"))
    .values(published_posts=case((_users.published_posts + bindparam("delta") < 0, 0),
                                 else_=_users.published_posts + bindparam("delta")),
            approved_posts=_users.approved_posts + bindparam("approved"))
    .returning(_users.published_posts, _users.approved_posts)
)


def _publish_counts(session: Session, thread: Thread, author: User | None, post: Post, delta: int, *,
                    approved: bool = False) -> None:
    """Count a post in or out (and, `approved`, one more approved post for its author's trust).

    In the database's own arithmetic: a read-modify-write in Python loses updates
    when members post at once (issue 9, item 11: a thread showed 388 posts for
    1,075); `n = n + 1` in one UPDATE cannot. One Core statement per table,
    RETURNING the new values into the loaded objects: no ORM bulk-update
    bookkeeping and no autoflush. The thread's pages are stale (its count, the
    lists' order): their versions are bumped here, as a flush would have; the
    member's counters show on no cached page.
    """
    connection = session.connection()
    statement = _COUNT_THREAD_IN if delta > 0 else _COUNT_THREAD_OUT
    row = connection.execute(statement, {"thread_id": thread.id, "delta": delta,
                                         "created": post.created_at}).one_or_none()
    _counted_thread(session, thread, row, delta)
    if author is not None:
        row = connection.execute(_COUNT_AUTHOR, {"user_id": author.id, "delta": delta,
                                                 "approved": 1 if approved else 0}).one_or_none()
        _counted_author(author, row)


def _counted_thread(session: Session, thread: Thread, row: Sequence[Any] | None, delta: int) -> None:
    """The thread's new count (and, a post counted in, its last post's time) into the loaded thread; its pages
    are stale."""
    if row is not None and row[0] is not None:
        set_committed_value(thread, "post_count", row[0])
        if delta > 0:
            set_committed_value(thread, "last_post_at", row[1])
    page_versions.bump(session, (page_versions.thread_key(thread.id),))


def _counted_author(author: User, row: Sequence[Any] | None) -> None:
    if row is not None and row[0] is not None:
        set_committed_value(author, "published_posts", row[0])
        set_committed_value(author, "approved_posts", row[1])


_post_table = cast(Table, Post.__table__)
_posts = _post_table.c
# A no-op UPDATE: it takes the row's lock (PostgreSQL) or the write lock (SQLite) and reads the status under it.
_LOCK_POST = (update(_post_table).where(_posts.id == bindparam("post_id"))
              .values(status=_posts.status).returning(_posts.status))
# The same, reading the text too: what an edit keeps as the revision it replaces.
_LOCK_POST_TEXT = (update(_post_table).where(_posts.id == bindparam("post_id"))
                   .values(status=_posts.status).returning(_posts.status, _posts.body_md))
#: A member may edit or delete their own post while it is in one of these.
_EDITABLE = (PostStatus.published, PostStatus.held)
_CHANGED_MEANWHILE = N_("This post changed at the same moment (its author or another moderator acted). "
                        "Nothing was changed: reload the page to see it as it is now.")


def _lock_status(session: Session, post: Post, *, with_text: bool = False) -> PostStatus | None:
    """Lock the post's row until the transaction ends; its status as committed now (None: it is gone).

    What a request read before it began writing may be stale: two deletes of
    one post, or a delete and a moderator's hide, both saw it published and
    both counted it out (QA: a thread's count 16 below its posts). Decided
    under this lock, a status change is made and counted once: a concurrent
    request waits here, then sees the change (PostgreSQL re-reads the updated
    row; SQLite has one writer at a time). The loaded post is brought up to
    date: its status, and with `with_text` its text (an edit keeps the text it
    replaces as a revision, which must be the one a concurrent edit just saved).
    """
    statement = _LOCK_POST_TEXT if with_text else _LOCK_POST
    row = autoflushed_connection(session).execute(statement, {"post_id": post.id}).one_or_none()
    if row is None:
        return None
    set_committed_value(post, "status", PostStatus(row[0]))
    if with_text:
        set_committed_value(post, "body_md", row[1])
    return PostStatus(row[0])


def create_thread(session: Session, *, category: Category, author: User, title: str, body: str, lang: str,
                  content_note: str | None = None, max_chars: int = 20000,
                  wording_confirmed: bool = True, limits: TrustSettings | None = None,
                  form_nonce: str | None = None) -> Posted:
    limits = limits or TrustSettings()
    _check_can_write(author)
    draft = check_draft(title=title, lang=lang, body=body, content_note=content_note, max_chars=max_chars)
    title, body, note = cast(str, draft.title), draft.body, draft.note
    form_nonce = _clean_nonce(form_nonce)
    if (earlier := _sent_before(session, author, form_nonce, body)) is not None:
        return earlier
    _check_posting_rate(session, author, limits)
    screening = _screen_new_post(session, author=author, limits=limits, title=title, body=body, lang=lang)
    if screening.stigma and not wording_confirmed:
        raise WordingReview(screening)
    rendered = _Rendered.of(body)  # before the turn taking below: a long post takes tens of ms to parse
    if (earlier := _sent_before(session, author, form_nonce, body, screening, final=True)) is not None:
        return earlier
    _check_posting_rate(session, author, limits, final=True)
    screening = _first_in_turn(session, author, screening)
    now = utcnow()
    thread = Thread(category_id=category.id, author_id=author.id, title=title, lang=lang,
                    status=screening.status, last_post_at=now, created_at=now, post_count=0)
    thread.category = category  # loaded, so callers may reply to the new thread at once
    session.add(thread)
    session.flush()
    post = _add_post(session, thread=thread, author=author, body=body, note=note, screening=screening, first=True,
                     form_nonce=form_nonce, rendered=rendered)
    return Posted(post=post, thread=thread, screening=screening)


def reply(session: Session, *, thread: Thread, author: User, body: str, content_note: str | None = None,
          max_chars: int = 20000, wording_confirmed: bool = True, limits: TrustSettings | None = None,
          form_nonce: str | None = None) -> Posted:
    limits = limits or TrustSettings()
    _check_can_write(author)
    draft = check_draft(body=body, content_note=content_note, max_chars=max_chars)
    body, note = draft.body, draft.note
    form_nonce = _clean_nonce(form_nonce)
    if (earlier := _sent_before(session, author, form_nonce, body)) is not None:
        return earlier
    _check_posting_rate(session, author, limits, thread)
    screening = _screen_new_post(session, author=author, limits=limits, title="", body=body, lang=thread.lang)
    if screening.stigma and not wording_confirmed:
        raise WordingReview(screening)
    rendered = _Rendered.of(body)  # before the turn taking below: a long post takes tens of ms to parse
    if (earlier := _sent_before(session, author, form_nonce, body, screening, final=True)) is not None:
        return earlier
    guard = _rate_guard(session, author, limits, thread)
    screening = _first_in_turn(session, author, screening)
    post = _add_post(session, thread=thread, author=author, body=body, note=note, screening=screening,
                     form_nonce=form_nonce, rendered=rendered, guard=guard)
    return Posted(post=post, thread=thread, screening=screening)


#: How long a composer form's nonce is remembered: a second sending of the same form within it posts nothing.
FORM_NONCE_WINDOW = dt.timedelta(hours=1)
_NONCE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _clean_nonce(nonce: str | None) -> str | None:
    """The form's nonce if it looks like one (composer.new_form_nonce); anything else is ignored."""
    if nonce and 16 <= len(nonce) <= 32 and set(nonce) <= _NONCE_CHARS:
        return nonce
    return None


def _sent_before(session: Session, author: User, nonce: str | None, body: str, screening: Screening | None = None,
                 *, final: bool = False) -> Posted | None:
    """The post this member already made from the same composer form with the same text (double click, resubmit).

    Without JavaScript nothing stops a second click or a resubmission: two
    replies sent at once made two identical posts (QA round 5). Checked first
    (a resubmit is answered at once), then `final`, with the member's posts
    taking turns (`serialize`, as the hourly limit does), so of forms sent at
    once one posts and the others find its post. The text must match too: two
    tabs showing one cached page share its nonce, and a different reply from
    the second is a new post.
    """
    if nonce is None:
        return None
    if final:
        serialize(session, "posting", author.id)
    post = session.scalar(
        select(Post).where(Post.author_id == author.id, Post.form_nonce == nonce, Post.body_md == body,
                           Post.created_at >= utcnow() - FORM_NONCE_WINDOW).order_by(Post.id).limit(1))
    if post is None:
        return None
    thread = session.get(Thread, post.thread_id)
    assert thread is not None
    first_post = not _has_posted(session, author, before=post.id)  # the welcome, if it was said, said again
    if screening is not None:
        return Posted(post=post, thread=thread, screening=replace(screening, first_post=first_post))
    return Posted(post=post, thread=thread,
                  screening=screen(title="", body=post.body_md, lang=thread.lang,
                                   newcomer_hold=post.status == PostStatus.held, first_post=first_post))


@dataclass(frozen=True)
class _Rendered:
    """What a new post's text gives without the database: its HTML and whom it names (references.scan).

    Made before the member's posts take turns (`serialize`: on SQLite the file's one write
    lock), so that no other writer waits while a Markdown text is parsed twice.
    """

    html: str
    names: tuple[list[list[str]], list[str]]

    @classmethod
    def of(cls, body: str) -> _Rendered:
        parsed = markdown.parse(body)  # parsed once, for both
        return cls(html=parsed.html, names=references.scan(body, parsed))


# Every column of a post, its id returned: built once (see _add_post).
_INSERT_POST = insert(_post_table).returning(_posts.id)


def _guarded_insert(slow: bool, prefix: str = "") -> Insert:
    """The same INSERT, writing nothing when the author is over the hourly limit (or, `slow`, the thread's
    slow mode): `_check_posting_rate`'s counts as conditions of the row's SELECT. `prefix`: before the
    names of the values' parameters."""
    columns = [column for column in _post_table.c if column.key != "id"]
    recent = select(func.count(_posts.id)).where(
        _posts.author_id == bindparam(prefix + "author_id"),
        _posts.created_at > bindparam("since", type_=UTCDateTime()),
    ).scalar_subquery()
    row = select(*(bindparam(prefix + column.key, type_=column.type) for column in columns)).where(
        recent < bindparam("allowed"))
    if slow:
        row = row.where(~exists().where(
            _posts.thread_id == bindparam(prefix + "thread_id"), _posts.author_id == bindparam(prefix + "author_id"),
            _posts.created_at > bindparam("slow_since", type_=UTCDateTime())))
    return insert(_post_table).from_select([column.key for column in columns], row).returning(_posts.id)


_GUARDED_INSERTS = {slow: _guarded_insert(slow) for slow in (False, True)}


def _guarded_counted_insert(slow: bool) -> Select[Any]:
    """PostgreSQL: the guarded INSERT of a published reply with its two counters (`_publish_counts(+1,
    approved=True)`), in one statement: (post id, thread count, last post, published, approved), no row when
    the INSERT wrote nothing (the counters then change nothing either).

    The same UPDATEs in the database's arithmetic, in the same order (the thread's row, then the
    member's); three round trips become one. The values' parameters are named `p_<column>`: SQLAlchemy
    would take a parameter named as a column of the thread or the member for one more value to SET.
    """
    created = bindparam("p_created_at", type_=UTCDateTime())
    post = _guarded_insert(slow, "p_").cte("new_post")
    written = exists(select(post.c.id))
    thread = (update(_thread_table).where(_threads.id == bindparam("p_thread_id"), written)
              .values(post_count=_threads.post_count + 1,
                      last_post_at=case((_threads.last_post_at < created, created), else_=_threads.last_post_at))
              .returning(_threads.post_count, _threads.last_post_at).cte("counted_thread"))
    author = (update(_user_table).where(_users.id == bindparam("p_author_id"), written)
              .values(published_posts=case((_users.published_posts + 1 < 0, 0), else_=_users.published_posts + 1),
                      approved_posts=_users.approved_posts + 1)
              .returning(_users.published_posts, _users.approved_posts).cte("counted_author"))
    companions = [make(post).cte(f"companion_{index}")
                  for index, make in enumerate(INSERT_COMPANIONS.get(_post_table.name, ()))]
    return (select(post.c.id, thread.c.post_count, thread.c.last_post_at, author.c.published_posts,
                   author.c.approved_posts)
            .select_from(post.outerjoin(thread, true()).outerjoin(author, true())).add_cte(*companions))


# Built at the first reply (the companions are registered by the domains' modules), again if they change.
_GUARDED_COUNTED_INSERTS: dict[tuple[bool, tuple[object, ...]], Select[Any]] = {}


def _guarded_counted(slow: bool) -> Select[Any]:
    key = (slow, tuple(INSERT_COMPANIONS.get(_post_table.name, ())))
    statement = _GUARDED_COUNTED_INSERTS.get(key)
    if statement is None:
        statement = _GUARDED_COUNTED_INSERTS[key] = _guarded_counted_insert(slow)
    return statement


def _add_post(session: Session, *, thread: Thread, author: User, body: str, note: str | None,
              screening: Screening, first: bool = False, form_nonce: str | None = None,
              rendered: _Rendered | None = None, guard: _RateGuard | None = None) -> Post:
    rendered = rendered or _Rendered.of(body)
    values = {"thread_id": thread.id, "author_id": author.id, "body_md": body, "body_html": rendered.html,
              "status": screening.status, "content_note": note, "notices": ",".join(screening.notices),
              "created_at": utcnow(), "form_nonce": form_nonce, "edited_at": None, "moderation_edited_at": None,
              "withheld_status": None}
    # One prebuilt INSERT ... RETURNING, not a flush: the unit of work's bookkeeping was the largest
    # single cost of a reply. attach_inserted records what the flush listeners would (page versions,
    # the search outbox).
    connection = autoflushed_connection(session)
    counted: Row[Any] | None = None  # the counters, when the INSERT made them (PostgreSQL)
    if guard is None:
        post_id = connection.execute(_INSERT_POST, values).scalar_one()
    else:
        if screening.status == PostStatus.published and connection.dialect.name == "postgresql":
            counted = connection.execute(_guarded_counted(guard.slow),
                                         {**{f"p_{key}": value for key, value in values.items()},
                                          **guard.params}).first()
            post_id = counted[0] if counted is not None else None
        else:
            post_id = connection.execute(_GUARDED_INSERTS[guard.slow], {**values, **guard.params}).scalar()
        if post_id is None:  # over a limit: the check says which one, and for how long (RateLimited)
            _check_posting_rate(session, author, guard.limits, thread, final=True)
            post_id = connection.execute(_INSERT_POST, values).scalar_one()  # the hour moved on meanwhile
    post = Post(id=post_id, **values)
    set_committed_value(post, "thread", thread)  # loaded, as a read would have it (the search document uses it)
    attach_inserted(session, post, companions=counted is not None)  # the INSERT also wrote INSERT_COMPANIONS' rows
    if counted is not None:
        _counted_thread(session, thread, counted[1:3], +1)
        _counted_author(author, counted[3:5])
    elif post.status == PostStatus.published:
        _publish_counts(session, thread, author, post, +1, approved=True)
    events.publish(events.PostScreened(session=session, post=post, screening=screening, edited=False))
    if post.status == PostStatus.published:
        _announce_published(session, thread, post, first_in_thread=first, names=rendered.names)
    return post


def _announce_published(session: Session, thread: Thread, post: Post, *, first_in_thread: bool,
                        names: tuple[list[list[str]], list[str]] | None = None) -> None:
    found = references.find(session, post, scanned=names)
    events.publish(events.PostPublished(session=session, post=post, thread=thread, first_in_thread=first_in_thread,
                                        mentioned_ids=found.mentioned_ids, quoted_ids=found.quoted_ids))


_EDITS_SINCE = select(func.count(PostRevision.id)).where(
    PostRevision.editor_id == bindparam("editor_id"),
    PostRevision.created_at > bindparam("since", type_=UTCDateTime()))


def _check_editing_rate(session: Session, editor: User, limits: TrustSettings, *, final: bool = False) -> None:
    """Edits that change a post's text, per hour (each is screened and rendered again); moderators are exempt.

    Counted from the member's revisions, twice as posts are (`_check_posting_rate`): at once, then
    `final`, with the member's edits taking turns, so that edits sent at once cannot all slip under it.
    """
    if editor.is_moderator:
        return
    if final:
        serialize(session, "editing", editor.id)
    since = utcnow() - dt.timedelta(hours=1)
    if (session.scalar(_EDITS_SINCE, {"editor_id": editor.id, "since": since}) or 0) >= limits.edits_per_hour:
        raise RateLimited(N_("You have edited your posts a lot in the last hour. Please wait a little before "
                             "editing again: your text is still here."), retry_after=600)


def edit_post(session: Session, *, post: Post, editor: User, body: str, content_note: str | None = None,
              max_chars: int = 20000, wording_confirmed: bool = True, limits: TrustSettings | None = None) -> Posted:
    """Keep the previous text as a revision, re-screen, and re-render.

    Everything slow (screening, parsing the new text and the one it replaces) is done before the
    post's row is locked, which on SQLite is the database's one write lock.
    """
    limits = limits or TrustSettings()
    _check_can_write(editor)
    draft = check_draft(body=body, content_note=content_note, max_chars=max_chars)
    body, note = draft.body, draft.note
    thread = post.thread
    loaded_text, changed = post.body_md, body != post.body_md
    if changed:
        _check_editing_rate(session, editor, limits)
    screening = screen(title="", body=body, lang=thread.lang, newcomer_hold=False)
    if screening.stigma and not wording_confirmed:
        raise WordingReview(screening)
    # The same text again (a content note changed): its HTML and whom it names are as they were.
    rendered = _Rendered.of(body) if changed else None
    named_before = references.scan(loaded_text) if changed and post.status == PostStatus.published else None
    if changed:
        _check_editing_rate(session, editor, limits, final=True)
    # Review marks the post's open item as changed, so a decision taken on the text it replaces is refused.
    events.publish(events.PostEditing(session=session, post=post))
    # The text it replaces is read under the row's lock: read earlier, a concurrent edit's text would be lost
    # from the revisions (and an older one kept twice).
    if _lock_status(session, post, with_text=True) not in _EDITABLE:
        raise NotFound()  # deleted or hidden meanwhile: its text is no longer the author's to change
    if post.body_md != loaded_text:  # edited meanwhile: what it replaces is that edit's text (rare: parsed here)
        rendered, named_before = rendered or _Rendered.of(body), None
    was_published = post.status == PostStatus.published
    if rendered is not None and was_published:
        before = references.find(session, post, scanned=named_before)
    else:
        before = references.References()
    if body != post.body_md:
        session.add(PostRevision(post_id=post.id, editor_id=editor.id, body_md=post.body_md))
    post.body_md = body
    if rendered is not None:
        post.body_html = rendered.html
    post.content_note = note
    post.notices = ",".join(screening.notices)
    post.edited_at = utcnow()
    if screening.held and was_published:
        post.status = PostStatus.held
        _publish_counts(session, thread, post.author, post, -1)
    # Review may release a post held only for what this edit removed (publish_held_post).
    events.publish(events.PostScreened(session=session, post=post, screening=screening, edited=True))
    _sync_thread_status(session, thread, post)
    if was_published and post.status == PostStatus.published:
        after = references.find(session, post, scanned=rendered.names) if rendered is not None else before
        events.publish(events.PostEdited(
            session=session, post=post, thread=thread, urgent=screening.urgent,
            mentioned_ids=tuple(i for i in after.mentioned_ids if i not in before.mentioned_ids),
            quoted_ids=tuple(i for i in after.quoted_ids if i not in before.quoted_ids),
        ))
    return Posted(post=post, thread=thread, screening=screening)


def publish_held_post(session: Session, *, post: Post) -> None:
    """A held post goes out: it is counted, and its thread follows it if it is the first post."""
    if post.status != PostStatus.held:
        return
    if _lock_status(session, post) != PostStatus.held:  # deleted by its author, or decided, meanwhile
        raise Conflict(_CHANGED_MEANWHILE)
    thread = session.get(Thread, post.thread_id)
    author = session.get(User, post.author_id) if post.author_id is not None else None
    assert thread is not None
    post.status = PostStatus.published
    _publish_counts(session, thread, author, post, +1, approved=True)
    first = _sync_thread_status(session, thread, post)
    _announce_published(session, thread, post, first_in_thread=first)


# Statuses a thread takes from its first post: held, hidden or removed with it, out again with it.
_THREAD_FOLLOWS = (PostStatus.held, PostStatus.published, PostStatus.hidden, PostStatus.removed)


def _sync_thread_status(session: Session, thread: Thread, post: Post) -> bool:
    """A thread follows its first post in and out of the review queue, and out of sight when moderators hide it.

    True when `post` is that first post.
    """
    first_id = session.scalar(
        select(Post.id).where(Post.thread_id == thread.id).order_by(Post.created_at, Post.id).limit(1)
    )
    follows = first_id == post.id and post.status in _THREAD_FOLLOWS
    if follows and thread.status != post.status:
        thread.status = post.status
    return first_id == post.id


def delete_post(session: Session, *, post: Post, actor: User) -> None:
    """Soft delete by its author: the text is kept for the audit trail, never shown again."""
    if post.author_id != actor.id:
        raise PermissionDenied()
    status = _lock_status(session, post)
    if status not in _EDITABLE:
        raise NotFound()  # deleted (or hidden) by a request that came first, as a second delete after it would be
    was_published = status == PostStatus.published
    if was_published:
        _publish_counts(session, post.thread, post.author, post, -1)
    post.status = PostStatus.deleted
    post.edited_at = utcnow()
    if was_published:
        events.publish(events.PostRemoved(session=session, post_ids=(post.id,), how="deleted"))


def toggle_reaction(session: Session, *, post: Post, user: User, kind: str) -> bool:
    """Give or take back one supportive reaction; True when it is now given."""
    return react(session, post=post, user=user, kind=kind)


def react(session: Session, *, post: Post, user: User, kind: str, given: bool | None = None) -> bool:
    """Set one supportive reaction to `given` (None: the other way round); True when it is now given.

    With `given` it is idempotent: a double tap on "Thank you" gives it once,
    whatever the order the two requests arrive in. Reactions to one post take
    turns (`serialize`), so the reaction rows, and the count in the author's
    grouped notification, are exact when many members react at once (issue 9).
    """
    if kind not in {k.value for k in ReactionKind}:
        raise ValidationFailed(N_("Unknown reaction."), field="kind")
    if post.status != PostStatus.published:
        raise PermissionDenied()
    _check_can_write(user)
    if kind == ReactionKind.me_too and Notice.crisis_lines in post.notice_list:
        # Under a post from someone in crisis, "me too" could read as agreeing to despair.
        raise ValidationFailed(N_("This reaction is not offered under this post."), field="kind")
    serialize(session, "reactions", post.id)
    mine = (Reaction.post_id == post.id, Reaction.user_id == user.id, Reaction.kind == kind)
    now_given = session.scalar(select(Reaction.id).where(*mine)) is not None
    wanted = not now_given if given is None else given
    if wanted == now_given:
        return now_given
    if wanted:
        session.add(Reaction(post_id=post.id, user_id=user.id, kind=ReactionKind(kind)))
        session.flush()
    else:
        session.execute(delete(Reaction).where(*mine))
    events.publish(events.ReactionChanged(session=session, post=post, user=user, kind=kind, given=wanted))
    return wanted


def visit_changes(thread: Thread, previous: dt.datetime | None) -> bool:
    """Whether record_visit would write (see there): the page asks first, and opens no savepoint when not."""
    return previous is None or previous < thread.last_post_at


def record_visit(session: Session, *, user: User, thread: Thread, previous: dt.datetime | None = None) -> None:
    """Stamp the member's visit (what "new since your last visit" and unread counts compare with).

    `previous`, the stamp as read with the page: when it is already at or after the
    thread's last post, a new stamp would change nothing any page shows (they compare
    it with when posts were made, and no post is newer), so the page view writes nothing
    (on SQLite a write would queue every member's page behind one write lock).
    """
    if not visit_changes(thread, previous):
        return
    now = utcnow()
    updated = session.execute(
        update(ThreadVisit).where(ThreadVisit.user_id == user.id, ThreadVisit.thread_id == thread.id)
        .values(visited_at=now)
    )
    if not updated.rowcount:  # type: ignore[attr-defined]
        session.add(ThreadVisit(user_id=user.id, thread_id=thread.id, visited_at=now))
        session.flush()


def set_flags(session: Session, *, thread: Thread, actor: User, pinned: bool | None = None,
              locked: bool | None = None) -> None:
    """Pin or lock a thread (its language's moderators); each change is announced, and so audited."""
    if not can_set_flags(actor, thread):
        raise PermissionDenied()
    for action in change_flags(thread, pinned=pinned, locked=locked):
        events.publish(events.ThreadFlagsChanged(session=session, thread=thread, actor=actor, action=action))


def change_flags(thread: Thread, *, pinned: bool | None = None, locked: bool | None = None) -> list[str]:
    """Pin, unpin, lock or unlock; returns what changed ("pin", "unlock", ...). Review calls this with its reasons."""
    changed = []
    if pinned is not None and pinned != thread.pinned:
        thread.pinned = pinned
        changed.append("pin" if pinned else "unpin")
    if locked is not None and locked != thread.locked:
        thread.locked = locked
        changed.append("lock" if locked else "unlock")
    return changed


# --- What moderators do to posts and threads (called by review, which records why) ---------------


def set_post_status(session: Session, *, post: Post, status: PostStatus) -> PostStatus:
    """Hide, remove or put back a post; counts and the thread follow. Returns the status it had."""
    seen = PostStatus(post.status)
    before = _lock_status(session, post)
    if before != seen:  # its author deleted it, or another moderator acted, since this request read it
        raise Conflict(_CHANGED_MEANWHILE)
    if before == status:
        return before
    thread = session.get(Thread, post.thread_id)
    author = session.get(User, post.author_id) if post.author_id is not None else None
    assert thread is not None
    if before == PostStatus.published:
        _publish_counts(session, thread, author, post, -1)
    post.status = status
    if status == PostStatus.published:
        _publish_counts(session, thread, author, post, +1, approved=before == PostStatus.held)
    _sync_thread_status(session, thread, post)
    return before


def moderator_edit(session: Session, *, post: Post, editor: User, body: str, max_chars: int = 20000) -> int:
    """A moderator's edit: the earlier text is kept as a revision (returned), readers see "edited by moderation"."""
    body = _clean_body(body, max_chars)
    body_html = markdown.render(body)
    if _lock_status(session, post, with_text=True) is None:  # the text it replaces, as committed now (edit_post)
        raise NotFound()
    revision = PostRevision(post_id=post.id, editor_id=editor.id, body_md=post.body_md)
    session.add(revision)
    post.body_md = body
    post.body_html = body_html
    post.moderation_edited_at = post.edited_at = utcnow()
    session.flush()
    return revision.id


def restore_revision(session: Session, *, post: Post, revision_id: int, editor: User) -> None:
    """Put a post's text back as it was in a kept revision (an appeal reversed a moderator's edit)."""
    revision = session.get(PostRevision, revision_id)
    if revision is None or revision.post_id != post.id:
        raise ValidationFailed(N_("That earlier version of the post is no longer kept."))
    body_html = markdown.render(revision.body_md)
    if _lock_status(session, post, with_text=True) is None:  # the text it replaces, as committed now (edit_post)
        raise NotFound()
    session.add(PostRevision(post_id=post.id, editor_id=editor.id, body_md=post.body_md))
    post.body_md = revision.body_md
    post.body_html = body_html
    post.edited_at = utcnow()
    post.moderation_edited_at = None


def set_content_note(post: Post, note: str | None) -> str | None:
    """Give a post a content note (or none); returns the earlier one."""
    before = post.content_note
    post.content_note = _clean_note(note)
    return before


def move_thread(session: Session, *, thread: Thread, category: Category) -> int:
    """Move a thread to another category; returns the category it left."""
    before = thread.category_id
    thread.category_id = category.id
    thread.category = category
    return before


def set_slow_mode(thread: Thread, seconds: int) -> int:
    """Members wait `seconds` between two replies in this thread (0: off); returns the earlier setting."""
    if not 0 <= seconds <= 7 * 86400:
        raise ValidationFailed(N_("Slow mode lasts between 0 seconds and 7 days."), field="slow_mode")
    before = thread.slow_mode_seconds
    thread.slow_mode_seconds = seconds
    return before


def add_notice(post: Post, notice: str) -> bool:
    """Show an information box with the post (a moderator confirmed a crisis: readers see the help lines)."""
    if notice in post.notice_list:
        return False
    post.notices = ",".join([*post.notice_list, notice])
    return True


def get_category(session: Session, category_id: int) -> Category | None:
    return session.get(Category, category_id)


def list_categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.position, Category.id)))


def reply_quote(session: Session, *, viewer: User, thread: Thread, post_id: int) -> str:
    """The reply box's first text when a member quotes a post: a Markdown blockquote.

    Empty when the post is from another thread, not published, or one the viewer
    may not see (or none at all): a quote that cannot be made leaves the reply box
    empty, and never turns the thread page into a 404 (outsider's attack, round 31).
    """
    try:
        quoted = access_post(session, viewer, post_id)
    except NotFound:
        return ""
    if quoted.thread_id != thread.id or quoted.status != PostStatus.published:
        return ""
    return markdown.quote(quoted.author.pseudonym if quoted.author else "", quoted.body_md)


def list_revisions(session: Session, *, post: Post) -> list[PostRevision]:
    return list(session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.created_at.desc())
    ))


def export_member_content(session: Session, *, user: User) -> dict[str, object]:
    """A member's own posts and reactions, for their data download."""
    posts = session.execute(
        select(Post.id, Post.thread_id, Thread.title, Post.body_md, Post.status, Post.created_at, Post.edited_at)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == user.id)
        .order_by(Post.created_at)
    ).all()
    reactions = session.execute(
        select(Reaction.post_id, Reaction.kind, Reaction.created_at).where(Reaction.user_id == user.id)
    ).all()
    return {
        "posts": [
            {"id": p.id, "thread_id": p.thread_id, "thread_title": p.title, "body": p.body_md, "status": p.status,
             "created_at": p.created_at.isoformat(), "edited_at": p.edited_at.isoformat() if p.edited_at else None}
            for p in posts
        ],
        "reactions": [
            {"post_id": r.post_id, "kind": r.kind, "created_at": r.created_at.isoformat()} for r in reactions
        ],
    }
