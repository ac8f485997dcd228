"""An appeal against a decision about a member alone (a warning, no post) is shown to moderators."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.review import decisions
from app.review.decision_checks import DecisionInput, Target
from app.review.models import ReviewItem
from app.settings import Settings
from tests.factories import make_user
from tests.review.helpers import as_member, moderator


def test_an_appeal_against_a_warning_opens_for_another_moderator(client: TestClient, session: Session,
                                                                  settings: Settings) -> None:
    member = make_user(session, "Averti")
    first, second = moderator(session, "Premiere"), moderator(session, "Seconde")
    outcome = decisions.act(session, settings, target=Target(post=None, thread=None, member=member), actor=first,
                            data=DecisionInput(action="warn", reason="Ton message privé était blessant.",
                                               rule="respect"))
    session.commit()
    assert outcome.statement is not None
    token = as_member(client, "Averti")
    appeal = client.post(f"/api/v1/me/statements/{outcome.statement.id}/appeal",
                         json={"text": "Je ne comprends pas."}, headers={"X-CSRF-Token": token})
    assert appeal.status_code == 201, appeal.text
    item = session.scalar(select(ReviewItem).where(ReviewItem.kind == "appeal"))
    assert item is not None
    for name in ("Premiere", "Seconde"):
        client.cookies.clear()
        as_member(client, name)
        page = client.get(f"/fr/review/items/{item.id}")
        assert page.status_code == 200, page.text[:500]
        assert "Je ne comprends pas." in page.text
    assert second is not None
