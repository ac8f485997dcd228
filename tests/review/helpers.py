"""Shared arrangements for review tests: a category, moderators, posts that land in the queue."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.forum.models import Category
from app.forum.service import Posted
from app.review.models import ItemStatus, ReviewItem
from tests.factories import api_login, make_category, make_thread, make_user

CRISIS = "Je n'en peux plus, je veux en finir."
SOURCING = "Je vends mes comprimés de Xanax, envoie-moi un message privé."
PHONE = "Appelle-moi au 0470 12 34 56 si tu veux parler."
CALM = "Bonjour à toutes et à tous, je diminue doucement depuis deux mois."


def category(session: Session, slug: str = "tapering-now") -> Category:
    found = session.scalar(select(Category).where(Category.slug == slug))
    return found or make_category(session, slug)


def moderator(session: Session, pseudonym: str, langs: str = "fr", **options: object) -> User:
    return make_user(session, pseudonym, role=Role.moderator, moderated_langs=langs, **options)  # type: ignore[arg-type]


def post(session: Session, author: User, body: str, *, title: str = "Un fil", lang: str = "fr") -> Posted:
    return make_thread(session, category=category(session), author=author, title=title, body=body, lang=lang)


def open_item(session: Session, post_id: int) -> ReviewItem:
    item = session.scalar(select(ReviewItem).where(ReviewItem.post_id == post_id,
                                                   ReviewItem.status == ItemStatus.open))
    assert item is not None, f"no open item for post {post_id}"
    return item


def decide(client: TestClient, token: str, item_id: int, action: str, reason: str = "Merci de relire les règles.",
           **extra: object) -> dict:
    response = client.post(f"/api/v1/review/items/{item_id}/decision", json={"action": action, "reason": reason,
                                                                              **extra},
                           headers={"X-CSRF-Token": token})
    return {"status": response.status_code, "body": response.json()}


def as_member(client: TestClient, pseudonym: str) -> str:
    """Log the client in as this member (logging out whoever was in); returns the CSRF token."""
    client.cookies.clear()
    return api_login(client, pseudonym)
