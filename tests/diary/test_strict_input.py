"""Diary input is read as written: no Python number syntax, no booleans as ratings, no timestamps as dates,
and no contradiction saved with half of it dropped (QA)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.diary.models import Entry
from tests.diary.helpers import TODAY, days_ago, form_token
from tests.factories import api_login, logged_in_member, make_user


def _form(token: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": token, "day": TODAY.isoformat(), "drug_0": "Lormetazepam EG", "dose_0": "1,5", **fields}


@pytest.mark.parametrize("dose", ["1_000", "0_5", "0x10", "infinity"])
def test_the_form_refuses_numbers_no_one_types(client: TestClient, session: Session, dose: str) -> None:
    logged_in_member(client, session, "Journal")
    token = form_token(client, "/en/diary/entries/new")
    response = client.post("/en/diary/entries", data=_form(token, dose_0=dose))
    assert response.status_code == 422 and "Enter a number" in response.text
    assert session.scalar(select(func.count(Entry.id))) == 0


def test_the_form_refuses_a_compact_or_week_date(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Journal")
    token = form_token(client, "/en/diary/entries/new")
    response = client.post("/en/diary/entries", data=_form(token, day=TODAY.strftime("%Y%m%d")))
    assert response.status_code == 422 and "Enter a date" in response.text


def test_the_form_refuses_no_medication_taken_beside_a_medication(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Journal")
    token = form_token(client, "/fr/diary/entries/new")
    response = client.post("/fr/diary/entries", data=_form(token, none_taken="1"))
    assert response.status_code == 422 and "un seul des deux" in response.text
    assert session.scalar(select(func.count(Entry.id))) == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"symptoms": {"insomnia": True}}, "symptoms"),
    ({"symptoms": {"insomnia": 2.0}}, "symptoms"),
    ({"mood": True}, "mood"),
    ({"date": days_ago(2).isoformat() + "T00:00:00"}, "date"),
    ({"none_taken": 1}, "none_taken"),
])
def test_the_api_refuses_what_only_looks_like_the_type(client: TestClient, session: Session,
                                                       change: dict[str, object], field: str) -> None:
    make_user(session, "Api")
    session.commit()
    token = api_login(client, "Api")
    body = {"date": days_ago(2).isoformat(), **change}
    response = client.post("/api/v1/diary/entries", json=body, headers={"X-CSRF-Token": token})
    assert response.status_code == 422, response.text
    assert field in response.text and session.scalar(select(func.count(Entry.id))) == 0
    valid = {"date": days_ago(2).isoformat(), "symptoms": {"insomnia": 2}, "mood": 3, "none_taken": True}
    assert client.post("/api/v1/diary/entries", json=valid, headers={"X-CSRF-Token": token}).status_code == 201


def test_the_api_refuses_no_medication_taken_beside_a_medication(client: TestClient, session: Session) -> None:
    make_user(session, "Api")
    session.commit()
    token = api_login(client, "Api")
    body = {"date": days_ago(2).isoformat(), "none_taken": True,
            "medications": [{"drug": "Lormetazepam EG", "dose_mg": 1}]}
    response = client.post("/api/v1/diary/entries", json=body, headers={"X-CSRF-Token": token})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "none_taken", response.text


def test_a_data_report_with_direction_overrides_is_refused() -> None:
    from app.diary.data_reports import DataReportInput, _clean
    from app.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        _clean(DataReportInput(product="Temesta", text="La dose \u202e 1 mg est fausse."))
    assert refused.value.field == "text"
