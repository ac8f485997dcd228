"""The walk-through after sign-up: offered at once, short, skippable at every step, in the member's language."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.forum.models import Category
from app.forum.seed import seed_categories
from app.i18n import LOCALES
from app.onboarding.views import STEPS
from tests.factories import csrf_from, html_login, make_category, make_thread, make_user
from tests.resources.test_views import assert_accessible_structure

SKIP = {"fr": "Passer la visite", "nl": "Rondleiding overslaan", "en": "Skip the tour"}


def test_sign_up_offers_the_tour_and_a_way_to_skip_it(client: TestClient, session: Session) -> None:
    token = csrf_from(client.get("/nl/account/signup").text)
    response = client.post("/nl/account/signup", data={
        "csrf_token": token, "pseudonym": "Nieuwkomer", "password": "een stevige zin 2024",
        "password_confirm": "een stevige zin 2024"})
    assert response.status_code == 200  # the recovery codes page, after a redirect
    # Leaving the codes page goes through a form that also forgets the kept codes.
    assert 'name="next" value="tour"' in response.text
    assert ">Rondleiding overslaan, naar het forum</button>" in response.text
    kept = client.post("/nl/account/recovery-codes/kept", data={"csrf_token": csrf_from(response.text),
                                                                "next": "tour"}, follow_redirects=False)
    assert kept.headers["location"] == "/nl/welcome"
    tour = client.get("/nl/welcome")
    assert tour.status_code == 200 and "Welkom, Nieuwkomer." in tour.text


@pytest.mark.parametrize("lang", LOCALES)
def test_every_step_renders_and_can_be_skipped(client: TestClient, session: Session, lang: str) -> None:
    seed_categories(session)
    make_user(session, "Tour", locale=lang)
    session.commit()
    html_login(client, "Tour", lang=lang)
    keys = list(STEPS)
    for number, step in enumerate(keys, start=1):
        response = client.get(f"/{lang}/welcome/{step}")
        assert response.status_code == 200, step
        html = response.text
        assert_accessible_structure(html, lang)
        assert 'aria-current="step"' in html
        assert re.search(rf"\b{number}\b\D+\b{len(keys)}\b</p>", html)
        assert response.headers.get("x-robots-tag") == "noindex"
        if step != keys[-1]:
            assert f'<a href="/{lang}/">{SKIP[lang]}</a>' in html
            assert f'href="/{lang}/welcome/{keys[number]}"' in html
        else:
            assert f'href="/{lang}/"' in html  # finishing leads to the forum as well
    assert client.get(f"/{lang}/").status_code == 200


def test_start_is_the_first_step(client: TestClient) -> None:
    first = client.get("/fr/welcome").text
    assert "Un pseudonyme qui ne vous identifie pas" in first
    assert client.get("/fr/welcome/nope").status_code == 404


def test_steps_link_house_rules_guidelines_diary_and_data(client: TestClient, session: Session) -> None:
    make_user(session, "Lien")
    session.commit()
    html_login(client, "Lien", lang="en")
    assert 'href="/en/account/data"' in client.get("/en/welcome/privacy").text
    community = client.get("/en/welcome/community").text
    for href in ("/en/resources/house-rules", "/en/guidelines", "/en/resources/crisis-lines"):
        assert f'href="{href}"' in community
    diary = client.get("/en/welcome/diary").text
    assert 'href="/en/diary"' in diary and 'href="/en/resources/withdrawal-symptoms"' in diary


def test_introduce_step_opens_the_intro_composer_or_the_existing_thread(client: TestClient,
                                                                        session: Session) -> None:
    seed_categories(session)
    member = make_user(session, "Nouvelle", published_posts=0, approved_posts=0)
    session.commit()
    html_login(client, "Nouvelle")
    html = client.get("/fr/welcome/introduce").text
    assert 'href="/fr/c/introduce-yourself/new"' in html
    category = session.scalar(select(Category).where(Category.slug == "introduce-yourself"))
    assert category is not None
    posted = make_thread(session, category=category, author=member, title="Bonjour, je suis Nouvelle",
                         body="Bonjour à tous.")
    session.commit()
    html = client.get("/fr/welcome/introduce").text
    assert f'href="/fr/t/{posted.thread.id}"' in html  # held for a welcome, but visible to its author
    assert 'href="/fr/c/introduce-yourself/new"' not in html


def test_visitors_can_read_the_tour_and_are_invited_to_join(client: TestClient, session: Session) -> None:
    make_category(session, "introduce-yourself")
    session.commit()
    html = client.get("/en/welcome/introduce").text
    assert 'href="/en/account/signup"' in html
    assert "Welcome," not in client.get("/en/welcome").text
