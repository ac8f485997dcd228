"""During an erasure's grace period: what the member chose to erase is out of sight at once, and comes back on undo.

Outside tester: after "Effacer leur texte", the member's replies, pseudonym and
thread titles stayed public for the seven days, visitors' cached pages too, and
the mention box still suggested the pseudonym; the confirmation page said
nothing about posts and showed "7 décembre 2026, 14:21:03 +0100".
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.forum.models import Post, PostStatus, Thread
from app.forum.service import toggle_reaction
from app.member_data import service as member_data
from app.research import service as research
from app.research.models import ConsentScope
from app.search.worker import drain
from tests.diary.helpers import form_token
from tests.factories import api_login, html_login, make_category, make_reply, make_thread, make_user

REPLY = "Mes acouphènes du soir se calment enfin"
TITLE = "Mon sevrage de lormétazépam"


def _arrange(session: Session) -> dict[str, int]:
    leaving, staying = make_user(session, "Partante"), make_user(session, "Restante")
    category = make_category(session, "tapering-now")
    alone = make_thread(session, category=category, author=leaving, title="Seule ici", body="Personne n'a répondu")
    answered = make_thread(session, category=category, author=leaving, title=TITLE, body="Mon histoire à moi")
    make_reply(session, posted=answered, author=staying, body="Courage, je suis passée par là")
    others = make_thread(session, category=category, author=staying, title="Son fil", body="Bonjour tout le monde")
    reply = make_reply(session, posted=others, author=leaving, body=REPLY)
    toggle_reaction(session, post=others.post, user=leaving, kind="courage")  # "Partante wishes you courage"
    research.set_consent(session, user=leaving, posts=True, diary=True, lang="fr")
    session.commit()
    return {"leaving": leaving.id, "alone": alone.thread.id, "answered": answered.thread.id,
            "answered_post": answered.post.id, "others": others.thread.id, "reply": reply.post.id}


class _Browser(TestClient):
    """Another browser on the same app; commits the test's session first (on SQLite it holds the write lock)."""

    def __init__(self, app: FastAPI, session: Session) -> None:
        super().__init__(app, base_url="http://testserver")
        self.arrange_session = session

    def request(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        self.arrange_session.commit()
        return super().request(*args, **kwargs)


def _ask_erasure(client: TestClient, posts: str) -> str:
    token = form_token(client, "/fr/account/data")
    response = client.post("/fr/account/delete", data={"csrf_token": token, "posts": posts, "confirm": "yes",
                                                       "delete_password": "a sturdy passphrase 42"})
    assert response.status_code == 200, response.text
    return response.text


def _mentionable(client: TestClient) -> list[str]:
    return list(client.get("/api/v1/members/mentionable", params={"q": "Part"}).json()["pseudonyms"])


def _indexed(app: FastAPI, session: Session) -> set[int]:
    session.commit()
    drain(app.state.db, app.state.search)
    return set(app.state.search.indexed_ids(session))


def test_erasing_posts_hides_them_at_once_and_logging_in_brings_them_back(app: FastAPI, client: TestClient,
                                                                           session: Session) -> None:
    ids = _arrange(session)
    visitor, peer = _Browser(app, session), _Browser(app, session)
    api_login(peer, "Restante")
    # Visitors' pages are cached before the request: the cache must not keep serving them.
    before = visitor.get(f"/fr/t/{ids['others']}").text
    assert REPLY in before and "Partante" in before
    assert TITLE in visitor.get("/fr/c/tapering-now").text and visitor.get(f"/fr/t/{ids['alone']}").status_code == 200
    assert visitor.get(f"/fr/t/{ids['others']}").text == before  # from the cache
    assert _mentionable(peer) == ["Partante"]
    assert "Partante" in str(peer.get("/api/v1/me/notifications").json())
    assert ids["reply"] in _indexed(app, session)

    html_login(client, "Partante")
    _ask_erasure(client, "remove")

    page = visitor.get(f"/fr/t/{ids['others']}").text
    assert REPLY not in page and "Partante" not in page and "ancien membre" in page
    assert visitor.get(f"/fr/t/{ids['alone']}").status_code == 404  # nobody else's post in it: out of sight
    answered = visitor.get(f"/fr/t/{ids['answered']}").text  # others replied: it stays, under a neutral title
    assert TITLE not in answered and "Mon histoire à moi" not in answered and "Courage, je suis passée" in answered
    assert "Titre retiré à la demande" in answered
    listing = visitor.get("/fr/c/tapering-now").text
    assert TITLE not in listing and "Partante" not in listing and "Seule ici" not in listing
    api_post = visitor.get(f"/api/v1/threads/{ids['others']}/posts").json()
    shown = {p["id"]: p for p in api_post["items"]}[ids["reply"]]
    assert shown["author"] is None and REPLY not in str(shown)
    assert _mentionable(peer) == []
    assert "Partante" not in str(peer.get("/api/v1/me/notifications").json())  # "a former member" reacted
    assert ids["reply"] not in _indexed(app, session)
    assert ids["leaving"] not in research.consenting_members(session, scope=ConsentScope.posts)
    # Moderators do not read it either, nor its earlier versions.
    moderator = _Browser(app, session)
    make_user(session, "Veilleuse", role="moderator")  # type: ignore[arg-type]
    session.commit()
    html_login(moderator, "Veilleuse")
    assert REPLY not in moderator.get(f"/fr/t/{ids['others']}").text

    # Logging in before the end cancels the erasure: everything is back as it was, for visitors too.
    html_login(client, "Partante")
    page = visitor.get(f"/fr/t/{ids['others']}").text
    assert REPLY in page and "Partante" in page
    assert TITLE in visitor.get(f"/fr/t/{ids['answered']}").text
    assert visitor.get(f"/fr/t/{ids['alone']}").status_code == 200
    assert _mentionable(peer) == ["Partante"]
    assert ids["reply"] in _indexed(app, session)
    assert ids["leaving"] in research.consenting_members(session, scope=ConsentScope.posts)
    session.expire_all()
    assert session.get(Thread, ids["others"]).post_count == 2  # type: ignore[union-attr]
    assert session.get(Thread, ids["answered"]).post_count == 2  # type: ignore[union-attr]
    assert session.scalar(select(Post.withheld_status).where(Post.id == ids["reply"])) is None


def test_the_final_erasure_after_withholding_erases_text_and_title(app: FastAPI, client: TestClient,
                                                                   session: Session) -> None:
    from tests.member_data.test_views import pass_grace_period

    ids = _arrange(session)
    html_login(client, "Partante")
    _ask_erasure(client, "remove")
    pass_grace_period(app)
    session.expire_all()
    assert session.get(User, ids["leaving"]) is None
    reply = session.get(Post, ids["reply"])
    assert reply is not None and (reply.status, reply.body_md, reply.withheld_status) == (PostStatus.deleted, "", None)
    answered = session.get(Thread, ids["answered"])
    assert answered is not None and answered.title != TITLE and answered.withheld_title is None
    assert answered.status == PostStatus.published and answered.post_count == 1
    alone = session.get(Thread, ids["alone"])
    assert alone is not None and alone.status == PostStatus.deleted and alone.title != "Seule ici"


def test_keeping_posts_says_what_happens_and_when(client: TestClient, session: Session) -> None:
    ids = _arrange(session)
    visitor = _Browser(client.app, session)  # type: ignore[arg-type]
    html_login(client, "Partante")
    page = _ask_erasure(client, "keep")
    final = session.scalar(select(User.erase_at).where(User.id == ids["leaving"]))
    assert final is not None
    text = re.sub(r"<[^>]+>", " ", page)
    # The date in words, in the page's language, to the minute, with no raw UTC offset.
    assert re.search(r"\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|"
                     r"décembre) \d{4}", text), text
    assert not re.search(r"[+-]\d{4}\b|UTC|\bCES?T\b|:\d\d:\d\d", text)
    # Signed with the pseudonym until then, then not; the page does not name it (its address holds no pseudonym).
    assert "signés de votre pseudonyme" in text and "ancien membre" in text and "Partante" not in text
    # The posts stay until the erasure is final, but no new research export holds the member.
    assert REPLY in visitor.get(f"/fr/t/{ids['others']}").text
    assert ids["leaving"] not in research.consenting_members(session, scope=ConsentScope.posts)
    assert ids["leaving"] not in research.consenting_members(session, scope=ConsentScope.diary)


def test_the_confirmation_speaks_the_members_language(client: TestClient, session: Session) -> None:
    make_user(session, "Vertrekker", locale="nl")
    session.commit()
    html_login(client, "Vertrekker", lang="nl")
    token = form_token(client, "/nl/account/data")
    page = client.post("/nl/account/delete", data={"csrf_token": token, "posts": "remove", "confirm": "yes",
                                                   "delete_password": "a sturdy passphrase 42"}).text
    assert re.search(r"\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
                     r"december) \d{4}", page)
    assert not re.search(r"[+-]\d{4}\b|\bCES?T\b|:\d\d:\d\d", re.sub(r"<[^>]+>", " ", page))


def test_housekeeping_withholds_posts_of_earlier_requests(app: FastAPI, session: Session) -> None:
    """An erasure asked for before posts were withheld at once: the next housekeeping run hides them."""
    import datetime as dt

    ids = _arrange(session)
    session.execute(update(User).where(User.id == ids["leaving"]).values(
        erase_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=3), erase_keep_posts=False))
    session.commit()
    assert member_data.withdraw_pending(app.state.db) == 3
    assert member_data.withdraw_pending(app.state.db) == 0  # once
    session.expire_all()
    assert session.scalar(select(Post.status).where(Post.id == ids["reply"])) == PostStatus.deleted
