"""Small helpers shared by the diary's web tests (arranging data goes through the services)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.diary import service
from app.diary.service import EntryInput, MedicationInput
from tests.factories import csrf_from

TODAY = service.today()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def log(session: Session, user: User, day: dt.date, drug: str = "lormetazepam", dose: float | None = 2.0,
        **extra: object) -> None:
    """A diary entry made through the service, as a member would (dose None: none taken)."""
    medications = [MedicationInput(drug, dose)] if dose is not None else []
    data = EntryInput(day=day, medications=medications, none_taken=dose is None, **extra)  # type: ignore[arg-type]
    service.save_entry(session, user=user, data=data)


def form_token(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_from(page.text)
