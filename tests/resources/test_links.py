"""Resources linked from where questions arise: composer, categories, posts, crisis box, diary."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.forum.models import Post, PostStatus, Thread
from app.forum.seed import seed_categories
from app.review.models import ReviewItem
from tests.factories import csrf_from, html_login, make_category, make_thread, make_user

COLD_TURKEY = "Arrête tout d'un coup, c'est le seul moyen, crois-moi."
CRISIS = "Je n'en peux plus, je veux en finir."
STIGMA_AND_SLEEP = "Les toxicos du quartier me font peur et je dors très mal, nuits blanches."


def _post_thread(client: TestClient, slug: str, *, title: str, body: str, lang: str = "fr",
                 **extra: str) -> TestClient:
    token = csrf_from(client.get(f"/{lang}/c/{slug}/new").text)
    return client.post(f"/{lang}/c/{slug}/new", data={"csrf_token": token, "title": title, "body": body,
                                                      "thread_lang": lang, **extra}, follow_redirects=False)


def _follow(client: TestClient, response) -> str:  # type: ignore[no-untyped-def]
    while response.status_code in (303, 307):
        response = client.get(response.headers["location"], follow_redirects=False)
    assert response.status_code == 200
    return str(response.text)


def test_category_pages_link_their_resources(client: TestClient, session: Session) -> None:
    seed_categories(session)
    session.commit()
    html = client.get("/fr/c/sleep-stress-anxiety").text
    assert 'href="/fr/resources/sleep-without-medication"' in html
    assert 'href="/fr/resources/first-line-psychological-care"' in html
    html = client.get("/nl/c/relatives-and-friends").text
    assert 'href="/nl/resources/relatives-and-friends"' in html and 'href="/nl/resources/crisis-lines"' in html
    assert "related-heading" not in client.get("/fr/c/off-topic").text


def test_cold_turkey_advice_suggests_the_gradual_reduction_page(client: TestClient, session: Session) -> None:
    make_user(session, "Conseiller")
    make_category(session, "tapering-now")
    session.commit()
    html_login(client, "Conseiller")
    response = _post_thread(client, "tapering-now", title="Mon conseil", body=COLD_TURKEY)
    assert response.status_code == 303
    location = response.headers["location"]
    assert parse_qs(urlsplit(location).query)["read"][0].split(",")[0] == "gradual-reduction"
    html = _follow(client, response)
    # The poster lands on the suggestion, and the public information box links the page too.
    assert 'id="suggested-heading"' in html
    assert html.count('href="/fr/resources/gradual-reduction"') >= 2


def test_crisis_post_shows_help_lines_and_links_the_crisis_page(client: TestClient, session: Session) -> None:
    make_user(session, "Nuit")
    make_category(session, "tapering-now")
    session.commit()
    html_login(client, "Nuit")
    html = _follow(client, _post_thread(client, "tapering-now", title="Ce soir", body=CRISIS))
    notices = html[html.index('id="notices"'):html.index('class="posts"')]
    assert "0800 32 123" in notices
    assert 'href="/fr/resources/crisis-lines"' in notices


def test_composer_brought_back_for_wording_suggests_pages_too(client: TestClient, session: Session) -> None:
    make_user(session, "Mots")
    make_category(session, "tapering-now")
    session.commit()
    html_login(client, "Mots")
    response = _post_thread(client, "tapering-now", title="Sommeil", body=STIGMA_AND_SLEEP)
    assert response.status_code == 200 and 'id="wording-heading"' in response.text
    hints = response.text[response.text.index('id="resource-hints"'):]
    assert 'href="/fr/resources/sleep-without-medication"' in hints.split("</div>")[0]
    assert 'data-slugs="sleep-without-medication"' in response.text


def test_reply_suggestions_use_the_threads_language(client: TestClient, session: Session) -> None:
    author = make_user(session, "Slaper", locale="fr")
    category = make_category(session, "tapering-now")
    posted = make_thread(session, category=category, author=author, title="Afbouwen", body="Hallo.", lang="nl")
    session.commit()
    html_login(client, "Slaper")
    page = client.get(f"/fr/t/{posted.thread.id}").text
    response = client.post(f"/fr/t/{posted.thread.id}/reply",
                           data={"csrf_token": csrf_from(page), "body": "Ik kan niet slapen, ik lig uren wakker."},
                           follow_redirects=False)
    assert "read=sleep-without-medication" in response.headers["location"]
    assert 'href="/fr/resources/sleep-without-medication"' in _follow(client, response)


def test_ordinary_posts_land_on_the_post_without_suggestions(client: TestClient, session: Session) -> None:
    make_user(session, "Simple")
    make_category(session, "tapering-now")
    session.commit()
    html_login(client, "Simple")
    response = _post_thread(client, "tapering-now", title="Merci", body="Merci à toutes et à tous, belle journée.")
    assert "read=" not in response.headers["location"]
    html = _follow(client, response)
    assert 'id="suggested-heading"' not in html


def test_forged_suggestions_only_ever_link_real_pages(client: TestClient, session: Session) -> None:
    author = make_user(session, "Auteur")
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=author)
    session.commit()
    html = client.get(f"/fr/t/{posted.thread.id}", params={"read": "crisis-lines,<script>,../../x"}).text
    suggestions = html[html.index('id="suggested-heading"'):].split("</aside>")[0]
    assert 'href="/fr/resources/crisis-lines"' in suggestions and "script" not in suggestions


def test_introduction_composer_starts_from_the_gentle_template(client: TestClient, session: Session) -> None:
    seed_categories(session)
    make_user(session, "Papillon", published_posts=0, approved_posts=0)
    session.commit()
    html_login(client, "Papillon")
    html = client.get("/fr/c/introduce-yourself/new").text
    assert 'value="Bonjour, je suis Papillon"' in html
    assert "Où j&#39;en suis" in html and "Ce que j&#39;espère trouver ici" in html
    assert "Évitez votre nom, votre ville" in html
    # Other categories start empty.
    assert "Où j&#39;en suis" not in client.get("/fr/c/tapering-now/new").text
    # It goes through the normal posting path: a newcomer's first post waits for a welcome.
    body = "Bonjour à toutes et à tous,\n\nJe diminue le lormétazépam depuis deux mois."
    response = _post_thread(client, "introduce-yourself", title="Bonjour, je suis Papillon", body=body)
    assert "welcome" in (parse_qs(urlsplit(response.headers["location"]).query).get("notice") or [""])[0]
    post = session.scalar(select(Post).join(Thread).where(Thread.title == "Bonjour, je suis Papillon"))
    assert post is not None and post.status == PostStatus.held
    item = session.scalar(select(ReviewItem).where(ReviewItem.post_id == post.id))
    assert item is not None and item.kind == "welcome"
    # A second visit to the composer points to the existing introduction.
    again = client.get("/nl/c/introduce-yourself/new").text
    assert 'value="Hallo, ik ben Papillon"' in again
    assert f'href="/nl/t/{post.thread_id}"' in again


def test_diary_links_the_symptoms_page(client: TestClient, session: Session) -> None:
    make_user(session, "Journal")
    session.commit()
    html_login(client, "Journal")
    for path in ("/fr/diary", "/fr/diary/entries/new"):
        assert 'href="/fr/resources/withdrawal-symptoms"' in client.get(path).text, path
    assert 'href="/nl/resources/talking-to-your-doctor"' in client.get("/nl/diary/summary").text


def test_crisis_lines_page_opens_with_call_buttons(client: TestClient) -> None:
    """The help-lines page starts with each number as a call button, not only numbers inside its text."""
    from app.helplines import HELPLINES

    for lang in ("fr", "nl", "en"):
        html = client.get(f"/{lang}/resources/crisis-lines").text
        buttons = html.count('class="phone-button"')
        assert buttons == len(HELPLINES)
        assert html.index('class="phone-button"') < html.index('class="resource-body"')
        # No link from the page to itself.
        assert html.count(f'href="/{lang}/resources/crisis-lines"') == 0
    other = client.get("/fr/resources/house-rules").text
    assert 'class="phone-button"' not in other


def test_call_buttons_say_when_a_line_answers_in_another_language(client: TestClient) -> None:
    """A French speaker in crisis knows before dialling that the Zelfmoordlijn answers in Dutch."""
    fr = client.get("/fr/help").text
    assert "Zelfmoordlijn <span class=\"phone-lang\">(en néerlandais)</span>" in fr
    assert "Centre de Prévention du Suicide</span>" in fr  # its own language: no note
    assert fr.index("Infor-Drogues") < fr.index("De DrugLijn")  # the reader's language first
    nl = client.get("/nl/help").text
    assert "Centre de Prévention du Suicide <span class=\"phone-lang\">(in het Frans)</span>" in nl
    assert nl.index("De DrugLijn") < nl.index("Infor-Drogues")
    crisis_page = client.get("/fr/resources/crisis-lines").text
    assert "(en néerlandais)" in crisis_page
