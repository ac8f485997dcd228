"""The pages: every kind in French and Dutch, the bell, links that land on the post, watching without JavaScript."""

from __future__ import annotations

import html
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.forum import service as forum
from app.forum.models import Post
from app.markdown import quote
from app.notifications import service
from app.notifications.models import CategoryWatch, Kind, Notification, ThreadWatch
from tests.factories import (
    csrf_from,
    html_login,
    logged_in_member,
    make_category,
    make_reply,
    make_thread,
    make_user,
)
from tests.forum.test_queries import count_queries
from tests.notifications.helpers import kinds_of, set_preferences

EXPECTED = {
    "fr": [
        "Bert a répondu dans « Nuits difficiles »",
        "Carl a mentionné votre pseudonyme dans « Nuits difficiles »",
        "Dora a cité votre message dans « Nuits difficiles »",
        "2 personnes vous ont envoyé du courage pour votre message dans « Nuits difficiles »",
        "Dora a dit merci pour votre message dans « Nuits difficiles »",
        "Eva a ouvert un nouveau fil : « Bonjour à tous »",
        "L'équipe de modération a pris une décision concernant votre message dans « Nuits difficiles » et vous "
        "explique pourquoi.",
        "L'équipe de modération vous a écrit.",
        "Bienvenue ! L'équipe de modération a approuvé votre premier message dans « Nuits difficiles ».",
        "L'équipe de modération a examiné ce que vous avez signalé. Merci de nous l'avoir dit.",
    ],
    "nl": [
        "Bert heeft geantwoord in ‘Nuits difficiles’",
        "Carl heeft je vermeld in ‘Nuits difficiles’",
        "Dora heeft je geciteerd in ‘Nuits difficiles’",
        "2 mensen wensen je sterkte bij je bericht in ‘Nuits difficiles’",
        "Dora bedankte je voor je bericht in ‘Nuits difficiles’",
        "Eva is een nieuwe draad gestart: ‘Bonjour à tous’",
        "De moderators hebben een beslissing genomen over je bericht in ‘Nuits difficiles’ en leggen uit waarom.",
        "Een moderator heeft je geschreven.",
        "Welkom! Een moderator heeft je eerste bericht in ‘Nuits difficiles’ goedgekeurd.",
        "De moderators hebben bekeken wat je gemeld hebt. Bedankt dat je het ons liet weten.",
    ],
}


def _every_kind(session: Session, anne: User) -> Post:
    """One notification of each kind for Anne; returns her first post."""
    bert, carl, dora, eva = (make_user(session, name) for name in ("Bert", "Carl", "Dora", "Eva"))
    set_preferences(session, anne, reaction=True)
    posted = make_thread(session, category=make_category(session), author=anne, title="Nuits difficiles",
                         body="Je dors mal depuis que je diminue.")
    make_reply(session, posted=posted, author=bert, body="Courage, ça passe.")
    make_reply(session, posted=posted, author=carl, body="@Anne tu as essayé la relaxation ?")
    make_reply(session, posted=posted, author=dora, body=quote("Anne", posted.post.body_md) + "Pareil pour moi.")
    first = posted.post
    for member, kind in ((bert, "courage"), (carl, "courage"), (dora, "thanks")):
        forum.toggle_reaction(session, post=first, user=member, kind=kind)
    other = make_category(session)
    service.set_category_level(session, user=anne, category=other, level="new_threads")
    make_thread(session, category=other, author=eva, title="Bonjour à tous", body="Je suis nouvelle ici.")
    service.notify(session, user_id=anne.id, kind=Kind.moderation_statement, post_id=first.id, ref_id=1)
    service.notify(session, user_id=anne.id, kind=Kind.moderator_message, ref_id=2)
    service.notify(session, user_id=anne.id, kind=Kind.welcome_approved, post_id=first.id)
    service.notify(session, user_id=anne.id, kind=Kind.report_outcome, ref_id=3)
    session.commit()
    return first


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_every_kind_reads_right_in_french_and_dutch(client: TestClient, session: Session, lang: str) -> None:
    anne = logged_in_member(client, session, "Anne", lang=lang, locale=lang)
    _every_kind(session, anne)
    page = client.get(f"/{lang}/notifications")
    assert page.status_code == 200
    text = html.unescape(re.sub(r"\s+", " ", page.text))
    for sentence in EXPECTED[lang]:
        assert sentence in text, sentence
    assert 'class="bell-count" data-bell-count aria-hidden="true">10<' in page.text
    api = client.get("/api/v1/me/notifications", headers={"Accept-Language": lang}).json()
    # French typography puts narrow no-break spaces inside « »: compare words, not space kinds.
    assert sorted(re.sub(r"\s+", " ", item["text"]) for item in api["items"]) == sorted(EXPECTED[lang])


def test_the_page_groups_by_thread_and_holds_no_post_text(client: TestClient, session: Session) -> None:
    anne = logged_in_member(client, session, "Anne")
    _every_kind(session, anne)
    page = client.get("/fr/notifications").text
    headings = re.findall(r'<h2 id="g\d+">\s*(.*?)\s*(?:<span|</h2>)', page, re.S)
    assert [re.sub(r"<[^>]+>", "", h).strip() for h in headings] == [
        "De l'équipe de modération", "Nuits difficiles", "Bonjour à tous"]
    for words in ("relaxation", "Pareil pour moi", "Je suis nouvelle", "Courage, ça passe"):
        assert words not in page


def test_a_notification_link_lands_on_the_post_and_marks_it_read(client: TestClient, session: Session) -> None:
    anne = logged_in_member(client, session, "Anne")
    bert = make_user(session, "Bert")
    posted = make_thread(session, category=make_category(session), author=anne)
    for index in range(7):  # the thread page holds 5 posts in tests: the reply sits on page 2
        reply = make_reply(session, posted=posted, author=bert, body=f"réponse {index}")
    session.commit()
    last = session.scalar(select(Notification).where(Notification.post_id == reply.post.id))
    assert last is not None
    opened = client.get(f"/fr/notifications/{last.id}/open", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/fr/p/{reply.post.id}"
    landing = client.get(opened.headers["location"], follow_redirects=False)
    assert landing.headers["location"] == f"/fr/t/{posted.thread.id}?page=2#p{reply.post.id}"
    session.expire_all()
    assert session.get(Notification, last.id).read_at is not None  # type: ignore[union-attr]
    assert client.get(f"/fr/notifications/{last.id + 1000}/open").status_code == 404


def test_reading_a_page_of_the_thread_reads_its_notifications(client: TestClient, session: Session) -> None:
    anne = logged_in_member(client, session, "Anne")
    bert = make_user(session, "Bert")
    posted = make_thread(session, category=make_category(session), author=anne)
    replies = [make_reply(session, posted=posted, author=bert, body=f"réponse {index}") for index in range(7)]
    service.notify(session, user_id=anne.id, kind=Kind.moderation_statement, post_id=replies[0].post.id, ref_id=1)
    session.commit()
    page = client.get(f"/fr/t/{posted.thread.id}")  # posts 1-5: the thread's start and four replies
    # Eight unread when the header was counted; the four replies shown here are read now.
    assert 'data-bell-count aria-hidden="true">4<' in page.text
    session.expire_all()
    unread = session.scalars(select(Notification.post_id).where(Notification.user_id == anne.id,
                                                                Notification.read_at.is_(None))).all()
    # The replies on page 2 stay unread, and so does the statement (read where it is explained).
    assert sorted(unread) == sorted([replies[0].post.id] + [r.post.id for r in replies[4:]])
    assert 'data-bell-count aria-hidden="true">4<' in client.get("/fr/resources").text


def test_someone_elses_notification_cannot_be_opened(client: TestClient, session: Session) -> None:
    anne = make_user(session, "Anne")
    bert = make_user(session, "Bert")
    posted = make_thread(session, category=make_category(session), author=anne)
    make_reply(session, posted=posted, author=bert)
    session.commit()
    notification_id = session.scalar(select(Notification.id))
    html_login(client, "Bert")
    assert client.get(f"/fr/notifications/{notification_id}/open").status_code == 404


def test_mark_all_read_from_the_page(client: TestClient, session: Session) -> None:
    anne = logged_in_member(client, session, "Anne")
    _every_kind(session, anne)
    page = client.get("/fr/notifications")
    response = client.post("/fr/notifications/read", data={"csrf_token": csrf_from(page.text), "everything": "1"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert 'data-bell-count aria-hidden="true" hidden>0<' in response.text
    assert "Tout marquer comme lu" not in response.text


def test_the_bell_is_one_query_whatever_the_count(app: FastAPI, client: TestClient, session: Session) -> None:
    anne = logged_in_member(client, session, "Anne")
    posted = make_thread(session, category=make_category(session), author=anne)
    repliers = [make_user(session) for _ in range(3)]
    counts = []
    for round_ in range(2):
        for member in repliers * (1 + round_ * 9):
            make_reply(session, posted=posted, author=member, body="réponse")
        session.commit()
        with count_queries(app) as statements:
            page = client.get("/fr/resources")
        assert page.status_code == 200
        bell = [s for s in statements if "notifications_notifications" in s]
        assert len(bell) == 1 and bell[0].lstrip().upper().startswith("SELECT COUNT")
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert f'aria-hidden="true">{3 + 30}<' in page.text


def test_visitors_have_no_bell_and_pay_no_query(app: FastAPI, client: TestClient, session: Session) -> None:
    with count_queries(app) as statements:
        page = client.get("/fr/resources")
    assert "data-bell" not in page.text
    assert not [s for s in statements if "notifications_notifications" in s]


def test_watch_and_mute_a_thread_without_javascript(client: TestClient, session: Session) -> None:
    anne = make_user(session, "Anne")
    posted = make_thread(session, category=make_category(session), author=anne, title="Sevrage lent")
    thread_id = posted.thread.id
    bert = logged_in_member(client, session, "Bert")
    page = client.get(f"/fr/t/{thread_id}")
    assert 'name="level" value="normal" class="secondary chosen" aria-pressed="true"' in page.text
    token = csrf_from(page.text)
    response = client.post(f"/fr/t/{thread_id}/watch", data={"csrf_token": token, "level": "watching"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/fr/t/{thread_id}#watch"
    assert 'value="watching" class="secondary chosen" aria-pressed="true"' in client.get(f"/fr/t/{thread_id}").text
    make_reply(session, posted=posted, author=anne, body="Du nouveau")
    session.commit()
    assert kinds_of(session, bert) == ["reply"]
    client.post(f"/fr/t/{thread_id}/watch", data={"csrf_token": token, "level": "muted"})
    make_reply(session, posted=posted, author=anne, body="@Bert encore")
    session.commit()
    assert kinds_of(session, bert) == ["reply"]
    assert client.post(f"/fr/t/{thread_id}/watch", data={"csrf_token": token, "level": "fort"}).status_code == 422


def test_watch_a_category(client: TestClient, session: Session) -> None:
    category = make_category(session, "proches")
    bert = logged_in_member(client, session, "Bert")
    page = client.get("/nl/c/proches")
    assert "Meldingen voor deze categorie" in page.text
    client.post("/nl/c/proches/watch", data={"csrf_token": csrf_from(page.text), "level": "new_threads"})
    assert session.scalar(select(CategoryWatch.level).where(CategoryWatch.user_id == bert.id)) == "new_threads"
    make_thread(session, category=category, author=make_user(session, "Eva"), title="Mijn broer", lang="nl")
    session.commit()
    assert kinds_of(session, bert) == ["new_thread"]
    my_threads = client.get("/nl/my-threads").text
    assert "Categorieën die ik volg" in my_threads and "alleen nieuwe draden" in my_threads


def test_my_threads_shows_unread_counts_and_links_to_the_first_unread(client: TestClient, session: Session) -> None:
    bert = make_user(session, "Bert")
    anne = logged_in_member(client, session, "Anne")
    quiet = make_thread(session, category=make_category(session), author=anne, title="Fil calme")
    busy = make_thread(session, category=make_category(session), author=anne, title="Fil animé")
    session.commit()
    for posted in (quiet, busy):
        client.get(f"/fr/t/{posted.thread.id}")  # Anne has read both
    first_new = make_reply(session, posted=busy, author=bert, body="un")
    make_reply(session, posted=busy, author=bert, body="deux")
    make_reply(session, posted=busy, author=anne, body="ma réponse")  # one's own posts are not unread
    session.commit()
    page = client.get("/fr/my-threads").text
    assert page.index("Fil animé") < page.index("Fil calme")  # most recent activity first
    assert "2 messages non lus" in page and page.count('class="badge new"') == 1
    assert f'href="/fr/p/{first_new.post.id}"' in page
    token = csrf_from(page)
    client.post(f"/fr/t/{quiet.thread.id}/watch",
                data={"csrf_token": token, "level": "muted", "next": "/fr/my-threads"})
    assert "Fil calme" not in client.get("/fr/my-threads").text
    assert "Fil calme" in client.get("/fr/my-threads?muted=1").text
    assert session.scalar(select(ThreadWatch.level).where(ThreadWatch.thread_id == quiet.thread.id)) == "muted"


def test_preferences_page_saves_and_keeps_moderators_kinds_on(client: TestClient, session: Session) -> None:
    bert = logged_in_member(client, session, "Bert", lang="nl", locale="nl")
    account = client.get("/nl/account").text  # found from the account page
    assert 'href="/nl/notifications/settings"' in account and 'href="/nl/my-threads"' in account
    page = client.get("/nl/notifications/settings")
    assert "Beslissingen en berichten van de moderators bereiken je altijd" in page.text
    reaction_box = re.search(r'value="reaction"[^>]*>', page.text)
    assert reaction_box is not None and "checked" not in reaction_box.group(0)  # off by default
    response = client.post("/nl/notifications/settings", data={
        "csrf_token": csrf_from(page.text), "on": ["reply", "reaction", "watch_started"]}, follow_redirects=True)
    assert "Je wijzigingen zijn opgeslagen." in response.text
    prefs = service.get_preferences(session, user_id=bert.id)
    assert prefs.reaction and prefs.reply and not prefs.mention and prefs.watch_started and not prefs.watch_replied
    bad = client.post("/nl/notifications/settings", data={"csrf_token": csrf_from(page.text),
                                                          "on": ["moderation_statement"]})
    assert bad.status_code == 422 and "Onbekende instelling voor meldingen." in bad.text


def test_composer_offers_mention_suggestions_to_the_script(client: TestClient, session: Session) -> None:
    anne = logged_in_member(client, session, "Anne")
    posted = make_thread(session, category=make_category(session), author=anne)
    session.commit()
    page = client.get(f"/fr/t/{posted.thread.id}").text
    assert 'data-mention-url="/api/v1/members/mentionable"' in page
    assert f'data-thread-id="{posted.thread.id}"' in page and "js/mentions.js" in page


def test_a_moderators_note_without_a_page_of_its_own_opens_on_the_notifications_page(
        client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.notifications import wording

    anne = logged_in_member(client, session, "Anne")
    posted = make_thread(session, category=make_category(session), author=anne)
    service.notify(session, user_id=anne.id, kind=Kind.moderation_statement, post_id=posted.post.id, ref_id=5)
    session.commit()
    notification_id = session.scalar(select(Notification.id))
    opened = client.get(f"/fr/notifications/{notification_id}/open", follow_redirects=False)
    assert opened.headers["location"] == "/fr/account/statements/5"  # review's page (app/wiring.py)
    # A statement is never sent to the post it was about (its author may no longer see it there).
    monkeypatch.setitem(wording._links, Kind.moderation_statement, lambda request, n: None)
    opened = client.get(f"/fr/notifications/{notification_id}/open", follow_redirects=False)
    assert opened.headers["location"] == f"/fr/notifications#n{notification_id}"
