"""At the final erasure, others' @mentions of the member lose the name: it is free for anyone from then on."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.forum import references
from app.forum.models import Post, PostRevision, Thread
from app.forum.quotes import ERASED_MENTION
from app.idempotency import IdempotencyKey
from app.markdown import quote
from app.settings import Settings
from tests.factories import api_login, html_login, make_category, make_reply, make_thread, make_user
from tests.member_data.test_erasure_grace import _ask_erasure, _Browser
from tests.member_data.test_views import pass_grace_period


@pytest.mark.parametrize("posts", ["remove", "keep"])
def test_the_final_erasure_takes_the_name_out_of_others_mentions(app: FastAPI, client: TestClient,
                                                                 session: Session, posts: str) -> None:
    make_user(session, "Partante")
    staying = make_user(session, "Restante")
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=staying,
                         title="Merci @Partante", body="Bonjour à toutes et à tous.")
    answer = make_reply(session, posted=posted, author=staying,
                        body="Tu nous manques, @partante. Et **toi aussi** @PARTANTE !")
    session.add(PostRevision(post_id=answer.post.id, editor_id=staying.id, body_md="Premier jet, @Partante."))
    session.commit()
    thread_id, answer_id = posted.thread.id, answer.post.id
    visitor = _Browser(app, session)
    before = visitor.get(f"/fr/t/{thread_id}").text
    assert before.count("Partante") >= 2 and visitor.get(f"/fr/t/{thread_id}").text == before  # cached
    search = visitor.get("/api/v1/search", params={"q": "manques"}).json()["items"]
    assert [hit["post_id"] for hit in search] == [answer_id]

    html_login(client, "Partante")
    _ask_erasure(client, posts)
    pass_grace_period(app)
    session.expire_all()

    post = session.get(Post, answer_id)
    assert post is not None
    assert post.body_md == f"Tu nous manques, {ERASED_MENTION}. Et **toi aussi** {ERASED_MENTION} !"
    assert "@partante" not in post.body_html.casefold() and ERASED_MENTION in post.body_html
    assert "<strong>toi aussi</strong>" in post.body_html  # rendered again through the posts' pipeline
    assert post.edited_at is None  # the erasure is not an edit of theirs
    revisions = list(session.scalars(select(PostRevision.body_md).where(PostRevision.post_id == answer_id)))
    assert revisions == [f"Premier jet, {ERASED_MENTION}."]
    thread = session.get(Thread, thread_id)
    assert thread is not None and thread.title == f"Merci {ERASED_MENTION}"

    page = visitor.get(f"/fr/t/{thread_id}").text  # the cached page is stale: rendered again
    assert "@Partante" not in page and "@partante" not in page and ERASED_MENTION in page
    search = visitor.get("/api/v1/search", params={"q": "manques"}).json()["items"]
    assert [hit["post_id"] for hit in search] == [answer_id]  # the index follows, as after an edit
    assert ERASED_MENTION in str(search) and "@partante" not in str(search).casefold()


def test_a_newcomer_may_take_the_freed_name_and_old_mentions_do_not_point_at_them(
        app: FastAPI, client: TestClient, session: Session, settings: Settings) -> None:
    leaving, staying = make_user(session, "Partante"), make_user(session, "Restante")
    posted = make_thread(session, category=make_category(session), author=staying, title="Un fil",
                         body="Merci @Partante pour tes conseils.")
    make_reply(session, posted=posted, author=leaving, body="Par paliers de 10 %, ça m'a aidée.")
    answer = make_reply(session, posted=posted, author=staying,
                        body=quote("Partante", "Par paliers de 10 %, ça m'a aidée.") + "Merci, je note.")
    session.commit()
    post_id, answer_id = posted.post.id, answer.post.id
    html_login(client, "Partante")
    _ask_erasure(client, "keep")
    pass_grace_period(app)
    session.expire_all()

    # Nothing keeps an erased member's pseudonym: it may be registered again at once.
    newcomer = accounts.sign_up(session, settings, pseudonym="Partante", password="another sturdy passphrase 7",
                                locale="fr").user
    session.commit()
    assert session.scalar(select(User.id).where(User.pseudonym == "Partante")) == newcomer.id
    post = session.get(Post, post_id)
    assert post is not None and "Partante" not in post.body_md + post.body_html
    assert references.find(session, post).mentioned_ids == ()
    # Her kept words, quoted, are signed as her posts now are: not by the newcomer's name.
    kept = session.get(Post, answer_id)
    assert kept is not None and kept.body_md.startswith("> **ancien membre**:\n> Par paliers de 10 %")
    assert "Partante" not in kept.body_md + kept.body_html and "<strong>ancien membre</strong>:" in kept.body_html
    assert references.find(session, kept).quoted_ids == ()


def test_answers_kept_for_retries_are_exported_and_go_at_the_erasure(app: FastAPI, client: TestClient,
                                                                     session: Session) -> None:
    """A kept answer can carry others' words (the passages its findings matched, in a quote too)."""
    from app.member_data.service import build_archive, export_member_data

    leaving, staying = make_user(session, "Partante"), make_user(session, "Restante")
    make_user(session, "Tierce")
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=staying,
                         title="Les nuits", body="Comment dormez-vous ?")
    make_reply(session, posted=posted, author=leaving, body="Je dors mieux depuis la baisse.")
    session.commit()
    thread_id = posted.thread.id

    def reply(who: str, key: str, body: str) -> int:
        browser = _Browser(app, session)
        headers = {"X-CSRF-Token": api_login(browser, who), "Idempotency-Key": key}
        answer = browser.post(f"/api/v1/threads/{thread_id}/posts", json={"body": body}, headers=headers)
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])

    own = reply("Partante", "k-own", "Merci à vous toutes.")
    reply("Restante", "k-quote", quote("Partante", "Je dors mieux depuis la baisse.") + "Tant mieux !")
    reply("Restante", "k-mention", "Bonne nuit @Partante.")
    reply("Tierce", "k-other", "Moi aussi je dors mieux.")
    session.expire_all()

    exported = export_member_data(session, user=leaving)["api_requests"]
    assert [(row["key"], row["status_code"], row["answer"]["id"]) for row in exported] == [  # type: ignore[index]
        ("k-own", 201, own)]
    archive = zipfile.ZipFile(io.BytesIO(build_archive(session, user=leaving)))
    assert json.loads(archive.read("profile.json"))["api_requests"][0]["key"] == "k-own"
    readme = archive.read("README.txt").decode()
    assert "profile.json" in readme and "ne publie pas deux fois" in readme

    html_login(client, "Partante")
    _ask_erasure(client, "keep")
    pass_grace_period(app)
    session.expire_all()
    assert sorted(session.scalars(select(IdempotencyKey.key))) == ["k-other"]


@pytest.mark.parametrize(("pseudonym", "typed"), [("ÉloÏse", "@éLOÏSE"), ("Annabel", "@Ａｎｎａｂｅｌ")])
def test_mentions_in_any_case_or_width_lose_the_name(app: FastAPI, client: TestClient, session: Session,
                                                     pseudonym: str, typed: str) -> None:
    """SQLite folds ASCII letters only: "@éLOÏSE" and the full-width "@Ａｎｎａｂｅｌ" are found in Python."""
    make_user(session, pseudonym)
    staying = make_user(session, "Demeurante")
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=staying,
                         title=f"Pour {typed}", body="Bonjour.")
    kept = make_reply(session, posted=posted, author=staying, body=f"Merci {typed}, et @{pseudonym}2 aussi.")
    session.commit()
    thread_id, post_id = posted.thread.id, kept.post.id
    html_login(client, pseudonym)
    _ask_erasure(client, "keep")
    pass_grace_period(app)
    session.expire_all()
    post = session.get(Post, post_id)
    assert post is not None
    assert post.body_md == f"Merci {ERASED_MENTION}, et @{pseudonym}2 aussi."  # another name stays
    thread = session.get(Thread, thread_id)
    assert thread is not None and thread.title == f"Pour {ERASED_MENTION}"


LINKS_AND_CODE = ("Merci @Partante ! Sa page : [la page de @Partante](https://example.org/@Partante), "
                  "aussi <https://example.org/@Partante> et `@Partante`.\n\n"
                  "    @Partante dans un bloc de code\n\n"
                  "```\n@Partante dans une clôture\n```\n\n"
                  "[ref]: https://example.org/@Partante\n\n"
                  "> **Restante**: cité, @Partante\n")


def test_the_final_erasure_leaves_links_and_code_as_written(app: FastAPI, client: TestClient,
                                                            session: Session) -> None:
    """Only what was a mention when posted (references.scan) loses the name, and quotes too; addresses and code
    are the author's and stay whole (outsider walk: a link to example.org/@name became example.org/@…)."""
    make_user(session, "Partante")
    staying = make_user(session, "Restante")
    posted = make_thread(session, category=make_category(session), author=staying, title="Liens",
                         body=LINKS_AND_CODE)
    session.commit()
    post_id = posted.post.id
    html_login(client, "Partante")
    _ask_erasure(client, "keep")
    pass_grace_period(app)
    session.expire_all()
    post = session.get(Post, post_id)
    assert post is not None
    assert post.body_md == (
        f"Merci {ERASED_MENTION} ! Sa page : [la page de {ERASED_MENTION}](https://example.org/@Partante), "
        f"aussi <https://example.org/@Partante> et `@Partante`.\n\n"
        "    @Partante dans un bloc de code\n\n"
        "```\n@Partante dans une clôture\n```\n\n"
        "[ref]: https://example.org/@Partante\n\n"
        f"> **Restante**: cité, {ERASED_MENTION}")  # (the trailing line break goes when posted)
    assert 'href="https://example.org/@Partante"' in post.body_html


def test_an_autolink_is_no_mention_when_posted() -> None:
    mentions, _ = references.scan(LINKS_AND_CODE)
    assert mentions == [["Partante"], ["Partante"]]  # the text and the link's text; no address, no code, no quote
