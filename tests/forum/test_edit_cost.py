"""An edit's cost: parsed before the write lock, once per text, and limited per hour like posting."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import markdown
from app.forum import service
from app.settings import Settings, TrustSettings
from tests.factories import api_login, make_category, make_thread, make_user


def test_an_edit_parses_each_text_once_and_before_the_post_is_locked(session: Session,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    author = make_user(session, "Auteur")
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=author,
                         body="Bonjour @Autre, je diminue doucement.")
    events: list[str] = []
    real_parse, real_lock = markdown.MarkdownIt.parse, service._lock_status

    def parse(self: object, src: str, env: object = None) -> object:
        events.append("parse")
        return real_parse(self, src, env)  # type: ignore[arg-type]

    def lock(*args: object, **kwargs: object) -> object:
        events.append("lock")
        return real_lock(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(markdown.MarkdownIt, "parse", parse)
    monkeypatch.setattr(service, "_lock_status", lock)
    service.edit_post(session, post=posted.post, editor=author, body="Bonjour @Autre, je diminue toujours.")
    assert events == ["parse", "parse", "lock"]  # the new text and the one it replaces, then the lock
    events.clear()
    service.edit_post(session, post=posted.post, editor=author, body="Bonjour @Autre, je diminue toujours.",
                      content_note="doses")
    assert events == ["lock"]  # the same text: nothing to parse


def test_edits_are_limited_per_hour_with_a_clear_answer(client: TestClient, session: Session,
                                                        settings: Settings) -> None:
    settings.trust = TrustSettings(edits_per_hour=2)
    author = make_user(session, "Auteur")
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=author)
    session.commit()
    token = api_login(client, "Auteur")
    answers = [client.patch(f"/api/v1/posts/{posted.post.id}", json={"body": f"Version {n}, je diminue."},
                            headers={"X-CSRF-Token": token, "Accept-Language": "nl"}) for n in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "bewerkt" in answers[2].json()["detail"] and answers[2].headers.get("Retry-After")
