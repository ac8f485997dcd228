"""The grace period reaches every place a member's words or name showed: the review queue, their diary's
summary, others' quotes of them, and mentions. Logging in again brings each of them back.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.diary import service as diary
from app.forum.models import Post, PostStatus
from app.markdown import quote
from app.notifications.models import Notification
from app.review.models import ItemStatus, ReviewItem
from tests.diary.helpers import form_token
from tests.factories import api_login, html_login, make_category, make_reply, make_thread, make_user
from tests.member_data.test_erasure_grace import _ask_erasure, _Browser
from tests.review.helpers import CRISIS, SOURCING, decide, moderator, open_item

OWN_WORDS = "Mes nuits sont longues depuis la dernière baisse"
QUOTE_REMOVED_FR = "Texte cité retiré à la demande de son auteur."


def test_moderators_see_that_the_text_is_withheld_and_can_still_reach_out(app: FastAPI, client: TestClient,
                                                                          session: Session) -> None:
    leaving, staying = make_user(session, "Partante"), make_user(session, "Restante")
    moderator(session, "Veilleuse")
    posted = make_thread(session, category=make_category(session), author=staying, title="Un fil à nous",
                         body="Comment allez-vous ce soir ?")
    crisis = make_reply(session, posted=posted, author=leaving, body=CRISIS)
    selling = make_thread(session, category=make_category(session), author=leaving, title="Mon titre à moi",
                          body=SOURCING)
    crisis_item, sourcing_item = open_item(session, crisis.post.id), open_item(session, selling.post.id)
    session.commit()
    html_login(client, "Partante")
    _ask_erasure(client, "remove")

    mod = _Browser(app, session)
    html_login(mod, "Veilleuse")
    queue = mod.get("/fr/review").text
    assert "je veux en finir" not in queue and "Xanax" not in queue and "Mon titre à moi" not in queue
    assert queue.count('class="excerpt withheld"') == 2
    page = mod.get(f"/fr/review/items/{crisis_item.id}").text
    assert CRISIS not in page and 'id="withheld-notice"' in page
    assert 'name="private_body"' in page and 'name="public_body"' not in page  # a private check-in only
    assert 'value="edit"' not in page and 'value="lock"' in page
    selling_page = mod.get(f"/fr/review/items/{sourcing_item.id}").text
    assert "Xanax" not in selling_page and "Mon titre à moi" not in selling_page

    token = api_login(mod, "Veilleuse")
    shown = mod.get(f"/api/v1/review/items/{sourcing_item.id}").json()
    assert shown["withheld"] is True and shown["findings"] and "Xanax" not in str(shown)
    refused = decide(mod, token, sourcing_item.id, "delete")
    assert refused["status"] == 422 and "retenu" in str(refused["body"])
    assert decide(mod, token, sourcing_item.id, "lock")["status"] == 200  # the thread is still the moderators'
    session.expire_all()
    assert session.get(ReviewItem, sourcing_item.id).status == ItemStatus.open  # type: ignore[union-attr]
    form = form_token(mod, f"/fr/review/items/{crisis_item.id}")
    refused_page = mod.post(f"/fr/review/items/{crisis_item.id}/support", data={
        "csrf_token": form, "public_body": "Bonjour à toi"}, follow_redirects=False)
    assert refused_page.status_code == 422 and "seul un message privé" in refused_page.text
    response = mod.post(f"/fr/review/items/{crisis_item.id}/support", data={
        "csrf_token": form, "private_body": "Je pense à toi. Tu peux appeler le 0800 32 123.", "resolve": "1"},
        follow_redirects=False)
    assert response.status_code == 303, response.text

    # Logging in again: the text is back for the moderators too, held, its item still waiting for a decision.
    html_login(client, "Partante")
    page = mod.get(f"/fr/review/items/{sourcing_item.id}").text
    assert SOURCING in page and 'id="withheld-notice"' not in page and 'value="edit"' in page
    session.expire_all()
    assert session.get(Post, selling.post.id).status == PostStatus.held  # type: ignore[union-attr]


def test_the_final_erasure_closes_the_items_of_withheld_posts(app: FastAPI, client: TestClient,
                                                               session: Session) -> None:
    from tests.member_data.test_views import pass_grace_period

    leaving = make_user(session, "Partante")
    selling = make_thread(session, category=make_category(session), author=leaving, title="Un titre", body=SOURCING)
    item_id = open_item(session, selling.post.id).id
    session.commit()
    html_login(client, "Partante")
    _ask_erasure(client, "remove")
    pass_grace_period(app)
    session.expire_all()
    item = session.get(ReviewItem, item_id)
    assert item is not None and (item.status, item.resolution) == (ItemStatus.resolved, "erased")


def test_the_diary_summary_and_pseudonym_leave_members_sight(app: FastAPI, client: TestClient,
                                                              session: Session) -> None:
    leaving = make_user(session, "Partante")
    make_user(session, "Restante")
    diary.update_settings(session, user=leaving, visibility="members", taper_line_on=False)
    session.commit()
    peer = _Browser(app, session)
    html_login(peer, "Restante")
    assert peer.get(f"/fr/diary/member/{leaving.id}").status_code == 200
    html_login(client, "Partante")
    _ask_erasure(client, "remove")
    hidden = peer.get(f"/fr/diary/member/{leaving.id}")
    assert hidden.status_code == 404 and "Partante" not in hidden.text
    html_login(client, "Partante")
    assert peer.get(f"/fr/diary/member/{leaving.id}").status_code == 200


def test_keeping_posts_keeps_the_diary_summary_too(app: FastAPI, client: TestClient, session: Session) -> None:
    leaving = make_user(session, "Partante")
    make_user(session, "Restante")
    diary.update_settings(session, user=leaving, visibility="members", taper_line_on=False)
    session.commit()
    html_login(client, "Partante")
    _ask_erasure(client, "keep")
    peer = _Browser(app, session)
    html_login(peer, "Restante")
    assert peer.get(f"/fr/diary/member/{leaving.id}").status_code == 200


def _quoting_arrangement(session: Session) -> dict[str, int]:
    leaving, staying = make_user(session, "Partante"), make_user(session, "Restante")
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=staying,
                         title="Les nuits", body="Comment dormez-vous ?")
    make_reply(session, posted=posted, author=leaving, body=OWN_WORDS)
    answer = make_reply(session, posted=posted, author=staying,
                        body=quote("Partante", OWN_WORDS) + "Tiens bon, ça passe.")
    session.commit()
    return {"thread": posted.thread.id, "answer": answer.post.id}


def test_others_quotes_of_withheld_posts_are_shown_removed_and_come_back(app: FastAPI, client: TestClient,
                                                                         session: Session) -> None:
    ids = _quoting_arrangement(session)
    visitor = _Browser(app, session)
    assert OWN_WORDS in visitor.get(f"/fr/t/{ids['thread']}").text
    html_login(client, "Partante")
    _ask_erasure(client, "remove")

    page = visitor.get(f"/fr/t/{ids['thread']}").text
    assert OWN_WORDS not in page and QUOTE_REMOVED_FR in page and "Tiens bon, ça passe." in page
    api = visitor.get(f"/api/v1/threads/{ids['thread']}/posts").json()
    assert OWN_WORDS not in str(api) and "Tiens bon" in str(api)
    session.expire_all()
    stored = session.get(Post, ids["answer"])
    assert stored is not None and OWN_WORDS in stored.body_md  # the quoting member's text is untouched meanwhile

    html_login(client, "Partante")
    page = visitor.get(f"/fr/t/{ids['thread']}").text
    assert page.count(OWN_WORDS) == 2 and QUOTE_REMOVED_FR not in page


def test_the_final_erasure_takes_the_quotes_out_of_others_posts(app: FastAPI, client: TestClient,
                                                               session: Session) -> None:
    from tests.member_data.test_views import pass_grace_period

    ids = _quoting_arrangement(session)
    html_login(client, "Partante")
    _ask_erasure(client, "remove")
    pass_grace_period(app)
    session.expire_all()
    answer = session.get(Post, ids["answer"])
    assert answer is not None and OWN_WORDS not in answer.body_md and OWN_WORDS not in answer.body_html
    assert QUOTE_REMOVED_FR in answer.body_md and "Tiens bon, ça passe." in answer.body_md
    assert "Partante" not in answer.body_md  # the freed name is not left to point at whoever takes it next
    visitor = _Browser(app, session)
    assert OWN_WORDS not in visitor.get(f"/fr/t/{ids['thread']}").text


def test_mentions_of_a_member_in_grace_notify_no_one(app: FastAPI, client: TestClient, session: Session) -> None:
    leaving, staying = make_user(session, "Partante"), make_user(session, "Restante")
    posted = make_thread(session, category=make_category(session), author=staying, title="Un fil",
                         body="Bonjour à toutes et à tous.")
    session.commit()
    html_login(client, "Partante")
    _ask_erasure(client, "remove")
    make_reply(session, posted=posted, author=staying, body="Tu nous manques, @Partante.")
    session.commit()

    def mentions() -> list[int | None]:
        return list(session.scalars(select(Notification.post_id).where(Notification.user_id == leaving.id,
                                                                         Notification.kind == "mention")))

    assert mentions() == []
    html_login(client, "Partante")  # back: mentions notify again
    again = make_reply(session, posted=posted, author=staying, body="Contente de te revoir, @Partante !")
    session.commit()
    assert mentions() == [again.post.id]


def test_search_never_shows_a_withheld_members_quoted_words_or_name(app: FastAPI, client: TestClient,
                                                                    session: Session) -> None:
    """Quotes of other posts are not in the quoting post's search document: the quoted post is indexed itself,
    and during its author's grace period neither its words nor its author's name show in others' snippets."""
    leaving, staying = make_user(session, "Partante"), make_user(session, "Restante")
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=staying,
                         title="Les nuits", body="Comment dormez-vous ?")
    quoted = make_reply(session, posted=posted, author=leaving, body="Je dors mieux. Motunique alicepost.")
    answer = make_reply(session, posted=posted, author=staying,
                        body=quote("Partante", "Je dors mieux. Motunique alicepost.") + "Tiens bon, ça passe.")
    session.commit()
    visitor = _Browser(app, session)

    def found(q: str) -> list[dict[str, object]]:
        return list(visitor.get("/api/v1/search", params={"q": q}).json()["items"])

    # Before: the quoted post is found once, under its own id (the quote is no duplicate hit).
    assert [hit["post_id"] for hit in found("alicepost")] == [quoted.post.id]
    assert [hit["post_id"] for hit in found("Tiens bon")] == [answer.post.id]
    assert found("Partante") == []
    html_login(client, "Partante")
    _ask_erasure(client, "remove")

    for q in ("alicepost", "Motunique", "Partante"):
        assert found(q) == [], q
        assert "<mark>" not in visitor.get("/fr/search", params={"q": q}).text, q  # no result (the query is echoed)
    shown = found("Tiens bon")
    assert [hit["post_id"] for hit in shown] == [answer.post.id]
    assert "alicepost" not in str(shown) and "Partante" not in str(shown) and "Motunique" not in str(shown)
    page = visitor.get("/fr/search", params={"q": "Tiens bon"}).text
    assert "<mark>" in page and "alicepost" not in page and "Partante" not in page

    html_login(client, "Partante")  # the erasure is cancelled: her post is found again, the quote still is not
    assert [hit["post_id"] for hit in found("alicepost")] == [quoted.post.id]
    assert [hit["post_id"] for hit in found("Tiens bon")] == [answer.post.id]


@pytest.mark.parametrize("posts", ["remove", "keep"])
def test_diary_share_links_are_suspended_during_the_grace_period(app: FastAPI, client: TestClient,
                                                                 session: Session, posts: str) -> None:
    """The diary goes with the account whatever becomes of the posts: its share links stop meanwhile."""
    from app.diary import sharing

    leaving = make_user(session, "Partante")
    diary.save_questions(session, user=leaving, questions="Faut-il ralentir la baisse ?")
    _link, token = sharing.create_share_link(session, user=leaving, label="Médecin")
    session.commit()
    doctor = _Browser(app, session)
    assert "Faut-il ralentir" in doctor.get(f"/fr/diary/shared/{token}").text
    html_login(client, "Partante")
    _ask_erasure(client, posts)
    suspended = doctor.get(f"/fr/diary/shared/{token}")
    assert suspended.status_code == 404 and "Faut-il ralentir" not in suspended.text
    assert doctor.get(f"/nl/diary/shared/{token}").status_code == 404
    html_login(client, "Partante")  # logging in again cancels the erasure: the link works again
    again = doctor.get(f"/fr/diary/shared/{token}")
    assert again.status_code == 200 and "Faut-il ralentir" in again.text


def test_mentions_of_a_member_in_grace_are_shown_withheld_left_out_of_search_and_come_back(
        app: FastAPI, client: TestClient, session: Session) -> None:
    """Like quotes of them: others' @mentions show a neutral placeholder and leave the search documents."""
    make_user(session, "Partante")
    staying = make_user(session, "Restante")
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=staying,
                         title="Les nuits", body="Comment dormez-vous ?")
    answer = make_reply(session, posted=posted, author=staying,
                        body="Merci @Partante, ton conseil m'a aidée.")
    session.commit()
    visitor = _Browser(app, session)

    def found(q: str) -> list[int]:
        return [hit["post_id"] for hit in visitor.get("/api/v1/search", params={"q": q}).json()["items"]]

    assert "@Partante" in visitor.get(f"/fr/t/{posted.thread.id}").text
    assert found("Partante") == [answer.post.id]
    html_login(client, "Partante")
    _ask_erasure(client, "remove")

    page = visitor.get(f"/fr/t/{posted.thread.id}").text
    assert "@Partante" not in page and "(nom masqué)" in page and "ton conseil m'a aidée" in page
    nl_page = visitor.get(f"/nl/t/{posted.thread.id}").text
    assert "@Partante" not in nl_page and "(naam verborgen)" in nl_page
    api = visitor.get(f"/api/v1/threads/{posted.thread.id}/posts").json()
    assert "@Partante" not in str(api) and "ton conseil" in str(api)
    assert found("Partante") == [] and found("conseil") == [answer.post.id]
    session.expire_all()
    stored = session.get(Post, answer.post.id)
    assert stored is not None and "@Partante" in stored.body_md  # the mentioning member's text is untouched

    html_login(client, "Partante")  # the erasure is cancelled: the name is shown and found again
    assert "@Partante" in visitor.get(f"/fr/t/{posted.thread.id}").text
    assert found("Partante") == [answer.post.id]
