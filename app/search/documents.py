"""Turning posts into index documents, and deciding which posts may be indexed at all."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.forum.models import Category, Post, PostStatus, Thread, Visibility
from app.i18n import BRUSSELS
from app.plain_text import strip_controls
from app.search.backend import Document

_MARKDOWN_NOISE = re.compile(r"(^|\n)\s{0,3}(>|#{1,6}|[-*+]|\d+\.)\s*|[*_`~]{1,3}|!?\[([^\]]*)\]\([^)]*\)")


def plain_text(markdown_text: str) -> str:
    """Markdown reduced to the words a reader sees (links keep their text)."""
    # Controls too (posts saved before they were stripped on input): \x02/\x03 are snippet markers.
    text = _MARKDOWN_NOISE.sub(lambda m: m.group(3) or (m.group(1) or "") + " ", strip_controls(markdown_text))
    return " ".join(text.split())


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
    return (
        select(Post, Thread, Category)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Category, Category.id == Thread.category_id)
        .where(indexable())
    )


def _document(post: Post, thread: Thread, category: Category) -> Document:
    return Document(
        post_id=post.id, thread_id=thread.id, title=thread.title, body=plain_text(post.body_md), lang=thread.lang,
        category_id=category.id, category=category.slug, visibility=category.visibility, created_at=post.created_at,
    )


def load_documents(session: Session, post_ids: Iterable[int]) -> dict[int, Document]:
    ids = list(post_ids)
    if not ids:
        return {}
    rows = session.execute(_documents_query().where(Post.id.in_(ids))).all()
    return {row[0].id: _document(row[0], row[1], row[2]) for row in rows}


def documents_after(session: Session, after_id: int, limit: int) -> list[Document]:
    """The next batch of indexable posts by id, for a resumable rebuild."""
    rows = session.execute(_documents_query().where(Post.id > after_id).order_by(Post.id).limit(limit)).all()
    return [_document(row[0], row[1], row[2]) for row in rows]


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
