from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.research import projects
from app.research.models import Project
from tests.factories import api_login


def approved_project(session: Session, *, lead: User | None = None, title: str = "Tapering stories") -> Project:
    project = projects.apply(session, applicant=lead, title=title, institution="UCLouvain",
                             purpose="How people taper", ethics_ref="B403-2026-001", data_requested="all",
                             retention="two years", accept_terms=lead is not None)
    projects.approve(session, project=project, actor=None, expires_on=dt.date.today() + dt.timedelta(days=90))
    session.flush()
    return project


def put_consent(client: TestClient, pseudonym: str, *, posts: bool, diary: bool = False) -> dict[str, object]:
    token = api_login(client, pseudonym)
    response = client.put("/api/v1/me/consent", json={"posts": posts, "diary": diary},
                          headers={"X-CSRF-Token": token})
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return dict(response.json())


def read_zip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def jsonl(data: bytes) -> list[dict[str, object]]:
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]
