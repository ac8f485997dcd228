"""Loading for list pages, each a fixed number of queries with its eager loads stated here."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, Select, String, and_, bindparam, case, cast, exists, func, not_, or_, select, true
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.sql import ColumnElement

from app.accounts.models import User
from app.db import autoflushed_connection
from app.diary import taper_line as diary_taper_line
from app.diary.service import today as diary_today
from app.diary.taper_line import TaperLineView
from app.forum.models import Category, Post, PostStatus, Reaction, Thread, ThreadVisit, Visibility
from app.forum.permissions import can_see_category
from app.i18n import get_locale
from app.page_versions import STRUCTURE, PageVersion, thread_key
from app.pagination import Page, offset_for, pages_for


@dataclass
class ThreadRow:
    thread: Thread
    is_new: bool


@dataclass
class ReactionSummary:
    counts: dict[str, int] = field(default_factory=dict)
    mine: set[str] = field(default_factory=set)


def visible_thread_filter(viewer: User | None, viewer_id: ColumnElement[int] | None = None) -> ColumnElement[bool]:
    """`viewer_id`: the member's id as a bound parameter, for a statement built once and reused."""
    if viewer is not None and viewer.is_moderator:
        return Thread.status != PostStatus.deleted
    if viewer is not None:
        return or_(Thread.status == PostStatus.published,
                   and_(Thread.status == PostStatus.held,
                        Thread.author_id == (viewer_id if viewer_id is not None else viewer.id)))
    return Thread.status == PostStatus.published


def visible_post_filter(viewer: User | None) -> ColumnElement[bool]:
    """Posts listed in a thread: held ones only for their author and moderators.

    Deleted and hidden posts stay in the list as placeholders so that the
    conversation keeps its shape; their text is never sent to members.
    """
    shown = Post.status.in_([PostStatus.published, PostStatus.deleted, PostStatus.hidden])
    if viewer is not None and viewer.is_moderator:
        return Post.status.is_not(None)
    if viewer is not None:
        return or_(shown, and_(Post.status == PostStatus.held, Post.author_id == viewer.id))
    return shown


def list_categories(session: Session, viewer: User | None) -> list[tuple[Category, int, dt.datetime | None]]:
    """Categories with their visible thread counts and last activity (two queries)."""
    categories = list(session.scalars(select(Category).order_by(Category.position, Category.id)))
    stats = dict(
        (row.category_id, (row.threads, row.last))
        for row in session.execute(
            select(Thread.category_id, func.count(Thread.id).label("threads"),
                   func.max(Thread.last_post_at).label("last"))
            .where(Thread.status == PostStatus.published)
            .group_by(Thread.category_id)
        )
    )
    return [
        (c, *stats.get(c.id, (0, None)))
        for c in categories
        if can_see_category(viewer, c)  # a suspended or banned account sees what a visitor sees
    ]


def get_first_thread_by(session: Session, viewer: User | None, category: Category, author: User) -> Thread | None:
    """The author's earliest thread in a category that the viewer may see (e.g. their introduction)."""
    return session.scalar(
        select(Thread)
        .where(Thread.category_id == category.id, Thread.author_id == author.id, visible_thread_filter(viewer))
        .order_by(Thread.created_at, Thread.id)
        .limit(1)
    )
@dataclass
class CategoryOverview:
    category: Category
    shown: int  # threads the reader will see in the list (their languages, and their own threads)
    other_languages: int  # visible threads the language filter leaves out
    last: dt.datetime | None


def reading_filter(viewer: User | None, langs: list[str] | None) -> ColumnElement[bool]:
    """Threads in the reader's languages; a member's own threads always pass."""
    if not langs:
        return true()
    in_langs = Thread.lang.in_(langs)
    return or_(in_langs, Thread.author_id == viewer.id) if viewer is not None else in_langs


def category_overviews(session: Session, viewer: User | None, *, langs: list[str] | None) -> list[CategoryOverview]:
    """Categories with counts that match their lists: same visibility, same language filter (two queries)."""
    categories = [c for c in session.scalars(select(Category).order_by(Category.position, Category.id))
                  if c.visibility == Visibility.public or viewer is not None]
    reading = reading_filter(viewer, langs)
    rows = session.execute(
        select(Thread.category_id, func.count(Thread.id).label("visible"),
               func.count(case((reading, Thread.id))).label("shown"),
               func.max(case((reading, Thread.last_post_at))).label("last"))
        .where(visible_thread_filter(viewer))
        .group_by(Thread.category_id)
    )
    stats = {row.category_id: row for row in rows}
    out = []
    for category in categories:
        row = stats.get(category.id)
        shown = row.shown if row else 0
        out.append(CategoryOverview(category, shown, (row.visible - shown) if row else 0, row.last if row else None))
    return out


def count_other_language_threads(session: Session, viewer: User | None, category: Category,
                                 langs: list[str] | None) -> int:
    """Visible threads of a category that the reading-language filter hides."""
    if not langs:
        return 0
    return session.scalar(
        select(func.count(Thread.id)).where(Thread.category_id == category.id, visible_thread_filter(viewer),
                                            not_(reading_filter(viewer, langs)))
    ) or 0


def list_threads(session: Session, viewer: User | None, category: Category, *, langs: list[str] | None,
                 page: int, size: int) -> Page[ThreadRow]:
    """One query: threads by last activity with authors, the total, and the viewer's visits."""
    query = (
        select(Thread, func.count().over().label("total"))
        .join(Thread.author, isouter=True)
        .options(contains_eager(Thread.author))
        .where(Thread.category_id == category.id, visible_thread_filter(viewer))
        .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
        .limit(size)
        .offset(offset_for(page, size))
    )
    if langs:
        query = query.where(reading_filter(viewer, langs))
    if viewer is not None:
        query = query.add_columns(ThreadVisit.visited_at).join(
            ThreadVisit, and_(ThreadVisit.thread_id == Thread.id, ThreadVisit.user_id == viewer.id), isouter=True
        )
    rows = session.execute(query).all()
    total = rows[0].total if rows else 0
    items = []
    for row in rows:
        thread = row[0]
        visited = row.visited_at if viewer is not None else None
        is_new = viewer is not None and (visited is None or thread.last_post_at > visited)
        items.append(ThreadRow(thread=thread, is_new=is_new))
    return Page(items=items, page=page, pages=pages_for(total, size), total=total)


def _posts_query(viewer: User | None, thread: Thread, *, page: int, size: int) -> Select:
    return (
        select(Post, func.count().over().label("total"))
        .join(Post.author, isouter=True)
        .options(contains_eager(Post.author))
        .where(Post.thread_id == thread.id, visible_post_filter(viewer))
        .order_by(Post.created_at, Post.id)
        .limit(size)
        .offset(offset_for(page, size))
    )


def list_posts(session: Session, viewer: User | None, thread: Thread, *, page: int, size: int) -> Page[Post]:
    """One query: a page of posts with their authors and the filtered total."""
    rows = session.execute(_posts_query(viewer, thread, page=page, size=size)).all()
    total = rows[0].total if rows else 0
    return Page(items=[row[0] for row in rows], page=page, pages=pages_for(total, size), total=total)


@dataclass(frozen=True)
class ThreadPosts:
    posts: Page[Post]
    taper_lines: dict[int, TaperLineView]
    visited_at: dt.datetime | None  # the viewer's previous visit to the thread (None: none, or a visitor)


def list_posts_with_taper_lines(session: Session, viewer: User | None, thread: Thread, *, page: int,
                                size: int, with_visit: bool = True) -> ThreadPosts:
    """Still one query: the page of posts, each author's opt-in diary taper line, the viewer's last visit.

    The diary adds its line by an outer join (its own function, its own
    table), so the thread page keeps its query count; the line is worded in
    the page's language, for the reader.
    """
    query = _posts_query(viewer, thread, page=page, size=size)
    if viewer is not None and with_visit:
        query = query.add_columns(
            select(ThreadVisit.visited_at)
            .where(ThreadVisit.user_id == viewer.id, ThreadVisit.thread_id == thread.id)
            .scalar_subquery().label("visited_at"))
    rows = session.execute(diary_taper_line.with_taper_lines(query, Post.author_id)).all()
    total = rows[0].total if rows else 0
    lines = diary_taper_line.views_of([row[-1] for row in rows], locale=get_locale(), today=diary_today())
    return ThreadPosts(posts=Page(items=[row[0] for row in rows], page=page, pages=pages_for(total, size), total=total),
                       taper_lines=lines,
                       visited_at=rows[0].visited_at if rows and viewer is not None and with_visit else None)


@dataclass(frozen=True)
class ReaderState:
    """What a member's view of a thread page depends on besides the page itself."""

    versions: tuple[int, int]  # of STRUCTURE and of the thread (app/page_versions), as the page is read
    visited_at: dt.datetime | None  # the member's previous visit
    holds_own: bool  # the member has posts awaiting review here (listed for them alone)
    reactions: dict[int, ReactionSummary]  # the reactions the member gave in this thread (`mine` only)
    parts: dict[str, Any] = field(default_factory=dict)  # READER_STATE_PARTS, by name


#: What domains above the forum read about a member on a thread page (notifications: the watch
#: levels), asked in reader_state's one statement instead of one more each: name -> a scalar
#: subquery built from the bound member id, thread id and the thread's category id.
READER_STATE_PARTS: dict[str, Callable[[ColumnElement[int], ColumnElement[int], ColumnElement[int]],
                                       ColumnElement[Any]]] = {}


def reader_state(session: Session, viewer: User, thread: Thread) -> ReaderState:
    """One query; read before the posts, so that a page stored under these versions is never newer than them."""
    names = tuple(sorted(READER_STATE_PARTS))
    # On the session's connection: the ORM's execution (its compile state and result set-up) cost more than
    # the statement; a select of columns loads no objects, so the rows are the same.
    row = autoflushed_connection(session).execute(_reader_state_statement(names), {
        "user_id": viewer.id, "thread_id": thread.id, "category_id": thread.category_id,
        "structure_key": STRUCTURE, "thread_key": thread_key(thread.id),
    }).one()
    reactions: dict[int, ReactionSummary] = {}
    for pair in (row[4] or "").split(","):
        if pair:
            post_id, kind = pair.split(":", 1)
            reactions.setdefault(int(post_id), ReactionSummary()).mine.add(kind)
    return ReaderState(versions=(row[0] or 0, row[1] or 0), visited_at=row[2], holds_own=bool(row[3]),
                       reactions=reactions, parts=dict(zip(names, row[5:], strict=True)))


@functools.cache
def _reader_state_statement(names: tuple[str, ...]) -> Select:
    """Built once, values bound per request: building and hashing this statement cost more CPU than running it."""
    user_id, thread_id = bindparam("user_id", type_=Integer), bindparam("thread_id", type_=Integer)

    def version(name: str) -> ColumnElement[int]:
        return select(PageVersion.version).where(PageVersion.key == bindparam(name, type_=String)).scalar_subquery()

    given = (select(func.aggregate_strings(cast(Reaction.post_id, String) + ":" + Reaction.kind, ","))
             .join(Post, Post.id == Reaction.post_id)
             .where(Reaction.user_id == user_id, Post.thread_id == thread_id).scalar_subquery())
    category_id = bindparam("category_id", type_=Integer)
    return select(
        version("structure_key"), version("thread_key"),
        select(ThreadVisit.visited_at)
        .where(ThreadVisit.user_id == user_id, ThreadVisit.thread_id == thread_id).scalar_subquery(),
        exists().where(Post.thread_id == thread_id, Post.author_id == user_id, Post.status == PostStatus.held),
        given,
        *(READER_STATE_PARTS[name](user_id, thread_id, category_id).label(name) for name in names),
    )


def post_position(session: Session, viewer: User | None, post: Post) -> int:
    """How many visible posts come before this one in its thread (for permalinks)."""
    return session.scalar(
        select(func.count(Post.id)).where(
            Post.thread_id == post.thread_id,
            visible_post_filter(viewer),
            or_(Post.created_at < post.created_at, and_(Post.created_at == post.created_at, Post.id < post.id)),
        )
    ) or 0


def reaction_summaries(session: Session, viewer: User | None, post_ids: list[int]) -> dict[int, ReactionSummary]:
    """One query: per post and kind, the count and whether the viewer gave it."""
    if not post_ids:
        return {}
    mine = case((Reaction.user_id == (viewer.id if viewer else -1), 1), else_=0)
    rows = session.execute(
        select(Reaction.post_id, Reaction.kind, func.count(Reaction.id), func.max(mine))
        .where(Reaction.post_id.in_(post_ids))
        .group_by(Reaction.post_id, Reaction.kind)
    )
    summaries: dict[int, ReactionSummary] = {}
    for post_id, kind, count, given in rows:
        summary = summaries.setdefault(post_id, ReactionSummary())
        summary.counts[kind] = count
        if given:
            summary.mine.add(kind)
    return summaries


# ---------------------------------------------------------------- bulk reading (research exports)
@dataclass(frozen=True)
class ThreadForExport:
    id: int
    title: str
    lang: str
    category: str
    author_id: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class PostForExport:
    id: int
    thread_id: int
    author_id: int | None
    body: str
    created_at: dt.datetime
    edited: bool


def _export_thread_filter(category_slugs: list[str] | None, langs: list[str] | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Thread.status == PostStatus.published]
    if category_slugs:
        conditions.append(Category.slug.in_(category_slugs))
    if langs:
        conditions.append(Thread.lang.in_(langs))
    return conditions


def _export_post_filter(since: dt.datetime | None, until: dt.datetime | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Post.status == PostStatus.published]
    if since is not None:
        conditions.append(Post.created_at >= since)
    if until is not None:
        conditions.append(Post.created_at < until)
    return conditions


def count_published_posts(session: Session, *, category_slugs: list[str] | None = None,
                          langs: list[str] | None = None, since: dt.datetime | None = None,
                          until: dt.datetime | None = None) -> int:
    return session.scalar(
        select(func.count(Post.id)).join(Thread, Thread.id == Post.thread_id)
        .join(Category, Category.id == Thread.category_id)
        .where(*_export_thread_filter(category_slugs, langs), *_export_post_filter(since, until))
    ) or 0


def iter_published_threads(session: Session, *, category_slugs: list[str] | None = None,
                           langs: list[str] | None = None, since: dt.datetime | None = None,
                           until: dt.datetime | None = None, batch: int = 200,
                           ) -> Iterator[list[tuple[ThreadForExport, list[PostForExport]]]]:
    """Published threads with their published posts, a batch of threads at a time (keyset by id).

    Memory holds one batch: two queries per batch, posts in thread order from
    the (thread, created_at, id) index. Threads without a post in the date
    range are skipped.
    """
    last_id = 0
    while True:
        threads = session.execute(
            select(Thread.id, Thread.title, Thread.lang, Category.slug, Thread.author_id, Thread.created_at)
            .join(Category, Category.id == Thread.category_id)
            .where(Thread.id > last_id, *_export_thread_filter(category_slugs, langs))
            .order_by(Thread.id).limit(batch)
        ).all()
        if not threads:
            return
        last_id = threads[-1].id
        posts: dict[int, list[PostForExport]] = {}
        for row in session.execute(
            select(Post.id, Post.thread_id, Post.author_id, Post.body_md, Post.created_at, Post.edited_at)
            .where(Post.thread_id.in_([t.id for t in threads]), *_export_post_filter(since, until))
            .order_by(Post.thread_id, Post.created_at, Post.id)
        ):
            posts.setdefault(row.thread_id, []).append(
                PostForExport(row.id, row.thread_id, row.author_id, row.body_md, row.created_at,
                              row.edited_at is not None))
        yield [
            (ThreadForExport(t.id, t.title, t.lang, t.slug, t.author_id, t.created_at), posts[t.id])
            for t in threads if t.id in posts
        ]


def list_posts_by_author(session: Session, *, author_id: int, limit: int, offset: int = 0) -> list[Post]:
    """A member's own published posts, newest first, with their threads (for their own pages)."""
    return list(session.scalars(
        select(Post).join(Post.thread).options(contains_eager(Post.thread))
        .where(Post.author_id == author_id, Post.status == PostStatus.published)
        .order_by(Post.created_at.desc(), Post.id.desc()).limit(limit).offset(offset)
    ))


def list_reactors(session: Session, post_id: int, kind: str) -> list[int]:
    """Who gave this reaction to this post, the most recent first."""
    return list(session.scalars(
        select(Reaction.user_id).where(Reaction.post_id == post_id, Reaction.kind == kind)
        .order_by(Reaction.created_at.desc(), Reaction.id.desc())
    ))
