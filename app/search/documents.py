"""Turning posts into index documents, and deciding which posts may be indexed at all."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, bindparam, inspect, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app import markdown
from app.accounts import names
from app.accounts import service as accounts
from app.db import autoflushed_connection
from app.forum import references
from app.forum.models import Category, Post, PostStatus, Thread, Visibility
from app.i18n import BRUSSELS
from app.plain_text import strip_bidi_overrides, strip_controls
from app.search import outbox
from app.search.backend import Document

_MARKDOWN_NOISE = re.compile(r"(^|\n)\s{0,3}(>|#{1,6}|[-*+]|\d+\.)\s*|[*_`~]{1,3}|!?\[([^\]]*)\]\([^)]*\)")


def plain_text(markdown_text: str) -> str:
    """Markdown reduced to the words a reader sees (links keep their text)."""
    # Controls too (posts saved before they were stripped on input): \x02/\x03 are snippet markers.
    text = _MARKDOWN_NOISE.sub(lambda m: m.group(3) or (m.group(1) or "") + " ", strip_controls(markdown_text))
    return " ".join(text.split())


def without_quotes(markdown_text: str) -> str:
    """`markdown_text` without its quotes of other posts (`markdown.quote`, at any depth).

    The quoted post is indexed itself: indexing its copy again would only find the
    same words twice, under another post, and keep them (with the quoted member's
    pseudonym) where the quoted post's own fate does not reach: hidden, deleted, or
    withheld while its author's erasure waits (app.forum.quotes). A member's own
    blockquotes (a leaflet's words, say) stay.
    """
    return markdown.replace_quotes(markdown_text, lambda _author, _depth: "")


def document_text(markdown_text: str, withheld: frozenset[str] = frozenset()) -> str:
    """What the index holds of a post's body: its own words, as a reader sees them.

    `withheld`: the folded pseudonyms of members whose erasure, with their posts' text, waits
    (accounts.withdrawn_folded_pseudonyms): their @mentions are left out, as pages show them withheld
    (app.forum.quotes.shown_bodies). Their posts mentioned are re-indexed when the grace starts and
    when it is cancelled (`queue_mentions_of`).
    """
    # Without text-direction controls too (posts saved before they were refused): see text.snippet.
    text = references.withhold_mentions(without_quotes(markdown_text), withheld, "")
    return plain_text(strip_bidi_overrides(text))


def _withheld_names(session: Session, bodies: Iterable[str]) -> frozenset[str]:
    """The members whose mentions leave the documents; no query unless a body may mention someone."""
    if not any("@" in body for body in bodies):
        return frozenset()
    return accounts.withdrawn_folded_pseudonyms(session)


def queue_mentions_of(session: Session, pseudonym: str) -> int:
    """Re-index the published posts that mention `pseudonym` (their documents change with the erasure's grace).

    Matched in the database without case (SQLite folds ASCII letters only); the outbox is per post.
    """
    needles = {f"@{pseudonym}", f"@{names.folded(pseudonym)}"}
    ids = list(session.scalars(select(Post.id).where(
        Post.status == PostStatus.published, or_(*(Post.body_md.icontains(n, autoescape=True) for n in needles)))
        .order_by(Post.id)))
    for post_id in ids:
        outbox.enqueue(session, "post", post_id)
    return len(ids)


def start_of_day(day: dt.date) -> dt.datetime:
    """Dates in filters are Belgian calendar days."""
    return dt.datetime.combine(day, dt.time(), tzinfo=BRUSSELS).astimezone(dt.UTC)


def indexable() -> ColumnElement[bool]:
    """Only published posts of published threads: held, hidden and deleted never go in."""
    return and_(Post.status == PostStatus.published, Thread.status == PostStatus.published)


def visible_now(members_visible: bool) -> ColumnElement[bool]:
    """The same rule checked at query time against the live tables (defence in depth)."""
    condition = indexable()
    if not members_visible:
        condition = and_(condition, Category.visibility == Visibility.public)
    return condition


def _documents_query() -> Any:
    # Columns, not entities: a document needs nine values, and rows of columns cost far
    # less to load than three mapped objects each (the indexer runs this after every post).
    return (
        select(Post.id, Post.body_md, Post.created_at, Thread.id.label("thread_id"), Thread.title, Thread.lang,
               Category.id.label("category_id"), Category.slug, Category.visibility)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Category, Category.id == Thread.category_id)
        .where(indexable())
    )


def _document(row: Any, withheld: frozenset[str]) -> Document:
    return Document(
        post_id=row.id, thread_id=row.thread_id, title=row.title, body=document_text(row.body_md, withheld),
        lang=row.lang,
        category_id=row.category_id, category=row.slug, visibility=row.visibility, created_at=row.created_at,
    )


# Built once: the indexer executes it after every post (no statement rebuilt and re-walked each time).
_BY_IDS = _documents_query().where(Post.id.in_(bindparam("ids", expanding=True)))


_POST_COLUMNS = frozenset(("id", "thread_id", "status", "body_md", "created_at", "thread"))
_THREAD_COLUMNS = frozenset(("id", "category_id", "status", "title", "lang", "category"))
_CATEGORY_COLUMNS = frozenset(("id", "slug", "visibility"))


def _as_written(obj: Any, columns: frozenset[str]) -> bool:
    """Whether `obj` holds these attributes as its transaction wrote or read them (nothing expired or unflushed)."""
    if obj is None:
        return False
    state = inspect(obj)
    return not (state.modified or state.expired or state.detached or columns & state.unloaded)


def _in_hand(post: Post) -> tuple[bool, tuple[Post, Thread, Category] | None]:
    """A new post's document's sources from the objects its transaction wrote and loaded (no query): (True, the
    post, its thread and category, or None when it may not be indexed), or (False, None) when the objects cannot
    tell for sure."""
    thread = post.thread if _as_written(post, _POST_COLUMNS) else None
    category = thread.category if thread is not None and _as_written(thread, _THREAD_COLUMNS) else None
    if thread is None or category is None or not _as_written(category, _CATEGORY_COLUMNS) \
            or thread.id != post.thread_id or category.id != thread.category_id:
        return False, None
    if post.status != PostStatus.published or thread.status != PostStatus.published:
        return True, None
    return True, (post, thread, category)


def load_documents(session: Session, post_ids: Iterable[int]) -> dict[int, Document]:
    """The documents of the indexable posts among `post_ids` (the others may not be found).

    A post its own transaction just inserted (a reply, applied to SQLite's index before
    its commit) is built from the objects that transaction holds (`outbox.IN_HAND`): its
    row as written, its thread and category as loaded to check the reply; the rest is
    read from the tables.
    """
    ids = list(post_ids)
    in_hand: list[tuple[Post, Thread, Category]] = []
    inserted: dict[int, Post] | None = session.info.get(outbox.IN_HAND)
    if inserted:
        remaining = []
        for post_id in ids:
            post = inserted.get(post_id)
            known, objects = _in_hand(post) if post is not None else (False, None)
            if not known:
                remaining.append(post_id)
            elif objects is not None:
                in_hand.append(objects)
        ids = remaining
    rows = autoflushed_connection(session).execute(_BY_IDS, {"ids": ids}).all() if ids else []
    if not rows and not in_hand:
        return {}
    withheld = _withheld_names(session, [*(row.body_md for row in rows), *(post.body_md for post, _, _ in in_hand)])
    found = {row.id: _document(row, withheld) for row in rows}
    for post, thread, category in in_hand:  # the same columns as _BY_IDS reads, from the objects
        found[post.id] = _document(SimpleNamespace(
            id=post.id, thread_id=thread.id, title=thread.title, body_md=post.body_md, lang=thread.lang,
            category_id=category.id, slug=category.slug, visibility=category.visibility,
            created_at=post.created_at), withheld)
    return found


def documents_after(session: Session, after_id: int, limit: int) -> list[Document]:
    """The next batch of indexable posts by id, for a resumable rebuild."""
    rows = session.execute(_documents_query().where(Post.id > after_id).order_by(Post.id).limit(limit)).all()
    withheld = _withheld_names(session, (row.body_md for row in rows))
    return [_document(row, withheld) for row in rows]


def indexable_ids(session: Session) -> set[int]:
    return set(
        session.scalars(select(Post.id).join(Thread, Thread.id == Post.thread_id).where(indexable()))
    )


def post_ids_for(session: Session, entity: str, entity_id: int) -> list[int]:
    """Which posts an outbox entry touches (a thread or category change touches all of theirs)."""
    if entity == "post":
        return [entity_id]
    if entity == "thread":
        return list(session.scalars(select(Post.id).where(Post.thread_id == entity_id)))
    if entity == "category":
        return list(
            session.scalars(select(Post.id).join(Thread, Thread.id == Post.thread_id)
                            .where(Thread.category_id == entity_id))
        )
    return []
