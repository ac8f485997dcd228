"""The JSON contract: /me/notifications, /me/notifications/read, /threads/{id}/watch, and their extensions."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.notifications.models import ThreadWatch
from tests.factories import api_login, make_category, make_reply, make_thread, make_user
from tests.notifications.helpers import set_preferences


def _two_replies(session: Session) -> tuple[int, list[int]]:
    anne, bert = make_user(session, "Anne"), make_user(session, "Bert")
    posted = make_thread(session, category=make_category(session), author=anne, body="Mon texte à moi")
    replies = [make_reply(session, posted=posted, author=bert, body=f"Réponse privée {i}").post.id for i in range(2)]
    session.commit()
    return posted.thread.id, replies


def test_list_and_read_notifications(client: TestClient, session: Session) -> None:
    thread_id, replies = _two_replies(session)
    token = api_login(client, "Anne")
    body = client.get("/api/v1/me/notifications?unread=1").json()
    assert body["unread"] == 2
    item = body["items"][0]
    assert set(item) >= {"id", "kind", "thread_id", "post_id", "actor", "created_at", "read"}
    assert (item["kind"], item["thread_id"], item["post_id"], item["read"]) == ("reply", thread_id, replies[1], False)
    assert item["actor"]["pseudonym"] == "Bert" and item["url"] == f"/fr/p/{replies[1]}"
    assert "Réponse privée" not in str(body) and "Mon texte" not in str(body)  # ids and kinds, never post text
    marked = client.post("/api/v1/me/notifications/read", json={"ids": [item["id"]]}, headers={"X-CSRF-Token": token})
    assert marked.json() == {"marked": 1, "unread": 1}
    assert len(client.get("/api/v1/me/notifications?unread=1").json()["items"]) == 1
    assert len(client.get("/api/v1/me/notifications").json()["items"]) == 2
    everything = client.post("/api/v1/me/notifications/read", json={"all": True}, headers={"X-CSRF-Token": token})
    assert everything.json() == {"marked": 1, "unread": 0}
    assert client.get("/api/v1/me/notifications/count").json() == {"unread": 0}


def test_reading_needs_something_to_read_and_ignores_others_ids(client: TestClient, session: Session) -> None:
    _two_replies(session)
    make_user(session, "Carl")
    session.commit()
    anne_token = api_login(client, "Anne")
    ids = [i["id"] for i in client.get("/api/v1/me/notifications").json()["items"]]
    empty = client.post("/api/v1/me/notifications/read", json={}, headers={"X-CSRF-Token": anne_token})
    assert empty.status_code == 422 and empty.json()["field"] == "ids"
    client.cookies.clear()
    carl_token = api_login(client, "Carl")
    stolen = client.post("/api/v1/me/notifications/read", json={"ids": ids}, headers={"X-CSRF-Token": carl_token})
    assert stolen.json() == {"marked": 0, "unread": 0}
    client.cookies.clear()
    api_login(client, "Anne")
    assert client.get("/api/v1/me/notifications/count").json() == {"unread": 2}


def test_notifications_need_a_member_and_a_token(client: TestClient, session: Session) -> None:
    assert client.get("/api/v1/me/notifications").status_code == 401
    _two_replies(session)
    api_login(client, "Anne")
    assert client.post("/api/v1/me/notifications/read", json={"all": True}).status_code == 403  # no CSRF header


def test_put_watch_levels(client: TestClient, session: Session) -> None:
    thread_id, _replies = _two_replies(session)
    carl = make_user(session, "Carl")
    session.commit()
    token = api_login(client, "Carl")
    for level in ("watching", "muted", "normal"):
        response = client.put(f"/api/v1/threads/{thread_id}/watch", json={"level": level},
                              headers={"X-CSRF-Token": token})
        assert response.json() == {"thread_id": thread_id, "level": level}
        assert session.scalar(select(ThreadWatch.level).where(ThreadWatch.user_id == carl.id)) == level
        session.commit()
    bad = client.put(f"/api/v1/threads/{thread_id}/watch", json={"level": "loud"}, headers={"X-CSRF-Token": token})
    assert bad.status_code == 422
    missing = client.put("/api/v1/threads/999999/watch", json={"level": "muted"}, headers={"X-CSRF-Token": token})
    assert missing.status_code == 404


def test_preferences_and_category_watch(client: TestClient, session: Session) -> None:
    make_category(session, "sommeil")
    make_user(session, "Anne")
    session.commit()
    token = api_login(client, "Anne")
    prefs = client.get("/api/v1/me/notification-preferences").json()
    assert prefs["kinds"]["reaction"] is False and prefs["kinds"]["mention"] is True
    assert prefs["always_delivered"] == ["moderation_statement", "moderator_message"]
    changed = client.put("/api/v1/me/notification-preferences", json={"kinds": {"reaction": True, "mention": False},
                                                                      "watch_replied": False},
                         headers={"X-CSRF-Token": token}).json()
    assert changed["kinds"]["reaction"] is True and changed["kinds"]["mention"] is False
    assert changed["watch_replied"] is False and changed["watch_started"] is True
    refused = client.put("/api/v1/me/notification-preferences", json={"kinds": {"moderator_message": False}},
                         headers={"X-CSRF-Token": token})
    assert refused.status_code == 422
    watched = client.put("/api/v1/categories/sommeil/watch", json={"level": "new_threads"},
                         headers={"X-CSRF-Token": token})
    assert watched.json() == {"category": "sommeil", "level": "new_threads"}


def test_watched_threads_with_unread_counts(client: TestClient, session: Session) -> None:
    thread_id, replies = _two_replies(session)
    api_login(client, "Anne")
    items = client.get("/api/v1/me/watched-threads").json()["items"]
    assert [(i["thread_id"], i["unread"], i["first_unread_post_id"]) for i in items] == [
        (thread_id, 2, replies[0])]


def test_mention_suggestions_respect_privacy(client: TestClient, session: Session) -> None:
    thread_id, _replies = _two_replies(session)
    make_user(session, "Bertrand", published_posts=0)  # never posted: their pseudonym is not public yet
    blocked = make_user(session, "Berthe")
    set_preferences(session, blocked, mention=False)
    make_user(session, "Bernard")
    session.commit()
    api_login(client, "Anne")
    found = client.get(f"/api/v1/members/mentionable?q=@ber&thread_id={thread_id}").json()
    assert found == {"pseudonyms": ["Bert", "Bernard"]}  # who is in the thread first
    assert client.get("/api/v1/members/mentionable?q=b").json() == {"pseudonyms": []}  # two letters at least
    client.cookies.clear()
    assert client.get("/api/v1/members/mentionable?q=ber").status_code == 401
