"""The page that confirms an account's deletion is a GET of its own (Post/Redirect/Get).

A member's walk on a phone: the confirmation was the answer to the deletion form, so reloading it sent the
form again and showed "form expired" (403), and the member could think the deletion had failed. The member is
logged out by then: the page's address carries, signed, the choice about the posts and the date, nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.member_data import farewell
from tests.diary.helpers import form_token
from tests.factories import PASSWORD, html_login, make_user

FR_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def _ask(client: TestClient, posts: str, lang: str = "fr") -> object:
    token = form_token(client, f"/{lang}/account/data")
    return client.post(f"/{lang}/account/delete", data={"csrf_token": token, "posts": posts, "confirm": "yes",
                                                        "delete_password": PASSWORD}, follow_redirects=False)


@pytest.mark.parametrize("posts", ["keep", "remove"])
def test_the_deletion_redirects_to_a_confirmation_that_survives_a_reload(client: TestClient, session: Session,
                                                                         posts: str) -> None:
    member = make_user(session, "Partante")
    session.commit()
    html_login(client, "Partante")
    response = _ask(client, posts)
    assert response.status_code == 303  # type: ignore[attr-defined]
    location = response.headers["location"]  # type: ignore[attr-defined]
    assert location.startswith("/fr/account/deleted?") and "Partante" not in location
    assert "tk_session=" in response.headers["set-cookie"]  # type: ignore[attr-defined]  # logged out at once
    session.expire_all()
    assert session.scalar(select(User.erase_at).where(User.id == member.id)) is not None
    first = client.get(location)
    again = client.get(location)  # the reload that used to send the form again
    for page in (first, again):
        assert page.status_code == 200
        text = _text(page.text)
        assert "Votre compte va être supprimé" in text
        assert re.search(rf"\d{{1,2}} ({FR_MONTHS}) \d{{4}}", text), text
        assert "Partante" not in text  # no pseudonym in the address, so none on the page
        if posts == "keep":
            assert "Vous avez choisi de conserver vos messages" in text and "ancien membre" in text
        else:
            assert "Vous avez choisi d'effacer le texte de vos messages" in text
        assert "Se déconnecter" not in page.text  # the header is a visitor's
    assert first.text == again.text
    assert client.get("/api/v1/me").status_code == 401


def test_the_confirmation_speaks_dutch_and_shows_the_date_of_the_erasure(client: TestClient,
                                                                         session: Session) -> None:
    member = make_user(session, "Vertrekker", locale="nl")
    session.commit()
    html_login(client, "Vertrekker", lang="nl")
    response = _ask(client, "keep", lang="nl")
    page = client.get(response.headers["location"])  # type: ignore[attr-defined]
    assert page.status_code == 200 and "Je koos ervoor je berichten te bewaren" in page.text
    session.expire_all()
    final = session.scalar(select(User.erase_at).where(User.id == member.id))
    assert final is not None
    assert re.search(rf"\b{final.astimezone(dt.UTC).year}\b", page.text)
    assert re.search(r"\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
                     r"december) \d{4}", page.text)


def test_the_signed_value_holds_only_the_choice_and_the_date() -> None:
    secret = b"s" * 32
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    at = now + dt.timedelta(days=7)
    value = farewell.sign(secret, erase_at=at, keep_posts=False, now=now)
    read = farewell.read(secret, value, now=now + dt.timedelta(hours=2))
    assert read == farewell.Scheduled(erase_at=at.replace(microsecond=0), keep_posts=False)
    assert farewell.read(b"t" * 32, value, now=now) is None  # another server's secret
    assert farewell.read(secret, value.replace("remove", "keep"), now=now) is None  # altered
    assert farewell.read(secret, value, now=now + farewell.VALID_FOR + dt.timedelta(seconds=1)) is None


@pytest.mark.parametrize("value", ["", "nonsense", "keep.1.2.3", "keep.99999999999999999999.1.abc", "é" * 300,
                                   "remove.1800000000.1700000000." + "0" * 32])
def test_a_forged_or_broken_value_shows_a_kind_generic_page(client: TestClient, value: str) -> None:
    page = client.get("/fr/account/deleted", params={"s": value} if value else None)
    assert page.status_code == 200
    text = _text(page.text)
    assert "Votre compte est en cours de suppression" in text
    assert "Vous avez choisi" not in text  # nothing it cannot vouch for


def test_an_expired_value_shows_the_generic_page(client: TestClient) -> None:
    secret = client.app.state.secret  # type: ignore[attr-defined]
    long_ago = dt.datetime.now(dt.UTC) - farewell.VALID_FOR - dt.timedelta(minutes=1)
    value = farewell.sign(secret, erase_at=long_ago + dt.timedelta(days=7), keep_posts=True, now=long_ago)
    page = client.get("/nl/account/deleted", params={"s": value})
    assert page.status_code == 200 and "Je account wordt verwijderd" in page.text
    assert "Je koos ervoor" not in page.text
