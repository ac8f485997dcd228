"""A thread page's posts rendered once and shared: the same page as rendered whole, and nothing personal shared.

app/forum/fragments.py renders each post once for every member it looks the same
to and keeps whole pages of posts for members; these tests hold it to the page
as it was rendered before, post by post for the reader, and to what must change
at once (a hidden post, a new reaction).
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import User
from app.forum import fragments
from app.forum.models import Post, PostStatus, Reaction, ReactionKind
from app.main import create_app
from tests.factories import csrf_from, html_login, make_category, make_reply, make_thread, make_user
from tests.forum.test_queries import count_queries

_POSTS = re.compile(r'<div class="posts".*?</div>\s*(?=<nav class="pagination"|<section|<p)', re.S)


@pytest.fixture(autouse=True)
def _one_page(app) -> None:  # type: ignore[no-untyped-def]
    app.state.settings.thread_page_size = 20  # the whole thread on one page


def _posts_of(html: str) -> str:
    found = _POSTS.search(html)
    assert found, html
    return found.group(0)


def _thread(session: Session) -> tuple[int, dict[str, User], list[Post]]:
    """A thread of several authors: reactions, a content note, a deleted and a hidden post, an edit."""
    people = {name: make_user(session, name)
              for name in ("Autrice", "Lecteur", "Lectrice", "Voisin", "Passant", "Passante")}
    posted = make_thread(session, category=make_category(session), author=people["Autrice"],
                         title="Nuits difficiles", body="Premier message, **gras**.")
    posts = [posted.post]
    for index, name in enumerate(["Voisin", "Lecteur", "Voisin", "Autrice", "Voisin", "Autrice"]):
        posts.append(make_reply(session, posted=posted, author=people[name], body=f"Réponse {index} de {name}").post)
    posts[2].content_note = "difficult_symptoms"
    posts[3].status = PostStatus.deleted
    posts[4].status = PostStatus.hidden
    posts[5].body_html = "<p>Réponse modifiée</p>"
    session.add_all([Reaction(post_id=posts[1].id, user_id=people["Lecteur"].id, kind=ReactionKind.thanks),
                     Reaction(post_id=posts[1].id, user_id=people["Voisin"].id, kind=ReactionKind.thanks),
                     Reaction(post_id=posts[5].id, user_id=people["Lectrice"].id, kind=ReactionKind.courage)])
    people["Lecteur"].expand_notes = "difficult_symptoms"
    people["Passante"].expand_notes = "difficult_symptoms"  # she reacted to nothing here either
    session.commit()
    return posted.post.thread_id, people, posts


def _live(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render every post whole for its reader, as before the fragments (a moderator's page still is)."""
    monkeypatch.setattr(fragments, "shares_fragments", lambda viewer: False)


@pytest.mark.parametrize("reader", ["Lecteur", "Lectrice", "Autrice", "Passant", "Passante"])
def test_members_get_the_page_a_whole_rendering_gives(app, client: TestClient, session: Session, reader: str,  # type: ignore[no-untyped-def]
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Lecteur wrote a post of the page (rendered for him), reacted and unfolds content notes;
    # Lectrice wrote none here; Autrice wrote the first post and has others' reactions on hers;
    # Passant wrote and gave nothing here (the stored page's plain filling), Passante neither but
    # unfolds content notes.
    thread_id, _people, _posts = _thread(session)
    html_login(client, reader)
    first = client.get(f"/fr/t/{thread_id}")  # rendered and stored
    again = client.get(f"/fr/t/{thread_id}")  # from the caches when they apply
    with monkeypatch.context() as patched:
        _live(patched)
        whole = client.get(f"/fr/t/{thread_id}")
    assert first.status_code == again.status_code == whole.status_code == 200
    assert _posts_of(again.text) == _posts_of(first.text) == _posts_of(whole.text)
    assert "\x00" not in again.text  # every marker filled in


def test_the_members_page_cache_serves_plain_members(app, client: TestClient, session: Session) -> None:  # type: ignore[no-untyped-def]
    thread_id, _people, _posts = _thread(session)
    html_login(client, "Lectrice")
    with count_queries(app) as first:
        page = client.get(f"/fr/t/{thread_id}")
    with count_queries(app) as again:
        cached = client.get(f"/fr/t/{thread_id}?page=1")  # another URL, the same page of posts
    assert _posts_of(cached.text) == _posts_of(page.text)
    # From the cache: neither the posts nor their reaction counts are read again.
    assert any("OVER ()" in statement for statement in first)
    assert not any("OVER ()" in statement or "count(forum_reactions.id)" in statement for statement in again)
    assert len(again) < len(first)


def test_a_hidden_post_and_a_new_reaction_show_to_members_at_once(client: TestClient, session: Session) -> None:
    thread_id, people, posts = _thread(session)
    html_login(client, "Lectrice")
    assert "Réponse 5 de Autrice" in client.get(f"/fr/t/{thread_id}").text
    assert "Réponse 5 de Autrice" in client.get(f"/fr/t/{thread_id}").text  # from the cache
    post = session.get(Post, posts[6].id)
    assert post is not None
    post.status = PostStatus.hidden  # a moderator hides it
    session.add(Reaction(post_id=posts[2].id, user_id=people["Voisin"].id, kind=ReactionKind.me_too))
    session.commit()
    page = client.get(f"/fr/t/{thread_id}").text
    assert "Réponse 5 de Autrice" not in page
    article = page[page.index(f'id="p{posts[2].id}"'):page.index(f'id="p{posts[3].id}"')]
    assert re.search(r'class="count">1<', article)  # the new "me too"


def test_members_never_see_each_others_personal_parts(client: TestClient, session: Session) -> None:
    thread_id, _people, posts = _thread(session)
    html_login(client, "Lecteur")
    his = client.get(f"/fr/t/{thread_id}").text  # stores the shared posts
    html_login(client, "Lectrice")
    hers = client.get(f"/fr/t/{thread_id}").text
    html_login(client, "Lecteur")
    his_again = client.get(f"/fr/t/{thread_id}").text
    his_token, her_token = csrf_from(his), csrf_from(hers)
    assert his_token != her_token and his_token not in hers and her_token not in his_again
    assert csrf_from(his_again) in his_again and his_token not in his_again  # a new log-in, a new token

    def pressed(html: str, post_id: int) -> list[str]:
        article = html[html.index(f'id="p{post_id}"'):]
        article = article[:article.index("</article>")]
        return re.findall(r'aria-pressed="(true|false)"', article)

    assert "true" in pressed(his, posts[1].id) and "true" in pressed(his_again, posts[1].id)  # his thanks
    assert "true" not in pressed(hers, posts[1].id)
    assert "true" in pressed(hers, posts[5].id) and "true" not in pressed(his_again, posts[5].id)  # her courage

    def toggles(html: str, post_id: int) -> list[str]:  # the form's "given": 0 takes a reaction back
        article = html[html.index(f'id="p{post_id}"'):]
        article = article[:article.index("</article>")]
        return re.findall(r'name="given" value="([01])"', article)

    assert "0" in toggles(his_again, posts[1].id) and "0" not in toggles(hers, posts[1].id)
    assert "0" in toggles(hers, posts[5].id) and "0" not in toggles(his_again, posts[5].id)
    assert all(len(toggles(html, posts[1].id)) == len(pressed(html, posts[1].id)) for html in (his, hers))
    # He unfolds this content note by default, she does not.
    note = '<details class="content-note"'
    assert f"{note} open>" in his and f"{note} open>" in his_again and f"{note}>" in hers


def test_a_members_own_held_post_is_listed_for_them(client: TestClient, session: Session) -> None:
    thread_id, people, posts = _thread(session)
    html_login(client, "Lectrice")
    client.get(f"/fr/t/{thread_id}")  # a page of posts stored for members
    held = make_reply(session, posted=_Posted(posts[0]), author=people["Lectrice"], body="En attente de relecture")
    held.post.status = PostStatus.held
    session.commit()
    assert "En attente de relecture" in client.get(f"/fr/t/{thread_id}").text
    html_login(client, "Lecteur")
    assert "En attente de relecture" not in client.get(f"/fr/t/{thread_id}").text


def test_moderators_get_their_page_whole(client: TestClient, session: Session) -> None:
    from app.accounts.models import Role

    thread_id, _people, _posts = _thread(session)
    make_user(session, "Moderatrice", role=Role.moderator, moderated_langs="fr")
    session.commit()
    html_login(client, "Lectrice")
    assert "Réponse 3 de Autrice" not in client.get(f"/fr/t/{thread_id}").text  # hidden: a placeholder
    html_login(client, "Moderatrice")
    assert "Réponse 3 de Autrice" in client.get(f"/fr/t/{thread_id}").text  # its moderators read it


class _Posted:
    def __init__(self, post: Post) -> None:
        self.post = post


def test_fragments_are_keyed_by_what_they_show(session: Session) -> None:
    posted = make_thread(session, category=make_category(session), author=make_user(session, "Clef"), body="texte")
    session.commit()
    post = session.scalar(select(Post).options(joinedload(Post.author)).where(Post.id == posted.post.id))
    assert post is not None

    def key(**changes: object) -> object:
        for name, value in changes.items():
            setattr(post, name, value)
        return fragments.fragment_key(post, member=True, reactions={}, taper_lines={})

    original = key()
    assert key() == original
    assert key(body_html="<p>autre</p>") != original
    assert key(status=PostStatus.hidden) != key(status=PostStatus.published)
    assert fragments.fragment_key(post, member=False, reactions={}, taper_lines={}) != key()


def test_each_application_has_its_own_pages(settings) -> None:  # type: ignore[no-untyped-def]
    first, second = create_app(settings), create_app(settings)
    assert fragments.member_pages(first) is not fragments.member_pages(second)


_REPLY = re.compile(r'<section aria-labelledby="reply-heading" id="reply">.*?</section>', re.S)


def _reply_form(html: str) -> str:
    found = _REPLY.search(html)
    assert found, html
    return found.group(0)


def _form_values(form: str) -> tuple[str, str]:
    token = re.search(r'name="csrf_token" value="([^"]*)"', form)
    nonce = re.search(r'name="form_nonce" value="([^"]*)"', form)
    assert token and nonce
    return token.group(1), nonce.group(1)


def test_the_reply_form_is_stored_once_and_personal_where_it_must_be(app, client: TestClient,  # type: ignore[no-untyped-def]
                                                                    session: Session) -> None:
    thread_id, _people, posts = _thread(session)
    make_user(session, "Nouvelle", approved_posts=0, published_posts=0)
    session.commit()
    html_login(client, "Lectrice")
    first = _reply_form(client.get(f"/fr/t/{thread_id}").text)  # rendered and stored
    again = _reply_form(client.get(f"/fr/t/{thread_id}").text)  # from the store
    fragments.reply_forms(app).clear()
    fresh = _reply_form(client.get(f"/fr/t/{thread_id}").text)  # rendered again
    token, nonce = _form_values(first)
    assert _form_values(again)[0] == token and _form_values(again)[1] != nonce  # each page a new form
    def without_nonce(form: str) -> str:
        return re.sub(r'name="form_nonce" value="[^"]*"', "", form)

    assert without_nonce(again) == without_nonce(first) == without_nonce(fresh)
    assert "\x00" not in again and "premoderation-hint" not in again and f'data-thread-id="{thread_id}"' in again
    # A quoted reply is the reader's own form: the quote in its text area, never stored for others.
    quoted = _reply_form(client.get(f"/fr/t/{thread_id}?quote={posts[1].id}").text)
    assert "Réponse 0 de Voisin" in quoted
    assert "Réponse 0 de Voisin" not in _reply_form(client.get(f"/fr/t/{thread_id}").text)
    # Another member: their token in the same stored form; a newcomer is told their posts are read first.
    html_login(client, "Nouvelle")
    hers = _reply_form(client.get(f"/fr/t/{thread_id}").text)
    assert _form_values(hers)[0] != token and token not in hers and "premoderation-hint" in hers
    html_login(client, "Lectrice")
    assert "premoderation-hint" not in _reply_form(client.get(f"/nl/t/{thread_id}").text)
