"""The transactional outbox: what changed is recorded for the index in the same transaction.

Domains may call `enqueue` explicitly, and a flush listener also records every
ORM change that can alter what search may show (a post created, edited, hidden,
deleted or moved; a thread renamed, moved, hidden or re-languaged; a category's
visibility or slug changed). The listener is the safety net: a moderation path
written later cannot forget the index. Bulk `update()` statements bypass it;
for those, call `enqueue` (and the query-time filter still hides the post).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, event, false, insert, inspect, literal, select
from sqlalchemy.orm import Session

from app.db import INSERT_COMPANIONS, INSERTED_HOOKS, UTCDateTime, after_commit
from app.forum.models import Category, Post, Thread
from app.search.models import OutboxEntry

# Attributes whose change can alter a document or whether it may be found.
WATCHED: dict[type, tuple[str, tuple[str, ...]]] = {
    Post: ("post", ("status", "body_md", "thread_id")),
    Thread: ("thread", ("title", "status", "category_id", "lang")),
    Category: ("category", ("visibility", "slug")),
}
_OUTBOX_TABLE = cast(Table, OutboxEntry.__table__)
_INSERT = insert(_OUTBOX_TABLE).values(entity=bindparam("entity"),
                                                           entity_id=bindparam("entity_id"))
_QUEUED = "search_outbox_queued"  # (entity, id) already written in this transaction
_FOUND = "search_outbox_found"  # (entity, id) seen by the flush listener, written after the flush
_HOOK_KEY = "search-outbox"  # the indexer's after-commit callback
# SQLite's own index, applied before the commit: (entity, id) applied from here, a row written only if that fails.
_UNWRITTEN = "search_outbox_unwritten"
_APPLIED = "search_outbox_applied"  # this transaction's before-commit application ran: later entries are rows
#: The posts this transaction inserted (app.db.attach_inserted), by id: their documents are in hand
#: (documents.load_documents). Dropped when the transaction or a SAVEPOINT ends.
IN_HAND = "search_documents_in_hand"


def enqueue(session: Session, entity: str, entity_id: int, *, written: bool = False) -> None:
    """Record a change for the index, in the caller's transaction (once per entity and transaction).

    After that transaction commits, the in-process indexer (if configured) runs;
    if it rolls back, the entry and the hook vanish with it. An indexer that applies
    the outbox in the writing transaction (SQLite's own index) takes this
    transaction's entries from the session, before the commit: a row is written for
    them only if that fails (for the drain after the commit to retry), so a reply
    writes and deletes no outbox row. `written`: the row is already written (`_companion`).
    """
    queued: set[tuple[str, int]] = session.info.setdefault(_QUEUED, set())
    if (entity, entity_id) in queued:
        return
    queued.add((entity, entity_id))
    db = session.info.get("db")
    hook = getattr(db, "on_outbox", None)
    if written:
        pass
    elif getattr(hook, "in_transaction", False) and not session.info.get(_APPLIED):
        session.info.setdefault(_UNWRITTEN, []).append((entity, entity_id))
    else:
        # A Core INSERT (the statement built once), not session.add: no flush of its own, and
        # safe from a flush listener (after_flush_postexec), where the page versions write too.
        session.connection().execute(_INSERT, {"entity": entity, "entity_id": entity_id})
    if hook is not None:
        after_commit(session, hook, key=_HOOK_KEY)


def _write_rows(session: Session, entries: list[tuple[str, int]]) -> None:
    rows = [{"entity": entity, "entity_id": entity_id} for entity, entity_id in entries]
    session.connection().execute(_INSERT, rows if len(rows) > 1 else rows[0])


def _changed(obj: Any, attributes: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in attributes)


@event.listens_for(Session, "before_flush")
def _posts_of_deleted_threads(session: Session, _context: Any, _instances: Any) -> None:
    # A thread deleted outright takes its posts with it (ON DELETE CASCADE): note
    # their ids now, while they can still be read, so they leave the index too.
    thread_ids = [obj.id for obj in session.deleted if isinstance(obj, Thread)]
    if thread_ids:
        found = session.info.setdefault(_FOUND, set())
        with session.no_autoflush:
            found.update(("post", i) for i in session.scalars(select(Post.id).where(Post.thread_id.in_(thread_ids))))


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    found: set[tuple[str, int]] = session.info.setdefault(_FOUND, set())
    # A new thread or category has no post yet: only new posts matter.
    for obj in (*(o for o in session.new if isinstance(o, Post)), *session.deleted):
        watched = WATCHED.get(type(obj))
        if watched is not None and obj.id is not None:
            found.add((watched[0], obj.id))
    for obj in session.dirty:
        watched = WATCHED.get(type(obj))
        if watched is not None and _changed(obj, watched[1]):
            found.add((watched[0], obj.id))


@event.listens_for(Session, "after_flush_postexec")
def _write(session: Session, _context: Any) -> None:
    # Adding objects is allowed here (not in after_flush); commit flushes again until clean.
    for entity, entity_id in sorted(session.info.pop(_FOUND, set())):
        enqueue(session, entity, entity_id)


def _inserted(session: Session, obj: Any, companions: bool) -> None:
    """A new post written by a Core INSERT (app.db.attach_inserted): recorded as the flush listener would
    (`companions`: its outbox row was written by the same statement, `_companion`)."""
    if isinstance(obj, Post):
        session.info.setdefault(IN_HAND, {})[obj.id] = obj  # its document is in hand (documents.load_documents)
        enqueue(session, WATCHED[Post][0], obj.id, written=companions)


INSERTED_HOOKS.append(_inserted)


def _companion(new_post: Any) -> Any:
    """PostgreSQL: a new post's outbox row, written by the post's own INSERT statement (app.db.INSERT_COMPANIONS).

    Only where `enqueue` writes a row for a new post anyway: PostgreSQL (SQLite's own index applies a
    reply in its transaction and writes no row, and SQLite has no data-modifying CTEs).
    """
    return insert(_OUTBOX_TABLE).from_select(
        ["entity", "entity_id", "local_done", "created_at"],
        select(literal(WATCHED[Post][0]), new_post.c.id, false(), bindparam("p_created_at", type_=UTCDateTime())))


INSERT_COMPANIONS.setdefault("forum_posts", []).append(_companion)


@event.listens_for(Session, "before_commit")
def _apply_before_commit(session: Session) -> None:
    """An indexer that applies the outbox in the writing transaction does it now (SQLite's own index)."""
    if session.in_nested_transaction() or not (session.info.get(_QUEUED) or session.info.get(_UNWRITTEN)):
        return
    hook = getattr(session.info.get("db"), "on_outbox", None)
    if not getattr(hook, "in_transaction", False):
        return
    session.flush()  # entries of what is still unflushed are recorded by the flush listener
    unwritten = session.info.pop(_UNWRITTEN, [])
    session.info[_APPLIED] = True  # an entry recorded after this point (a later listener's flush) is a row
    applied, rows_left = hook.apply_in_transaction(session, unwritten)  # type: ignore[union-attr]
    if not applied and unwritten:
        _write_rows(session, unwritten)  # the index could not be written: the drain after the commit retries
    elif not rows_left:
        session.info.get("after_commit", {}).pop(_HOOK_KEY, None)  # nothing left for the drain


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # a released SAVEPOINT: the transaction goes on
        _forget(session)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session, *_args: Any) -> None:
    # Also on a SAVEPOINT's rollback: entries written inside it are gone, so none is
    # assumed written any more (at worst an entity is queued twice, which is harmless).
    session.info.pop(_QUEUED, None)
    session.info.pop(_FOUND, None)
    session.info.pop(IN_HAND, None)  # a post inserted inside a rolled-back SAVEPOINT is gone: read, never assumed


@event.listens_for(Session, "after_transaction_end")
def _end(session: Session, transaction: Any) -> None:
    # Kept through a SAVEPOINT's rollback (entries of changes made inside it are applied anyway:
    # harmless, documents are re-read), dropped when the outermost transaction ends.
    if transaction.parent is None:
        session.info.pop(_UNWRITTEN, None)
        session.info.pop(_APPLIED, None)
        session.info.pop(IN_HAND, None)
