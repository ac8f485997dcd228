"""The moderators' kinds, from what review announces: statements, welcomes, messages, report outcomes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.forum.models import Post
from app.notifications import queries
from app.notifications.models import Kind, Notification
from app.review import decisions, messages
from app.review.decision_checks import DecisionInput
from app.review.models import Statement
from app.settings import Settings
from tests.factories import html_login, make_reply, make_user
from tests.notifications.helpers import notifications_of
from tests.review.helpers import CALM, as_member, decide, moderator, open_item, post


def _unread(session: Session, user: User) -> list[str]:
    session.expire_all()
    return [n.kind for n in notifications_of(session, user) if n.read_at is None]


def test_a_hidden_post_brings_its_author_the_statement_and_the_reporter_the_outcome(
        client: TestClient, session: Session) -> None:
    author, reporter = make_user(session, "Auteur"), make_user(session, "Témoin")
    moderator(session, "Modo")
    posted = post(session, author, CALM)
    session.commit()
    token = as_member(client, "Témoin")
    assert client.post(f"/api/v1/posts/{posted.post.id}/reports", json={"reason": "spam", "text": "pub"},
                       headers={"X-CSRF-Token": token}).status_code == 201
    token = as_member(client, "Modo")
    assert decide(client, token, open_item(session, posted.post.id).id, "hide", "Publicité.", rule="spam")[
        "status"] == 200
    statement = session.scalar(select(Statement).where(Statement.user_id == author.id))
    assert statement is not None
    assert _unread(session, author) == ["moderation_statement"]
    assert _unread(session, reporter) == ["report_outcome"]
    # The author: a sentence without the post's text, a link to the statement, read once opened there.
    client.cookies.clear()
    html_login(client, "Auteur")
    page = client.get("/fr/notifications").text
    assert "site-notice" in page and CALM not in page  # unread: announced by the banner, once
    listed = client.get("/api/v1/me/notifications").json()["items"]
    assert "a pris une décision concernant votre message" in listed[0]["text"] and CALM not in listed[0]["text"]
    notification = session.scalar(select(Notification).where(Notification.user_id == author.id))
    assert notification is not None and notification.ref_id == statement.id
    opened = client.get(f"/fr/notifications/{notification.id}/open", follow_redirects=False)
    assert opened.headers["location"] == f"/fr/account/statements/{statement.id}"
    assert client.get(opened.headers["location"]).status_code == 200
    assert _unread(session, author) == []
    # The reporter's link goes to their reports.
    client.cookies.clear()
    html_login(client, "Témoin")
    outcome = session.scalar(select(Notification).where(Notification.user_id == reporter.id))
    assert outcome is not None
    assert client.get(f"/fr/notifications/{outcome.id}/open", follow_redirects=False).headers[
        "location"] == "/fr/account/reports"


def test_reading_the_statement_from_reviews_pages_reads_the_notification(client: TestClient, session: Session,
                                                                         settings: Settings) -> None:
    member, modo = make_user(session, "Anne"), moderator(session, "Modo")
    decisions.act_on_member(session, settings, member=member, actor=modo, data=DecisionInput(
        action="warn", reason="Merci de rester bienveillante.", rule="respect"))
    session.commit()
    statement = session.scalar(select(Statement).where(Statement.user_id == member.id))
    assert statement is not None and _unread(session, member) == ["moderation_statement"]
    html_login(client, "Anne")
    assert "votre compte" in client.get("/api/v1/me/notifications").json()["items"][0]["text"]
    client.get(f"/fr/account/statements/{statement.id}")  # from review's own list, not the bell
    assert _unread(session, member) == []
    assert "votre compte" in client.get("/fr/notifications").text  # listed once read, as history


def test_a_suspended_member_still_receives_the_statement_and_messages(session: Session, settings: Settings) -> None:
    member, modo = make_user(session, "Anne"), moderator(session, "Modo")
    decisions.act_on_member(session, settings, member=member, actor=modo, data=DecisionInput(
        action="suspend", reason="Propos blessants répétés.", rule="respect", duration_days=7))
    messages.start(session, moderator=modo, member=member, subject="Votre suspension",
                   body="Nous restons disponibles si vous voulez en parler.")
    session.flush()
    assert member.active_restriction() is not None
    assert _unread(session, member) == ["moderation_statement", "moderator_message"]
    assert queries.unread_count(session, member) == 2


def test_a_new_message_in_a_conversation_makes_its_one_notification_unread_again(
        client: TestClient, session: Session) -> None:
    member, modo = make_user(session, "Anne", locale="nl"), moderator(session, "Modo", langs="nl")
    conversation = messages.start(session, moderator=modo, member=member, subject="Hoe gaat het?",
                                  body="We denken aan je.")
    session.commit()
    html_login(client, "Anne", lang="nl")
    page = client.get("/nl/notifications").text
    # Told once: the banner on every page says it (and links to it); the bell and the list wait.
    assert page.count('href="/nl/account/statements"') >= 1 and 'class="notice site-notice"' in page
    assert "Een moderator heeft je geschreven." not in page and 'data-bell-count aria-hidden="true" hidden' in page
    client.get(f"/nl/account/inbox/{conversation.id}")  # read in the inbox
    assert _unread(session, member) == []
    page = client.get("/nl/notifications").text
    assert "Een moderator heeft je geschreven." in page and "site-notice" not in page  # now history, once
    messages.reply(session, conversation=conversation, author=member, body="Dank je, het gaat.")
    assert _unread(session, member) == []  # the member's own answer tells them nothing
    messages.reply(session, conversation=conversation, author=modo, body="Fijn om te horen.")
    session.commit()
    assert _unread(session, member) == ["moderator_message"]
    assert len(notifications_of(session, member)) == 1
    notification = notifications_of(session, member)[0]
    opened = client.get(f"/nl/notifications/{notification.id}/open", follow_redirects=False)
    assert opened.headers["location"] == f"/nl/account/inbox/{conversation.id}#latest"


def test_a_moderators_message_is_announced_once(client: TestClient, session: Session) -> None:
    """The banner or the bell, never both: while the banner shows it, the bell does not count it."""
    member, modo = make_user(session, "Anne"), moderator(session, "Modo")
    messages.start(session, moderator=modo, member=member, subject="Des nouvelles", body="Comment allez-vous ?")
    session.commit()
    html_login(client, "Anne")
    home = client.get("/fr/").text
    assert home.count("site-notice") == 1
    assert 'data-bell-count aria-hidden="true" hidden' in home  # the bell shows no number for it
    assert client.get("/api/v1/me/notifications/count", params={"bell": 1}).json()["unread"] == 0
    # The API (a contract, for clients with no banner) still lists and counts it.
    listed = client.get("/api/v1/me/notifications").json()
    assert [item["kind"] for item in listed["items"]] == ["moderator_message"] and listed["unread"] == 1
    # A reply from a peer still rings the bell beside the banner.
    writer = make_user(session, "Bert")
    posted = post(session, member, CALM)
    make_reply(session, posted=posted, author=writer)
    session.commit()
    assert 'data-bell-count aria-hidden="true">1<' in client.get("/fr/").text


def test_a_welcomed_first_post_tells_its_author_and_lands_on_the_post(client: TestClient,
                                                                      session: Session) -> None:
    newcomer = make_user(session, "Nouvelle", approved_posts=0)
    moderator(session, "Modo")
    first = post(session, newcomer, "Je suis nouvelle ici, je diminue le lormétazépam.", title="Bonjour")
    session.commit()
    held = session.get(Post, first.post.id)
    assert held is not None and held.status == "held"
    token = as_member(client, "Modo")
    assert decide(client, token, open_item(session, first.post.id).id, "approve", "Bienvenue parmi nous !",
                  rule="welcome")["status"] == 200
    assert _unread(session, newcomer) == ["welcome_approved"]
    client.cookies.clear()
    html_login(client, "Nouvelle")
    assert "Bienvenue ! L'équipe de modération a approuvé votre premier message dans « Bonjour »" in \
        client.get("/api/v1/me/notifications").json()["items"][0]["text"].replace("\u202f", " ")
    notification = notifications_of(session, newcomer)[0]
    assert notification.kind == Kind.welcome_approved and notification.post_id == first.post.id
    opened = client.get(f"/fr/notifications/{notification.id}/open", follow_redirects=False)
    assert opened.headers["location"] == f"/fr/p/{first.post.id}"
    # Reading the welcome statement where review keeps it reads the notification too (if still unread).
    statement = session.scalar(select(Statement).where(Statement.user_id == newcomer.id))
    assert statement is not None and notification.ref_id == statement.id


def test_a_newcomers_later_held_post_is_approved_without_a_second_welcome(client: TestClient,
                                                                          session: Session) -> None:
    newcomer = make_user(session, "Nouvelle", approved_posts=0)
    moderator(session, "Modo")
    post(session, newcomer, "Je suis nouvelle ici, je diminue le lormétazépam.", title="Bonjour")
    second = post(session, newcomer, "Encore une question sur les paliers, merci d'avance.", title="Paliers")
    session.commit()
    item = open_item(session, second.post.id)
    assert item.kind == "newcomer"
    token = as_member(client, "Modo")
    assert decide(client, token, item.id, "approve", "Merci, c'est publié.", rule="newcomer")["status"] == 200
    assert _unread(session, newcomer) == ["moderation_statement"]
    statement = session.scalar(select(Statement).where(Statement.user_id == newcomer.id))
    assert statement is not None and statement.source == "newcomer" and statement.rule == "newcomer"
