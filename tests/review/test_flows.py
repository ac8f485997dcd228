"""The safety loop end to end: detection, a moderator's decision, the member told why, appeal, audit."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.db import Database
from app.errors import Conflict
from app.forum.models import Post, PostStatus
from app.review import decisions
from app.review.decision_checks import DecisionInput
from app.review.models import AuditEntry, ItemStatus, ReviewItem, Statement
from app.settings import Settings
from tests.factories import csrf_from, html_login, make_user
from tests.review.helpers import CALM, CRISIS, SOURCING, as_member, decide, moderator, open_item, post


def test_a_crisis_post_tops_the_queue_and_every_reader_sees_the_banner(client: TestClient,
                                                                      session: Session) -> None:
    author, reader = make_user(session, "Auteur"), make_user(session, "Lectrice")
    moderator(session, "Modo")
    calm_first = post(session, author, CALM, title="Plus ancien")
    held = post(session, author, SOURCING, title="Vente")
    crisis = post(session, author, CRISIS, title="Ce soir")
    session.commit()
    token = as_member(client, "Modo")
    items = client.get("/api/v1/review/queue").json()["items"]
    assert items[0]["post_id"] == crisis.post.id and items[0]["kind"] == "crisis"
    assert items[0]["priority"] > items[1]["priority"] and items[1]["post_id"] == held.post.id
    assert calm_first.post.id not in {i["post_id"] for i in items}
    assert token
    # Every reader sees the calm banner with the help lines, not only the author; no "me too" under it.
    for who in (None, "Lectrice"):
        client.cookies.clear()
        if who:
            html_login(client, who)
        page = client.get(f"/fr/t/{crisis.thread.id}").text
        banner = page[page.index('class="crisis-banner"'):].split("</aside>")[0]
        assert "0800 32 123" in banner and "107" in banner and 'href="/fr/resources/crisis-lines"' in banner
        assert "Comment répondre à quelqu" in banner or "How to answer" in banner
    assert 'name="kind" value="me_too"' not in page
    assert reader.id


def test_the_help_lines_are_named_never_by_their_number_alone(client: TestClient, session: Session) -> None:
    """The banner under a crisis post once read "112: 112"; every line has a name in the reader's language."""
    author = make_user(session, "Auteur")
    crisis = post(session, author, CRISIS, title="Ce soir")
    session.commit()
    expected = {"fr": ("<strong>Urgences</strong>: ", "<strong>Centre Antipoisons</strong>: "),
                "nl": ("<strong>Noodnummer</strong>: ", "<strong>Antigifcentrum</strong>: "),
                "en": ("<strong>Emergency number</strong>: ",
                       "<strong>Centre Antipoisons / Antigifcentrum</strong> (in French, in Dutch): ")}
    for lang, (emergency, poisons) in expected.items():
        page = client.get(f"/{lang}/t/{crisis.thread.id}").text
        banner = page[page.index('class="crisis-banner"'):].split("</aside>")[0]
        assert emergency + '<a href="tel:112"' in banner and poisons in banner, lang
        assert "<strong>112</strong>" not in banner and "<strong>112</strong>" not in client.get(f"/{lang}/help").text
        name = emergency.removeprefix("<strong>").removesuffix("</strong>: ")
        assert f'<span class="phone-name">{name}</span>' in client.get(f"/{lang}/help").text  # the call button's


def test_a_held_sourcing_post_is_invisible_to_others_until_released(client: TestClient, session: Session) -> None:
    author = make_user(session, "Vendeur")
    make_user(session, "Autre")
    moderator(session, "Modo")
    held = post(session, author, SOURCING)
    session.commit()
    url = f"/fr/t/{held.thread.id}"
    assert client.get(url).status_code == 404  # visitors
    as_member(client, "Autre")
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/threads/{held.thread.id}/posts").status_code == 404
    as_member(client, "Vendeur")
    assert "Xanax" in client.get(url).text  # its author sees it, marked as waiting
    token = as_member(client, "Modo")
    result = decide(client, token, open_item(session, held.post.id).id, "approve",
                    "Relu : il s'agit d'un retour à la pharmacie, c'est permis.", rule="trading")
    assert result["status"] == 200
    as_member(client, "Autre")
    assert "Xanax" in client.get(url).text


def test_approving_a_welcome_post_publishes_it_and_sends_a_statement(client: TestClient, session: Session) -> None:
    make_user(session, "Nouvelle", approved_posts=0)
    moderator(session, "Modo")
    post(session, make_user(session), CALM)  # the category exists
    session.commit()
    html_login(client, "Nouvelle")
    form = client.get("/fr/c/tapering-now/new")
    assert "premiers messages" in form.text and "modération" in form.text  # what publishing does
    response = client.post("/fr/c/tapering-now/new", data={
        "title": "Bonjour", "body": "Je suis nouvelle ici, je diminue le lormétazépam.", "thread_lang": "fr",
        "csrf_token": csrf_from(form.text)}, follow_redirects=True)
    assert response.status_code == 200 and "welcome" in str(response.url)
    assert "Bienvenue" in response.text or "bienvenue" in response.text
    new_post = session.scalar(select(Post).order_by(Post.id.desc()))
    assert new_post is not None and new_post.status == PostStatus.held
    item = open_item(session, new_post.id)
    assert item.kind == "welcome" and item.newcomer
    # The moderator approves from the item page and is led to welcome them.
    client.cookies.clear()
    html_login(client, "Modo")
    page = client.get(f"/fr/review/items/{item.id}")
    assert "Première publication" in page.text or "First-time" in page.text
    decided = client.post(f"/fr/review/items/{item.id}/decide", data={
        "action": "approve", "reason": "Bienvenue parmi nous !", "rule": "welcome", "version": str(item.version),
        "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert decided.status_code == 303 and decided.headers["location"].endswith(f"/review/items/{item.id}/welcome")
    welcome = client.get(decided.headers["location"])
    assert welcome.status_code == 200 and "Bienvenue sur Trèfle" in welcome.text
    replied = client.post(f"/fr/review/items/{item.id}/welcome", data={
        "body": "Bienvenue, Nouvelle !", "csrf_token": csrf_from(welcome.text)}, follow_redirects=True)
    assert "Bienvenue, Nouvelle" in replied.text
    session.expire_all()
    assert session.get(Post, new_post.id).status == PostStatus.published  # type: ignore[union-attr]
    # The member has a statement, in their language, and sees it.
    as_member(client, "Nouvelle")
    statements = client.get("/api/v1/me/statements").json()["items"]
    assert [s["action"] for s in statements] == ["approve"] and statements[0]["appeal_url"] is None
    html_login(client, "Nouvelle")
    # A routine approval raises no "the moderators have written to you" banner on every page ...
    assert "vous a écrit" not in client.get("/fr/").text
    listed = client.get("/fr/account/statements").text
    assert 'class="unread"' in listed and "Votre message a été approuvé" in listed
    # ... and opening the list of statements reads it.
    session.expire_all()
    read = session.scalar(select(Statement))
    assert read is not None and read.read_at is not None
    page = client.get(statements[0]["url"]).text
    assert "Votre message a été approuvé" in page


def test_an_appeal_cannot_be_decided_by_the_moderator_who_acted(client: TestClient, session: Session,
                                                                 settings: Settings) -> None:
    author = make_user(session, "Auteur")
    moderator(session, "Premier")
    moderator(session, "Second")
    posted = post(session, author, CALM)
    session.commit()
    token = as_member(client, "Premier")
    hid = client.post(f"/api/v1/posts/{posted.post.id}/reports", json={"reason": "spam", "text": "pub"},
                      headers={"X-CSRF-Token": token})
    assert hid.status_code == 201
    result = decide(client, token, open_item(session, posted.post.id).id, "hide", "Publicité.", rule="spam")
    statement = result["body"]["statement"]
    assert result["status"] == 200 and statement["action"] == "hide" and statement["appeal_url"]
    # The member appeals from their statement page.
    html_login_token = as_member(client, "Auteur")
    appeal = client.post(f"/api/v1/me/statements/{statement['id']}/appeal", json={"text": "Ce n'était pas de la pub."},
                         headers={"X-CSRF-Token": html_login_token})
    assert appeal.status_code == 201
    item = session.scalar(select(ReviewItem).where(ReviewItem.kind == "appeal"))
    assert item is not None and item.status == ItemStatus.open
    token = as_member(client, "Premier")
    refused = decide(client, token, item.id, "reverse", "Je me suis trompé.")
    assert refused["status"] == 403 and "autre" in refused["body"]["detail"]
    token = as_member(client, "Second")
    reversed_ = decide(client, token, item.id, "reverse", "Après relecture, ce n'était pas de la publicité.")
    assert reversed_["status"] == 200 and reversed_["body"]["statement"]["action"] == "reverse"
    session.expire_all()
    assert session.get(Post, posted.post.id).status == PostStatus.published  # type: ignore[union-attr]
    outcome = session.get(Statement, reversed_["body"]["statement"]["id"])
    assert outcome is not None and outcome.user_id == author.id and outcome.appeal_until is None


def test_a_silenced_member_cannot_post_and_sees_why(client: TestClient, session: Session) -> None:
    author = make_user(session, "Bruyant")
    moderator(session, "Modo")
    posted = post(session, author, CALM)
    session.commit()
    item_id, token = _reported_item(client, session, posted.post.id)
    result = decide(client, token, item_id, "silence",
                    "Plusieurs messages blessants envers d'autres membres.", rule="respect", duration_days=3)
    assert result["status"] == 200 and result["body"]["statement"]["duration_days"] == 3
    token = as_member(client, "Bruyant")
    refused = client.post(f"/api/v1/threads/{posted.thread.id}/posts", json={"body": "Encore moi."},
                          headers={"X-CSRF-Token": token})
    assert refused.status_code == 403 and "lecture seule" in refused.json()["detail"]
    html_login(client, "Bruyant")
    page = client.get(f"/fr/t/{posted.thread.id}").text
    assert "lecture seule" in page and 'href="/fr/account/statements"' in page
    assert f'action="/fr/t/{posted.thread.id}/reply"' not in page
    statement = client.get(f"/fr/account/statements/{result['body']['statement']['id']}").text
    assert "Plusieurs messages blessants" in statement and "3 jours" in statement and 'name="text"' in statement


def _reported_item(client: TestClient, session: Session, post_id: int) -> tuple[int, str]:
    """A member reports the post, so that it has a queue item; then "Modo" is logged in (item id, CSRF token)."""
    reporter = make_user(session)
    session.commit()
    token = as_member(client, reporter.pseudonym)
    assert client.post(f"/api/v1/posts/{post_id}/reports", json={"reason": "stigma", "text": ""},
                       headers={"X-CSRF-Token": token}).status_code == 201
    item_id = open_item(session, post_id).id
    return item_id, as_member(client, "Modo")


def test_the_audit_log_cannot_be_altered_through_the_app(client: TestClient, session: Session,
                                                         app) -> None:  # type: ignore[no-untyped-def]
    author = make_user(session, "Auteur")
    moderator(session, "Modo")
    posted = post(session, author, SOURCING)
    session.commit()
    token = as_member(client, "Modo")
    assert decide(client, token, open_item(session, posted.post.id).id, "delete", "Vente.", rule="trading")["status"]
    session.expire_all()
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "decision.delete"))
    assert entry is not None and entry.actor_name == "Modo" and entry.target_id == posted.post.id
    # No route changes it: nothing under the audit log takes anything but GET.
    for route in _routes(app):
        if "audit" in route.path:
            assert route.methods <= {"GET", "HEAD"}, route.path
    # And the database refuses it too.
    for statement in ("UPDATE review_audit_log SET reason = 'rewritten'", "DELETE FROM review_audit_log"):
        with pytest.raises(DBAPIError):
            session.execute(text(statement))
        session.rollback()
    assert session.scalar(select(AuditEntry.reason).where(AuditEntry.id == entry.id)) == "Vente."
    # Deleting the moderator's account leaves their entries as they were.
    session.delete(session.get(type(author), entry.actor_id))
    session.commit()
    assert session.scalar(select(AuditEntry.actor_name).where(AuditEntry.id == entry.id)) == "Modo"


def _routes(app):  # type: ignore[no-untyped-def]
    from tests.security.routes import route_table

    return route_table(app)


def test_two_moderators_deciding_the_same_item_one_wins_the_other_is_told(client: TestClient,
                                                                           session: Session) -> None:
    author = make_user(session, "Auteur")
    moderator(session, "Une")
    moderator(session, "Deux")
    posted = post(session, author, SOURCING)
    session.commit()
    item = open_item(session, posted.post.id)
    version = item.version
    token = as_member(client, "Une")
    first = decide(client, token, item.id, "hide", "Vente de médicaments.", rule="trading", version=version)
    token = as_member(client, "Deux")
    second = decide(client, token, item.id, "approve", "Ça me semble correct.", rule="trading", version=version)
    assert first["status"] == 200
    assert second["status"] == 409 and "Une" in second["body"]["detail"]
    session.expire_all()
    assert session.get(Post, posted.post.id).status == PostStatus.hidden  # type: ignore[union-attr]
    assert session.scalar(select(Statement.action)) == "hide"  # one statement, not two


def test_simultaneous_decisions_one_commits_the_other_conflicts(db: Database, session: Session,
                                                                settings: Settings) -> None:
    """Two requests at the same moment, each in its own transaction (row lock on PostgreSQL, write lock on SQLite)."""
    author = make_user(session, "Auteur")
    mods = [moderator(session, "Une"), moderator(session, "Deux")]
    posted = post(session, author, SOURCING)
    session.commit()
    item_id = open_item(session, posted.post.id).id
    mod_ids, user_type = [m.id for m in mods], type(author)
    session.commit()  # the test holds no lock (nor reads an expired object) while the two "requests" run
    ready = threading.Barrier(2)
    outcomes: list[str] = []

    def moderate(mod_id: int, action: str) -> None:
        ready.wait()  # both start together; each loads the item as a request would
        with db.session() as own:
            actor = own.get(user_type, mod_id)
            item = own.get(ReviewItem, item_id)
            assert actor is not None and item is not None
            try:
                decisions.decide(own, settings, item=item, actor=actor,
                                 data=DecisionInput(action=action, reason="Décision.", rule="trading"))
                own.commit()
                outcomes.append("won")
            except Conflict:
                own.rollback()
                outcomes.append("told")

    threads = [threading.Thread(target=moderate, args=(mod_id, action))
               for mod_id, action in zip(mod_ids, ("hide", "delete"), strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["told", "won"]
    session.expire_all()
    assert len(session.scalars(select(Statement.id)).all()) == 1


def test_a_welcome_sent_twice_from_one_form_is_posted_once(client: TestClient, session: Session) -> None:
    """Outsider's attack (round 32): the welcome form had no one-time nonce, unlike the composer's forms, so a
    double click or a reload that sent it again posted the same public welcome twice under the newcomer's post."""
    newcomer = make_user(session, "Nouvelle", approved_posts=0)
    moderator(session, "Modo")
    first = post(session, newcomer, "Je suis nouvelle ici, je diminue doucement.")
    item = open_item(session, first.post.id)
    session.commit()
    html_login(client, "Modo")
    welcome = client.get(f"/fr/review/items/{item.id}/welcome")
    assert 'name="form_nonce"' in welcome.text
    nonce = welcome.text.split('name="form_nonce" value="', 1)[1].split('"', 1)[0]
    data = {"body": "Bienvenue, Nouvelle !", "csrf_token": csrf_from(welcome.text), "form_nonce": nonce}
    answers = [client.post(f"/fr/review/items/{item.id}/welcome", data=data, follow_redirects=False) for _ in range(2)]
    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]  # the second shows the first
    replies = session.scalars(select(Post).where(Post.thread_id == first.thread.id, Post.id != first.post.id)).all()
    assert [r.body_md for r in replies] == ["Bienvenue, Nouvelle !"]
