"""Plain typed factories for tests. Each commits nothing: the caller commits."""

from __future__ import annotations

import datetime as dt
import itertools

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts import names, passwords, throttle
from app.accounts.models import Role, ThrottleBucket, User
from app.db import utcnow
from app.forum import service as forum_service
from app.forum.models import Category, Thread, Visibility
from app.forum.service import Posted
from app.settings import Argon2Settings

FAST_ARGON2 = Argon2Settings(time_cost=1, memory_kib=1024, parallelism=1)
PASSWORD = "a sturdy passphrase 42"
_counter = itertools.count(1)


def make_user(session: Session, pseudonym: str | None = None, *, role: Role = Role.member,
              locale: str = "fr", read_langs: str = "fr,nl,en", published_posts: int = 1, approved_posts: int = 3,
              moderated_langs: str | None = None) -> User:
    """A member; by default one who has graduated (posts go out at once). `approved_posts=0`: a newcomer."""
    name = pseudonym or f"member{next(_counter)}"
    if moderated_langs is None:
        moderated_langs = "fr,nl,en" if role != Role.member else ""
    user = User(
        pseudonym=name, pseudonym_folded=names.folded(name), pseudonym_skeleton=names.skeleton(name),
        password_hash=passwords.hash_password(FAST_ARGON2, PASSWORD), role=role, locale=locale,
        read_langs=read_langs, published_posts=published_posts, approved_posts=approved_posts,
        moderated_langs=moderated_langs,
    )
    session.add(user)
    session.flush()
    return user


def make_category(session: Session, slug: str | None = None, *, visibility: Visibility = Visibility.public) -> Category:
    slug = slug or f"category-{next(_counter)}"
    category = Category(
        slug=slug, visibility=visibility,
        name_fr=f"Catégorie {slug}", name_nl=f"Categorie {slug}", name_en=f"Category {slug}",
    )
    session.add(category)
    session.flush()
    return category


def make_thread(session: Session, *, category: Category, author: User, title: str = "Un fil de discussion",
                body: str = "Bonjour à toutes et à tous.", lang: str = "fr") -> Posted:
    posted = forum_service.create_thread(session, category=category, author=author, title=title, body=body,
                                         lang=lang)
    session.flush()
    return posted


def make_reply(session: Session, *, posted: Posted, author: User, body: str = "Courage, on est avec toi.") -> Posted:
    thread = session.scalar(
        select(Thread).options(joinedload(Thread.category)).where(Thread.id == posted.post.thread_id)
    )
    assert thread is not None
    reply = forum_service.reply(session, thread=thread, author=author, body=body)
    session.flush()
    return reply


def make_throttle_buckets(session: Session, window_seconds: int) -> None:
    """One bucket in the current window ("current") and one three windows old ("expired")."""
    throttle.record_attempt(session, "current", window_seconds)
    old = throttle.window_start(utcnow() - dt.timedelta(seconds=3 * window_seconds), window_seconds)
    session.add(ThrottleBucket(key="expired", window_start=old, count=5))
    session.flush()


def api_login(client: TestClient, pseudonym: str, password: str = PASSWORD) -> str:
    """Log in through the JSON API; returns the CSRF token for later writes."""
    response = client.post("/api/v1/session", json={"pseudonym": pseudonym, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def html_login(client: TestClient, pseudonym: str, password: str = PASSWORD, lang: str = "fr") -> None:
    page = client.get(f"/{lang}/account/login")
    token = csrf_from(page.text)
    response = client.post(f"/{lang}/account/login", data={"pseudonym": pseudonym, "password": password,
                                                           "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text


def logged_in_member(client: TestClient, session: Session, pseudonym: str, *, lang: str = "fr",
                     **user: object) -> User:
    """A member made, committed and logged in through the HTML form, as most page tests begin."""
    member = make_user(session, pseudonym, **user)  # type: ignore[arg-type]
    session.commit()
    html_login(client, pseudonym, lang=lang)
    return member


def csrf_from(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]
