"""Review's answers to what the forum announces (connected by app/wiring.py)."""

from __future__ import annotations

from app.forum import events
from app.review import audit, data_reports, service


def on_post_screened(event: events.PostScreened) -> None:
    # What held the post is read before `record` replaces its findings with the edit's.
    held_for = service.hold_reasons(event.session, event.post) if event.edited else set()
    service.record(event.session, event.post, event.screening, edited=event.edited)
    if event.edited:
        service.release_if_cleared(event.session, event.post, event.screening, held_for=held_for)


def on_post_editing(event: events.PostEditing) -> None:
    service.mark_text_changed(event.session, post=event.post)


def on_thread_flags_changed(event: events.ThreadFlagsChanged) -> None:
    audit.record(event.session, actor=event.actor, action=f"thread.{event.action}", target_type="thread",
                 target_id=event.thread.id)


def on_post_removed(event: events.PostRemoved) -> None:
    if event.how == "erased":  # an account erased with its posts' text: nothing is left to judge
        service.close_items_of_erased(event.session, post_ids=event.post_ids)


def connect() -> None:
    events.subscribe(events.PostScreened, on_post_screened)
    events.subscribe(events.PostEditing, on_post_editing)
    events.subscribe(events.PostRemoved, on_post_removed)
    events.subscribe(events.ThreadFlagsChanged, on_thread_flags_changed)
    data_reports.connect()
