from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.forum.models import Post, PostRevision, PostStatus, Reaction, Thread, Visibility
from tests.factories import (
    api_login,
    csrf_from,
    html_login,
    logged_in_member,
    make_category,
    make_reply,
    make_thread,
    make_user,
)


def _form(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


def test_visitor_reads_public_category_and_thread(client: TestClient, session: Session) -> None:
    author = make_user(session, "Lecteur")
    category = make_category(session, "tapering-now")
    posted = make_thread(session, category=category, author=author, title="Nuits difficiles", body="Je dors *mal*.")
    session.commit()
    listing = client.get("/fr/c/tapering-now")
    assert "Nuits difficiles" in listing.text
    page = client.get(f"/fr/t/{posted.post.thread_id}")
    assert page.status_code == 200 and "<em>mal</em>" in page.text
    assert f'id="p{posted.post.id}"' in page.text


def test_member_starts_thread_and_replies_through_forms(client: TestClient, session: Session) -> None:
    make_category(session, "tapering-now")
    logged_in_member(client, session, "Auteur")
    token = _form(client, "/fr/c/tapering-now/new")
    response = client.post("/fr/c/tapering-now/new", data={
        "csrf_token": token, "title": "Mon premier fil", "body": "Bonjour à tous.", "thread_lang": "fr",
    }, follow_redirects=True)
    assert response.status_code == 200 and "Mon premier fil" in response.text
    thread = session.scalar(select(Thread).where(Thread.title == "Mon premier fil"))
    assert thread is not None and thread.post_count == 1
    token = csrf_from(response.text)
    reply = client.post(f"/fr/t/{thread.id}/reply", data={"csrf_token": token, "body": "Une réponse."},
                        follow_redirects=True)
    assert "Une réponse." in reply.text
    session.expire_all()
    assert session.get(Thread, thread.id).post_count == 2  # type: ignore[union-attr]


def test_failed_validation_keeps_the_text(client: TestClient, session: Session) -> None:
    make_category(session, "tapering-now")
    logged_in_member(client, session, "Oublieux")
    token = _form(client, "/fr/c/tapering-now/new")
    body = "Un long texte que je ne veux surtout pas perdre, écrit avec soin."
    response = client.post("/fr/c/tapering-now/new", data={
        "csrf_token": token, "title": "x", "body": body, "thread_lang": "fr"})
    assert response.status_code == 422
    assert body in response.text and 'aria-invalid="true"' in response.text


def test_a_title_with_a_right_to_left_override_is_refused_in_the_members_language(client: TestClient,
                                                                                  session: Session) -> None:
    make_category(session, "tapering-now")
    logged_in_member(client, session, "Omgekeerd")
    token = _form(client, "/nl/c/tapering-now/new")
    body = "Mijn verhaal, dat ik niet kwijt wil."
    response = client.post("/nl/c/tapering-now/new", data={
        "csrf_token": token, "title": "Week 3 \u202egnuoblaf", "body": body, "thread_lang": "nl"})
    assert response.status_code == 422
    assert "tekstrichting" in response.text and body in response.text
    assert session.scalar(select(func.count(Thread.id))) == 0


def test_titles_are_isolated_from_the_text_around_them(client: TestClient, session: Session) -> None:
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=make_user(session))
    posted.thread.title = "\u202eSaved before titles were checked"  # a title stored before the check
    session.commit()
    listing = client.get("/fr/c/tapering-now").text
    assert 'lang="fr" dir="auto">\u202eSaved before titles were checked</a>' in listing
    page = client.get(f"/fr/t/{posted.thread.id}").text
    assert '<h1 lang="fr" dir="auto">' in page


def test_expired_session_keeps_the_text(client: TestClient, session: Session) -> None:
    author = make_user(session, "Perdu")
    posted = make_thread(session, category=make_category(session), author=author)
    session.commit()
    token = _form(client, "/fr/account/login")
    body = "Ma réponse très longue. " * 20
    response = client.post(f"/fr/t/{posted.post.thread_id}/reply", data={"csrf_token": token, "body": body})
    assert response.status_code == 401
    assert body.strip() in response.text


def test_edit_keeps_revisions_and_delete_is_soft(client: TestClient, session: Session) -> None:
    author = make_user(session, "Editeur")
    posted = make_thread(session, category=make_category(session), author=author, body="Version un")
    session.commit()
    html_login(client, "Editeur")
    post_id = posted.post.id
    token = _form(client, f"/fr/p/{post_id}/edit")
    client.post(f"/fr/p/{post_id}/edit", data={"csrf_token": token, "body": "Version deux"})
    session.expire_all()
    assert session.get(Post, post_id).body_md == "Version deux"  # type: ignore[union-attr]
    assert session.scalar(select(PostRevision.body_md).where(PostRevision.post_id == post_id)) == "Version un"
    client.post(f"/fr/p/{post_id}/delete", data={"csrf_token": token})
    session.expire_all()
    assert session.get(Post, post_id).status == PostStatus.deleted  # type: ignore[union-attr]
    page = client.get(f"/fr/t/{posted.post.thread_id}")
    assert "Version deux" not in page.text


def test_cannot_edit_someone_elses_post(client: TestClient, session: Session) -> None:
    author = make_user(session, "Proprietaire")
    make_user(session, "Intrus")
    posted = make_thread(session, category=make_category(session), author=author)
    session.commit()
    html_login(client, "Intrus")
    assert client.get(f"/fr/p/{posted.post.id}/edit").status_code == 404


def test_reactions_one_of_each_per_member(client: TestClient, session: Session) -> None:
    author = make_user(session, "Donneur")
    posted = make_thread(session, category=make_category(session), author=author)
    session.commit()
    html_login(client, "Donneur")
    token = _form(client, f"/fr/t/{posted.post.thread_id}")
    for kind in ("thanks", "courage", "thanks"):
        client.post(f"/fr/p/{posted.post.id}/react", data={"csrf_token": token, "kind": kind})
    kinds = session.scalars(select(Reaction.kind).where(Reaction.post_id == posted.post.id)).all()
    assert sorted(kinds) == ["courage"]  # the second "thanks" took the first back


def test_a_reaction_button_says_what_it_does_so_a_double_tap_does_it_once(client: TestClient,
                                                                         session: Session) -> None:
    """Issue 9: two taps on "Thank you" gave it and took it back (or raced); the button now carries its intent."""
    author = make_user(session, "Conteur")
    posted = make_thread(session, category=make_category(session), author=author)
    make_user(session, "Lectrice")
    session.commit()
    html_login(client, "Lectrice")
    page = client.get(f"/fr/t/{posted.post.thread_id}").text
    token = csrf_from(page)
    assert 'name="kind" value="thanks">\n          <input type="hidden" name="given" value="1">' in page
    for _tap in range(2):
        client.post(f"/fr/p/{posted.post.id}/react", data={"csrf_token": token, "kind": "thanks", "given": "1"})
    assert session.scalars(select(Reaction.kind).where(Reaction.post_id == posted.post.id)).all() == ["thanks"]
    page = client.get(f"/fr/t/{posted.post.thread_id}").text
    assert 'name="kind" value="thanks">\n          <input type="hidden" name="given" value="0">' in page
    for _tap in range(2):
        client.post(f"/fr/p/{posted.post.id}/react", data={"csrf_token": token, "kind": "thanks", "given": "0"})
    assert session.scalars(select(Reaction.kind).where(Reaction.post_id == posted.post.id)).all() == []


def test_quote_prefills_the_reply(client: TestClient, session: Session) -> None:
    author = make_user(session, "Cite")
    posted = make_thread(session, category=make_category(session), author=author, body="Phrase à citer")
    session.commit()
    html_login(client, "Cite")
    page = client.get(f"/fr/t/{posted.post.thread_id}?quote={posted.post.id}")
    assert "&gt; **Cite**:" in page.text and "&gt; Phrase à citer" in page.text


def test_content_note_is_collapsed_unless_chosen(client: TestClient, session: Session) -> None:
    author = make_user(session, "Noteur")
    category = make_category(session)
    posted = make_thread(session, category=category, author=author)
    posted.post.content_note = "relapse"
    session.commit()
    page = client.get(f"/fr/t/{posted.post.thread_id}").text
    assert '<details class="content-note">' in page


def test_permalink_goes_to_the_right_page(client: TestClient, session: Session) -> None:
    author = make_user(session)
    posted = make_thread(session, category=make_category(session), author=author)
    replies = [make_reply(session, posted=posted, author=author, body=f"r{i}") for i in range(7)]
    session.commit()
    response = client.get(f"/fr/p/{replies[-1].post.id}", follow_redirects=False)
    assert response.headers["location"] == f"/fr/t/{posted.post.thread_id}?page=2#p{replies[-1].post.id}"


def test_pin_and_lock_are_for_admins(client: TestClient, session: Session) -> None:
    author = make_user(session, "Membre")
    make_user(session, "Chef", role=Role.admin)
    posted = make_thread(session, category=make_category(session), author=author)
    session.commit()
    thread_id = posted.post.thread_id
    html_login(client, "Membre")
    token = _form(client, f"/fr/t/{thread_id}")
    assert client.post(f"/fr/t/{thread_id}/flags", data={"csrf_token": token, "locked": "1"}).status_code == 404
    client.cookies.clear()
    html_login(client, "Chef")
    token = _form(client, f"/fr/t/{thread_id}")
    client.post(f"/fr/t/{thread_id}/flags", data={"csrf_token": token, "locked": "1"})
    session.expire_all()
    assert session.get(Thread, thread_id).locked  # type: ignore[union-attr]
    client.cookies.clear()
    html_login(client, "Membre")
    token = _form(client, f"/fr/t/{thread_id}")
    assert client.post(f"/fr/t/{thread_id}/reply", data={"csrf_token": token, "body": "x"}).status_code == 403


def test_new_since_last_visit(client: TestClient, session: Session) -> None:
    author = make_user(session, "Visiteur")
    category = make_category(session, "tapering-now")
    make_thread(session, category=category, author=author, title="Fil ancien")
    session.commit()
    html_login(client, "Visiteur")
    assert "New since your last visit" in client.get("/en/c/tapering-now").text
    thread_id = session.scalar(select(Thread.id).where(Thread.title == "Fil ancien"))
    client.get(f"/en/t/{thread_id}")
    assert "New since your last visit" not in client.get("/en/c/tapering-now").text


def test_language_filter_and_all_languages(client: TestClient, session: Session) -> None:
    reader = make_user(session, "Polyglotte", read_langs="fr")
    other = make_user(session, "Vlaming", read_langs="nl")
    category = make_category(session, "tapering-now")
    make_thread(session, category=category, author=other, title="Fil en français", lang="fr")
    make_thread(session, category=category, author=other, title="Draad in het Nederlands", lang="nl")
    make_thread(session, category=category, author=other, title="Nog een draad", lang="nl")
    session.commit()
    html_login(client, "Polyglotte")
    mine = client.get("/fr/c/tapering-now").text
    assert "Fil en français" in mine and "Draad in het Nederlands" not in mine
    # The list says what the filter hides, with one link to show it.
    assert "2 fils dans d'autres langues ne sont pas affichés." in mine
    assert 'href="/fr/c/tapering-now?langs=all"' in mine
    # The home page counts what the list shows, and what it leaves out.
    home = client.get("/fr/").text
    assert "1 fil de discussion" in home and "2 de plus dans d'autres langues" in home
    everything = client.get("/fr/c/tapering-now?langs=all").text
    assert "Draad in het Nederlands" in everything and "ne sont pas affichés" not in everything
    # A member's own thread always shows, whatever its language.
    make_thread(session, category=category, author=reader, title="Mijn eigen draad", lang="nl")
    session.commit()
    again = client.get("/fr/c/tapering-now").text
    assert "Mijn eigen draad" in again and "Draad in het Nederlands" not in again
    assert "2 fils dans d'autres langues" in again and "2 fils de discussion" in client.get("/fr/").text


def test_category_pagination(client: TestClient, session: Session) -> None:
    author = make_user(session)
    category = make_category(session, "busy")
    for index in range(7):
        make_thread(session, category=category, author=author, title=f"Fil numéro {index}")
    session.commit()
    page2 = client.get("/fr/c/busy?page=2").text
    assert page2.count('class="thread-row') == 2
    total = session.scalar(select(func.count(Thread.id)))
    assert total == 7


def test_deleting_a_post_asks_first_and_reactions_name_their_post(client: TestClient, session: Session) -> None:
    author = make_user(session, "Hésitante")
    category = make_category(session, "tapering-now")
    posted = make_thread(session, category=category, author=author, title="Un fil")
    session.commit()
    html_login(client, "Hésitante")
    thread = client.get(f"/fr/t/{posted.thread.id}").text
    assert f'href="/fr/p/{posted.post.id}/delete"' in thread  # a link to a question, not a one-tap form
    assert "au message de Hésitante" in thread  # reaction buttons say which post they answer
    assert 'href="#reply"' in thread  # a jump to the reply form
    confirm = client.get(f"/fr/p/{posted.post.id}/delete")
    assert confirm.status_code == 200 and "Bonjour à toutes et à tous." in confirm.text
    client.post(f"/fr/p/{posted.post.id}/delete", data={"csrf_token": csrf_from(confirm.text)})
    session.refresh(posted.post)
    assert posted.post.status == "deleted"


def test_preview_shows_the_message_and_posts_nothing(client: TestClient, session: Session) -> None:
    author = make_user(session, "Prudent")
    category = make_category(session, "tapering-now")
    posted = make_thread(session, category=category, author=author, title="Un fil")
    session.commit()
    html_login(client, "Prudent")
    token = csrf_from(client.get(f"/fr/t/{posted.thread.id}").text)
    response = client.post(f"/fr/t/{posted.thread.id}/reply", data={"csrf_token": token, "body": "Un **essai**",
                                                                    "preview": "1"})
    assert response.status_code == 200 and "<strong>essai</strong>" in response.text
    assert "Un **essai**</textarea>" in response.text
    assert session.scalar(select(func.count(Post.id))) == 1


def _nonce(page: str) -> str:
    marker = 'name="form_nonce" value="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


def test_a_new_thread_form_sent_again_makes_one_thread(client: TestClient, session: Session) -> None:
    make_category(session, "tapering-now")
    logged_in_member(client, session, "Hesitante")
    page = client.get("/fr/c/tapering-now/new").text
    form = {"csrf_token": csrf_from(page), "form_nonce": _nonce(page), "title": "Mon fil unique",
            "body": "Bonjour, je commence.", "thread_lang": "fr"}
    preview = client.post("/fr/c/tapering-now/new", data={**form, "preview": "1"})
    assert _nonce(preview.text) == form["form_nonce"]  # the previewed form is the same form
    first = client.post("/fr/c/tapering-now/new", data=form, follow_redirects=False)
    again = client.post("/fr/c/tapering-now/new", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert session.scalar(select(func.count(Thread.id)).where(Thread.title == "Mon fil unique")) == 1
    fresh = client.get("/fr/c/tapering-now/new").text
    assert _nonce(fresh) != form["form_nonce"]  # each render is a new form: the same text may be posted again
    client.post("/fr/c/tapering-now/new", data={**form, "form_nonce": _nonce(fresh)})
    assert session.scalar(select(func.count(Thread.id)).where(Thread.title == "Mon fil unique")) == 2


def test_one_form_with_another_text_is_another_reply(client: TestClient, session: Session) -> None:
    """Two tabs showing one cached page share its nonce: a different text is a different reply."""
    posted = make_thread(session, category=make_category(session), author=make_user(session, "Ouvreuse"))
    thread_id = posted.thread.id
    session.commit()
    logged_in_member(client, session, "Deuxonglets")
    page = client.get(f"/fr/t/{thread_id}").text
    form = {"csrf_token": csrf_from(page), "form_nonce": _nonce(page)}
    for body in ("Première réponse.", "Seconde réponse.", "Première réponse."):
        assert client.post(f"/fr/t/{thread_id}/reply", data={**form, "body": body},
                           follow_redirects=False).status_code == 303
    bodies = session.scalars(select(Post.body_md).where(Post.thread_id == thread_id).order_by(Post.id)).all()
    assert bodies[1:] == ["Première réponse.", "Seconde réponse."]


def test_the_crisis_help_lines_come_before_the_members_standing_notices(client: TestClient,
                                                                       session: Session) -> None:
    """A "the moderators wrote to you" banner once sat above the crisis help-lines box on a phone."""
    user = logged_in_member(client, session, "Aidee")
    posted = make_thread(session, category=make_category(session), author=user)
    user.moderation_unread = 1
    session.commit()
    page = client.get(f"/fr/t/{posted.thread.id}?notice=crisis_lines").text
    assert 'class="crisis-box"' in page and "site-notice" in page
    assert page.index('class="crisis-box"') < page.index("site-notice")
    help_page = client.get("/fr/help").text
    assert help_page.index('class="crisis-box"') < help_page.index("site-notice")
    # Without help lines on the page the notice stays at the top, once.
    plain = client.get(f"/fr/t/{posted.thread.id}").text
    assert plain.count("site-notice") == 1 and plain.index("site-notice") < plain.index("<h1")


def _summary_links(page: str) -> list[str]:
    """The fields the error summary links to, in its order."""
    start = page.index('class="notice error-summary"')
    summary = page[start:page.index("</div>", start)]
    return [part.split('"', 1)[0] for part in summary.split('<a href="#')[1:]]


def test_the_composer_reports_every_problem_at_once_in_a_summary(client: TestClient, session: Session) -> None:
    make_category(session, "tapering-now")
    logged_in_member(client, session, "Distraite")
    for lang, title_error, body_error in (
            ("fr", "Un titre compte entre 3 et 200 caractères.", "Votre message est vide."),
            ("nl", "Een titel heeft tussen 3 en 200 tekens.", "Je bericht is leeg."),
            ("en", "A title has between 3 and 200 characters.", "Your message is empty.")):
        token = _form(client, f"/{lang}/c/tapering-now/new")
        response = client.post(f"/{lang}/c/tapering-now/new", data={
            "csrf_token": token, "title": "x", "body": "  ", "thread_lang": "xx", "content_note": "nope"})
        assert response.status_code == 422
        page = response.text
        assert _summary_links(page) == ["title", "thread_lang_fr", "body", "content_note"], lang
        assert page.count(title_error) == 2 and page.count(body_error) == 2, lang  # in the summary and in place
        assert page.count('aria-invalid="true"') == 3  # title, body, content note (the language is a fieldset)
    assert session.scalar(select(func.count(Thread.id))) == 0


def test_a_reply_reports_its_problems_in_a_summary(client: TestClient, session: Session) -> None:
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=make_user(session))
    session.commit()
    logged_in_member(client, session, "Pressee")
    token = csrf_from(client.get(f"/fr/t/{posted.thread.id}").text)
    response = client.post(f"/fr/t/{posted.thread.id}/reply", data={"csrf_token": token, "body": "",
                                                                     "content_note": "nope"})
    assert response.status_code == 422 and _summary_links(response.text) == ["body", "content_note"]
    assert "Certaines choses sont à vérifier" in response.text


def test_preview_shows_the_problems_publishing_would_report(client: TestClient, session: Session) -> None:
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=make_user(session))
    session.commit()
    logged_in_member(client, session, "Bavarde")
    token = csrf_from(client.get(f"/en/t/{posted.thread.id}").text)
    body = "a" * 20001
    preview = client.post(f"/en/t/{posted.thread.id}/reply", data={"csrf_token": token, "body": body,
                                                                    "preview": "1"})
    assert preview.status_code == 422
    assert re.search(r"Your message is too long \(20.?000 characters at most\)", preview.text), preview.text[-3000:]
    assert _summary_links(preview.text) == ["body"] and 'id="preview"' in preview.text and body in preview.text
    published = client.post(f"/en/t/{posted.thread.id}/reply", data={"csrf_token": token, "body": body})
    assert published.status_code == 422 and "Your message is too long" in published.text
    token = _form(client, "/fr/c/tapering-now/new")
    thread_preview = client.post("/fr/c/tapering-now/new", data={"csrf_token": token, "title": "x", "body": "Ok",
                                                                 "thread_lang": "fr", "preview": "1"})
    assert thread_preview.status_code == 422 and _summary_links(thread_preview.text) == ["title"]
    fine = client.post("/fr/c/tapering-now/new", data={"csrf_token": token, "title": "Un vrai titre",
                                                       "body": "Un **essai**", "thread_lang": "fr", "preview": "1"})
    assert fine.status_code == 200 and "error-summary" not in fine.text and "<strong>essai</strong>" in fine.text
    assert session.scalar(select(func.count(Post.id))) == 1


def test_a_body_with_text_direction_controls_is_refused_like_a_title(client: TestClient, session: Session) -> None:
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=make_user(session))
    session.commit()
    logged_in_member(client, session, "Retourne")
    token = csrf_from(client.get(f"/nl/t/{posted.thread.id}").text)
    for control in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        body = f"normaal {control}gnp.exe\u202c einde"
        for preview in ("", "1"):
            response = client.post(f"/nl/t/{posted.thread.id}/reply", data={
                "csrf_token": token, "body": body, "preview": preview})
            assert response.status_code == 422, (hex(ord(control)), preview)
            assert "Deze tekst mag geen tekens bevatten die de tekstrichting sturen" in response.text
    # The marks (LRM, RLM) only place punctuation in right-to-left writing: still allowed.
    allowed = client.post(f"/nl/t/{posted.thread.id}/reply", data={"csrf_token": token,
                                                                   "body": "Citaat: \u200fشكرا\u200f!"})
    assert allowed.status_code == 200
    assert session.scalar(select(func.count(Post.id))) == 2


def test_a_reply_held_for_personal_details_says_why_on_the_page(client: TestClient, session: Session) -> None:
    author = make_user(session, "Fil")
    posted = make_thread(session, category=make_category(session), author=author)
    logged_in_member(client, session, "Numero")
    thread_id = posted.post.thread_id
    why = {"fr": "données personnelles", "nl": "persoonlijke gegevens", "en": "personal details"}
    for lang, words in why.items():
        token = _form(client, f"/{lang}/t/{thread_id}")
        page = client.post(f"/{lang}/t/{thread_id}/reply", follow_redirects=True,
                           data={"csrf_token": token, "body": f"Appelle-moi au 0470 12 34 5{len(lang)} ({lang})."})
        assert page.status_code == 200
        notices = page.text.split('id="notices"')[1].split("</div>")[0]
        assert words in notices.lower(), (lang, notices)


def test_a_newcomers_first_post_is_welcomed_once(client: TestClient, session: Session) -> None:
    """After a first post the page showed the thank-you notice and, over the reply box, a second welcome."""
    category = make_category(session)
    posted = make_thread(session, category=category, author=make_user(session, "Ancienne"))
    make_user(session, "Nouvelle", approved_posts=0, published_posts=0)
    session.commit()
    html_login(client, "Nouvelle")
    before = client.get(f"/fr/t/{posted.thread.id}").text
    # The composer says what publishing will do; the welcome comes once the post is published.
    assert "premoderation-hint" in before and "ienvenue" not in before.split('id="notices"')[-1]
    token = csrf_from(before)
    after = client.post(f"/fr/t/{posted.thread.id}/reply",
                        data={"csrf_token": token, "body": "Bonjour à toutes et à tous, je suis nouvelle ici."})
    assert "notice=welcome" in str(after.url)
    notices = re.findall(r'<p class="notice[^"]*"[^>]*>[^<]*', after.text)
    assert len([n for n in notices if "ienvenue" in n]) == 1, notices


def test_a_newcomers_next_held_posts_are_not_welcomed_again(client: TestClient, session: Session) -> None:
    """Every held post of a newcomer repeated "Thank you, and welcome!": the welcome is for the first post only,
    the next ones (still read by a moderator first) say plainly that they wait."""
    category = make_category(session, "tapering-now")
    posted = make_thread(session, category=category, author=make_user(session, "Ancienne"))
    make_user(session, "Nouvelle", approved_posts=0, published_posts=0)
    session.commit()
    html_login(client, "Nouvelle")
    thread_url = f"/fr/t/{posted.thread.id}"

    def reply(body: str) -> tuple[str, str]:
        after = client.post(thread_url + "/reply", data={"csrf_token": csrf_from(client.get(thread_url).text),
                                                          "body": body})
        return str(after.url), after.text.split('id="notices"')[1].split("</div>")[0]

    url, notices = reply("Bonjour à toutes et à tous, je suis nouvelle ici.")
    assert "notice=welcome" in url and "ienvenue" in notices
    for body in ("Merci pour vos réponses, je lis tout.", "Une question encore sur le sommeil."):
        url, notices = reply(body)
        assert "notice=held" in url and "ienvenue" not in notices, (url, notices)
        assert "en attente" in notices or "attend" in notices, notices
    # A new thread of hers is not her first post either.
    token = csrf_from(client.get("/fr/c/tapering-now/new").text)
    after = client.post("/fr/c/tapering-now/new", data={"csrf_token": token, "title": "Ma deuxième semaine",
                                                         "body": "Je continue doucement.", "thread_lang": "fr"})
    assert "notice=held" in str(after.url) and "notice=welcome" not in str(after.url), str(after.url)


@pytest.mark.parametrize("where", ["reply", "new_thread"])
def test_a_newcomers_preview_does_not_welcome_a_post_not_yet_published(client: TestClient, session: Session,
                                                                       where: str) -> None:
    """The preview said "a moderator will welcome yours soon; until then only you can see it" over "nothing is
    posted yet" (outsider walk): the welcome waits for the post, the composer only says what publishing does."""
    category = make_category(session, "tapering-now")
    posted = make_thread(session, category=category, author=make_user(session, "Ancienne"))
    make_user(session, "Nouvelle", approved_posts=0, published_posts=0)
    session.commit()
    html_login(client, "Nouvelle")
    url = f"/fr/t/{posted.thread.id}/reply" if where == "reply" else "/fr/c/tapering-now/new"
    token = csrf_from(client.get(url.removesuffix("/reply")).text)
    preview = client.post(url, data={"csrf_token": token, "body": "Bonjour, je suis nouvelle ici.", "preview": "1",
                                     "title": "Bonjour à tous", "thread_lang": "fr"})
    assert preview.status_code == 200 and 'id="preview"' in preview.text
    assert "ienvenue" not in preview.text.split("<main")[-1] and "visible que pour vous" not in preview.text
    assert "premoderation-hint" in preview.text


def test_a_post_far_over_the_limit_is_told_the_posts_limit_and_loses_nothing(client: TestClient,
                                                                              session: Session) -> None:
    """Outsider's attack (round 31): a post over 100,000 characters was told "at most 100 000 characters", a
    limit no post has (max_post_chars, 20,000 by default). It now names the post's limit, says the text is still
    in the browser, and nothing was posted; the API names the same limit."""
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=make_user(session))
    make_user(session, "Bavarde")
    session.commit()
    html_login(client, "Bavarde")
    token = csrf_from(client.get(f"/fr/t/{posted.thread.id}").text)
    for path, data in ((f"/fr/t/{posted.thread.id}/reply", {"body": "x" * 100_001}),
                       ("/fr/c/tapering-now/new", {"title": "Un long récit", "body": "x" * 100_001,
                                                   "thread_lang": "fr"}),
                       (f"/fr/p/{posted.post.id}/edit", {"body": "x" * 100_001})):
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 413, (path, response.status_code)
        assert "20\u202f000" in response.text and "100\u202f000" not in response.text, path
        assert "navigateur" in response.text  # where the text still is
    api_token = api_login(client, "Bavarde")
    for lang, limit in (("fr", "20\u202f000"),):  # a member is answered in their own language
        for method, path, payload in (
                ("POST", f"/api/v1/threads/{posted.thread.id}/posts", {"body": "x" * 100_001}),
                ("POST", "/api/v1/categories/tapering-now/threads",
                 {"title": "Un long récit", "body": "x" * 100_001, "lang": "fr"})):
            answer = client.request(method, path, json=payload,
                                    headers={"X-CSRF-Token": api_token, "Accept-Language": lang})
            assert answer.status_code == 422 and answer.json()["field"] == "body", answer.text
            assert limit in answer.json()["detail"] and "100" not in answer.json()["detail"], (lang, answer.text)
    assert session.scalar(select(func.count(Post.id))) == 1  # nothing was posted


def test_a_thread_post_or_member_id_written_otherwise_is_redirected_to_its_one_address(client: TestClient,
                                                                                     session: Session) -> None:
    """Outsider's attack (round 31): /fr/t/01, /fr/t/+1, /fr/t/1_0 (thread 10!) answered 200 with a thread, each
    a page of its own for search engines and the visitors' page cache. A GET is redirected (308) to the one
    address, query kept; a write to such an address is not found; nothing is cached under the other spelling."""
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=make_user(session))
    session.commit()
    thread_id, post_id = posted.thread.id, posted.post.id
    canonical = f"/fr/t/{thread_id}"
    for spelled in (f"0{thread_id}", f"+{thread_id}", f"00{thread_id}", f"{thread_id}.0", f" {thread_id}"):
        response = client.get(f"/fr/t/{spelled}?page=1", follow_redirects=False)
        assert response.status_code == 308, (spelled, response.status_code)
        assert response.headers["location"] == f"{canonical}?page=1", spelled
        assert client.head(f"/fr/t/{spelled}", follow_redirects=False).status_code == 308
    assert client.get(f"/fr/p/0{post_id}", follow_redirects=False).headers["location"] == f"/fr/p/{post_id}"
    # Round 32: a bad page number as well was a 422 page here, and a redirect to the first page at the one address.
    wrong_page = client.get(f"/fr/t/0{thread_id}?page=0", follow_redirects=False)
    assert (wrong_page.status_code, wrong_page.headers.get("location")) == (308, f"{canonical}?page=0")
    assert client.get(f"{canonical}?page=0", follow_redirects=False).headers["location"] == canonical
    api = client.get(f"/api/v1/threads/+{thread_id}", follow_redirects=False)
    assert api.status_code == 308 and api.headers["location"] == f"/api/v1/threads/{thread_id}"
    assert client.get(f"/fr/t/{thread_id}_0", follow_redirects=False).status_code in (308, 404)
    assert client.get("/fr/t/0", follow_redirects=False).status_code == 404
    assert client.get("/fr/t/-0", follow_redirects=False).status_code == 404
    assert client.get(f"/fr/t/{thread_id}", follow_redirects=False).status_code == 200
    # Nothing but the one address is kept in the visitors' page cache.
    cache = client.app.state.page_cache  # type: ignore[attr-defined]
    assert all("/t/0" not in str(key) and "/t/+" not in str(key) for key in list(cache._entries)), cache._entries
    make_user(session, "Ecrivaine")
    session.commit()
    html_login(client, "Ecrivaine")
    token = csrf_from(client.get(canonical).text)
    written = client.post(f"/fr/t/0{thread_id}/reply", data={"csrf_token": token, "body": "Courage !"},
                          follow_redirects=False)
    assert written.status_code == 404
    assert session.scalar(select(func.count(Post.id))) == 1


def test_a_quote_of_a_post_the_member_cannot_quote_leaves_the_thread_page_as_it_is(client: TestClient,
                                                                                   session: Session) -> None:
    """Outsider's attack (round 31): ?quote= with a hidden or deleted post, a post of another thread or a
    nonsense id made the whole thread page 404 (or 422); the quote is ignored and the page shows."""
    category = make_category(session, "tapering-now")
    author = make_user(session, "Autrice")
    posted = make_thread(session, category=category, author=author, body="Premier message du fil.")
    hidden = make_reply(session, posted=posted, author=author, body="Un message caché.")
    deleted = make_reply(session, posted=posted, author=author, body="Un message effacé.")
    hidden.post.status = PostStatus.hidden
    deleted.post.status = PostStatus.deleted
    other = make_thread(session, category=category, author=author, title="Un autre fil", body="Ailleurs.")
    members_only = make_thread(session, category=make_category(session, "staff", visibility=Visibility.members),
                               author=author, title="Fil des membres", body="Entre membres.")
    make_user(session, "Citeuse")
    session.commit()
    html_login(client, "Citeuse")
    thread = f"/fr/t/{posted.thread.id}"
    for quote in (hidden.post.id, deleted.post.id, other.post.id, members_only.post.id, 99_999_999, "abc", "0",
                  "-3", "99999999999999999999", ""):
        response = client.get(f"{thread}?quote={quote}")
        assert response.status_code == 200, (quote, response.status_code)
        assert "Premier message du fil." in response.text and "caché" not in response.text.split("<textarea")[-1]
        assert "Ailleurs" not in response.text and "Entre membres" not in response.text
    quoted = client.get(f"{thread}?quote={posted.post.id}")
    assert quoted.status_code == 200 and "&gt; **Autrice**" in quoted.text  # a quotable post is still quoted


SAVE_LABELS = {"fr": "Enregistrer les modifications", "nl": "Wijzigingen opslaan", "en": "Save changes"}
PUBLISH_LABELS = {"fr": "Publier", "nl": "Plaatsen", "en": "Publish"}


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_edit_form_saves_changes_while_the_composers_publish(client: TestClient, session: Session,
                                                                  lang: str) -> None:
    """A member's walk: the edit form's button said "Publier" / "Plaatsen", as if the post were new."""
    author = make_user(session, "Retoucheuse", locale=lang)
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=author)
    session.commit()
    html_login(client, "Retoucheuse", lang=lang)
    buttons = r'<button type="submit"(?: name="wording_confirmed" value="1" class="secondary")?>([^<]*)</button>'
    edit = client.get(f"/{lang}/p/{posted.post.id}/edit").text
    assert re.findall(buttons, edit) == [SAVE_LABELS[lang]]
    for composer in (f"/{lang}/t/{posted.post.thread_id}", f"/{lang}/c/tapering-now/new"):
        assert PUBLISH_LABELS[lang] in re.findall(buttons, client.get(composer).text), composer
    # Sent with a word the guidelines suggest changing: the form comes back, and its buttons still save.
    token = csrf_from(edit)
    again = client.post(f"/{lang}/p/{posted.post.id}/edit", data={"csrf_token": token, "body": "Quel toxico je suis."})
    assert 'id="wording-review"' in again.text, again.text[:500]
    assert {"fr": ["Vérifier à nouveau et enregistrer", "Enregistrer tel quel"],
            "nl": ["Opnieuw nakijken en opslaan", "Opslaan zoals het is"],
            "en": ["Check again and save", "Save as it is"]}[lang] == re.findall(buttons, again.text)
    preview = client.post(f"/{lang}/p/{posted.post.id}/edit",
                          data={"csrf_token": token, "body": "Mieux", "preview": "1"})
    assert {"fr": "Rien n'est encore enregistré", "nl": "Er is nog niets opgeslagen",
            "en": "Nothing is saved yet"}[lang] in preview.text.replace("&#39;", "'")
