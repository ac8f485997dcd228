"""The review contract: the queue, decisions, reports, a member's statements (shapes, order, refusals)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.review.models import Report, ReviewItem
from app.settings import Settings
from tests.factories import html_login, make_user
from tests.review.helpers import CALM, CRISIS, PHONE, SOURCING, as_member, decide, moderator, open_item, post

REASONS = ("stigma", "medical_advice", "worried", "sourcing", "personal_data", "spam", "illegal", "other")


def test_the_queue_contract_and_its_order(client: TestClient, session: Session) -> None:
    author = make_user(session, "Auteur")
    moderator(session, "Modo")
    newcomer = make_user(session, "Nouveau", approved_posts=0)
    welcome = post(session, newcomer, CALM, title="Bonjour")
    reported = post(session, author, CALM, title="Signalé")
    phone = post(session, author, PHONE, title="Téléphone")
    crisis = post(session, author, CRISIS, title="Crise")
    make_user(session, "Lecteur")
    session.commit()
    token = as_member(client, "Lecteur")
    assert client.post(f"/api/v1/posts/{reported.post.id}/reports", json={"reason": "spam", "text": ""},
                       headers={"X-CSRF-Token": token}).status_code == 201
    as_member(client, "Modo")
    body = client.get("/api/v1/review/queue").json()
    items = body["items"]
    assert [i["post_id"] for i in items] == [crisis.post.id, phone.post.id, reported.post.id, welcome.post.id]
    first = items[0]
    assert set(first) >= {"id", "kind", "priority", "lang", "post_id", "thread_id", "findings", "reports",
                          "created_at"}
    assert first["kind"] == "crisis" and first["lang"] == "fr" and first["thread_id"] == crisis.thread.id
    assert first["findings"][0]["category"] == "crisis" and first["findings"][0]["match"] in CRISIS
    assert items[2]["kind"] == "report" and items[2]["reports"][0]["reason"] == "spam"
    assert items[3]["kind"] == "welcome" and items[3]["newcomer"] is True
    assert [p["priority"] for p in items] == sorted((p["priority"] for p in items), reverse=True)
    # Filters by kind and language.
    assert [i["post_id"] for i in client.get("/api/v1/review/queue?kind=report").json()["items"]] == [
        reported.post.id]
    assert client.get("/api/v1/review/queue?lang=nl").json()["items"] == []


def test_oldest_first_within_a_priority(client: TestClient, session: Session) -> None:
    author = make_user(session, "Auteur")
    moderator(session, "Modo")
    older, newer = post(session, author, SOURCING, title="Avant"), post(session, author, SOURCING, title="Après")
    session.commit()
    as_member(client, "Modo")
    assert [i["post_id"] for i in client.get("/api/v1/review/queue").json()["items"]] == [older.post.id,
                                                                                         newer.post.id]


def test_the_queue_refuses_members_and_visitors(client: TestClient, session: Session) -> None:
    make_user(session, "Membre")
    session.commit()
    assert client.get("/api/v1/review/queue").status_code == 401
    as_member(client, "Membre")
    assert client.get("/api/v1/review/queue").status_code == 403


def test_a_moderator_sees_only_the_languages_they_moderate(client: TestClient, session: Session) -> None:
    author = make_user(session, "Auteur")
    moderator(session, "ModoNL", langs="nl")
    moderator(session, "ModoFR", langs="fr")  # French is taken: its held posts wait for its own moderators
    french = post(session, author, SOURCING)
    dutch = post(session, author, "Ik verkoop mijn Xanax-pillen, stuur me een privébericht.", lang="nl")
    session.commit()
    token = as_member(client, "ModoNL")
    assert [i["post_id"] for i in client.get("/api/v1/review/queue").json()["items"]] == [dutch.post.id]
    french_item = open_item(session, french.post.id)
    assert client.get(f"/api/v1/review/items/{french_item.id}").status_code == 404
    assert decide(client, token, french_item.id, "approve", "Non.")["status"] == 404


@pytest.mark.parametrize("action", ["approve", "hide", "delete", "edit", "lock", "warn", "silence", "suspend", "ban"])
def test_every_contract_action_returns_the_statement_sent(client: TestClient, session: Session, action: str) -> None:
    author = make_user(session, "Auteur")
    make_user(session, "Lecteur")
    moderator(session, "Modo")
    posted = post(session, author, CALM)
    session.commit()
    token = as_member(client, "Lecteur")
    client.post(f"/api/v1/posts/{posted.post.id}/reports", json={"reason": "sourcing", "text": "Il vend."},
                headers={"X-CSRF-Token": token})
    token = as_member(client, "Modo")
    extra = {"duration_days": 7} if action in ("silence", "suspend") else {}
    if action == "edit":
        extra = {"body": "Message modifié par la modération."}
    result = decide(client, token, open_item(session, posted.post.id).id, action,
                    "Proposer des médicaments n'est pas permis ici.", rule="trading", **extra)
    assert result["status"] == 200, result
    statement = result["body"]["statement"]
    assert statement is not None or action == "approve"  # approving a post already out changes nothing for it
    if statement is None:
        return
    assert statement["action"] == action and statement["rule"] == "trading" and statement["automated"] is False
    assert statement["reason"] == "Proposer des médicaments n'est pas permis ici."
    assert statement["appeal_url"] and result["body"]["item_status"] == "resolved"
    as_member(client, "Auteur")
    mine = client.get("/api/v1/me/statements").json()["items"]
    assert [s["id"] for s in mine] == [statement["id"]]
    assert set(mine[0]) >= {"id", "action", "reason", "rule", "automated", "created_at", "appeal_url"}


def test_a_member_action_on_a_held_post_leaves_its_item_open(client: TestClient, session: Session) -> None:
    posted = post(session, make_user(session, "Auteur"), SOURCING)
    moderator(session, "Modo")
    session.commit()
    token = as_member(client, "Modo")
    item_id = open_item(session, posted.post.id).id
    warned = decide(client, token, item_id, "warn", "Proposer des médicaments n'est pas permis.", rule="trading")
    assert warned["status"] == 200 and warned["body"]["item_status"] == "open"  # the post still waits
    assert decide(client, token, item_id, "delete", "Vente.", rule="trading")["body"]["item_status"] == "resolved"


def test_a_decision_needs_a_reason_and_a_known_action(client: TestClient, session: Session) -> None:
    posted = post(session, make_user(session, "Auteur"), SOURCING)
    moderator(session, "Modo")
    session.commit()
    token = as_member(client, "Modo")
    item_id = open_item(session, posted.post.id).id
    assert decide(client, token, item_id, "hide", "   ")["status"] == 422
    assert decide(client, token, item_id, "explode", "Non.")["status"] == 422
    assert decide(client, token, item_id, "silence", "Trop.", rule="respect")["status"] == 422  # no duration
    assert decide(client, token, 999999, "hide", "Non.")["status"] == 404
    session.expire_all()
    assert session.get(ReviewItem, item_id).status == "open"  # type: ignore[union-attr]


def test_a_stale_version_is_refused(client: TestClient, session: Session) -> None:
    author = make_user(session, "Auteur")
    moderator(session, "Modo")
    posted = post(session, author, CRISIS)
    session.commit()
    item = open_item(session, posted.post.id)
    seen = item.version
    make_user(session, "Lecteur")
    session.commit()
    token = as_member(client, "Lecteur")
    client.post(f"/api/v1/posts/{posted.post.id}/reports", json={"reason": "worried", "text": "Je m'inquiète."},
                headers={"X-CSRF-Token": token})  # a report arrives meanwhile: the item changes
    token = as_member(client, "Modo")
    stale = decide(client, token, item.id, "approve", "OK.", rule="safety", version=seen)
    assert stale["status"] == 409 and "changé" in stale["body"]["detail"]
    fresh = client.get(f"/api/v1/review/items/{item.id}").json()
    assert len(fresh["reports"]) == 1
    assert decide(client, token, item.id, "approve", "Vu, soutien envoyé.", rule="safety",
                  version=fresh["version"])["status"] == 200


@pytest.mark.parametrize("reason", REASONS)
def test_reports_contract(client: TestClient, session: Session, reason: str) -> None:
    author = make_user(session, "Auteur")
    make_user(session, "Lecteur")
    posted = post(session, author, CALM)
    session.commit()
    token = as_member(client, "Lecteur")
    response = client.post(f"/api/v1/posts/{posted.post.id}/reports",
                           json={"reason": reason, "text": "Voici pourquoi.", "good_faith": reason == "illegal"},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "received" and response.json()["status_url"] is None
    item = open_item(session, posted.post.id)
    assert "report" in item.tag_list
    assert (item.kind == "worried") == (reason == "worried")


def test_reports_merge_into_one_item_and_refuse_repeats_and_own_posts(client: TestClient, session: Session) -> None:
    author = make_user(session, "Auteur")
    make_user(session, "Un")
    make_user(session, "Deux")
    posted = post(session, author, CRISIS)  # already queued by the engine
    session.commit()
    for name in ("Un", "Deux"):
        token = as_member(client, name)
        assert client.post(f"/api/v1/posts/{posted.post.id}/reports", json={"reason": "worried", "text": ""},
                           headers={"X-CSRF-Token": token}).status_code == 201
    again = client.post(f"/api/v1/posts/{posted.post.id}/reports", json={"reason": "spam", "text": ""},
                        headers={"X-CSRF-Token": token})
    assert again.status_code == 409
    items = session.scalars(select(ReviewItem).where(ReviewItem.post_id == posted.post.id)).all()
    assert len(items) == 1 and items[0].kind == "crisis" and set(items[0].tag_list) >= {"crisis", "worried"}
    assert len(session.scalars(select(Report.id).where(Report.item_id == items[0].id)).all()) == 2
    token = as_member(client, "Auteur")
    assert client.post(f"/api/v1/posts/{posted.post.id}/reports", json={"reason": "spam", "text": ""},
                       headers={"X-CSRF-Token": token}).status_code == 404  # not one's own post


def test_a_visitor_can_send_an_illegal_content_notice_and_follow_it(client: TestClient, session: Session) -> None:
    posted = post(session, make_user(session, "Auteur"), CALM)
    moderator(session, "Modo")
    session.commit()
    page = client.get(f"/fr/p/{posted.post.id}/report")
    assert page.status_code == 200
    headers = {"Content-Type": "application/json"}
    missing = client.post(f"/api/v1/posts/{posted.post.id}/reports",
                          json={"reason": "illegal", "text": "Incitation à la haine."}, headers=headers)
    assert missing.status_code == 422 and missing.json()["field"] == "good_faith"
    other = client.post(f"/api/v1/posts/{posted.post.id}/reports", json={"reason": "spam", "text": "x"},
                        headers=headers)
    assert other.status_code == 422  # visitors send notices of illegal content only
    sent = client.post(f"/api/v1/posts/{posted.post.id}/reports", headers=headers, json={
        "reason": "illegal", "text": "Incitation à la haine.", "good_faith": True, "notifier_name": "A. Dupont"})
    assert sent.status_code == 201
    status_url = sent.json()["status_url"]
    assert status_url and "token=" in status_url
    report = session.scalar(select(Report))
    assert report is not None and report.reporter_id is None and report.location.endswith(f"/p/{posted.post.id}")
    assert "En attente" in client.get(status_url).text
    assert client.get(status_url.split("?")[0] + "?token=wrong").status_code == 404
    token = as_member(client, "Modo")
    assert decide(client, token, open_item(session, posted.post.id).id, "hide", "Contenu illégal.",
                  rule="illegal")["status"] == 200
    client.cookies.clear()
    assert "intervenue" in client.get(status_url).text


def test_reporters_learn_the_outcome(client: TestClient, session: Session) -> None:
    posted = post(session, make_user(session, "Auteur"), CALM)
    make_user(session, "Veilleur")
    moderator(session, "Modo")
    session.commit()
    token = as_member(client, "Veilleur")
    client.post(f"/api/v1/posts/{posted.post.id}/reports", json={"reason": "stigma", "text": ""},
                headers={"X-CSRF-Token": token})
    token = as_member(client, "Modo")
    decide(client, token, open_item(session, posted.post.id).id, "approve", "Rien de stigmatisant ici.",
           rule="respect")
    client.cookies.clear()
    html_login(client, "Veilleur")
    page = client.get("/fr/account/reports").text
    assert "a laissé le message tel quel" in page
    report = session.scalar(select(Report))
    assert report is not None and report.outcome == "no_action" and report.decision_id is not None


def test_visitors_notices_are_limited_per_client(client: TestClient, session: Session, settings: Settings) -> None:
    posted = post(session, make_user(session, "Auteur"), CALM)
    session.commit()
    notice = {"reason": "illegal", "text": "Illégal.", "good_faith": True}
    statuses = [client.post(f"/api/v1/posts/{posted.post.id}/reports", json=notice,
                            headers={"Content-Type": "application/json"}).status_code
                for _ in range(settings.review.visitor_reports_per_window + 1)]
    assert statuses[:-1] == [201] * settings.review.visitor_reports_per_window and statuses[-1] == 429
