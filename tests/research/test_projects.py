"""Projects: applying, the administrators' decisions, colleagues and the data-use terms."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.research.models import Project, ProjectMember, ProjectStatus
from app.review.models import AuditEntry
from tests.factories import api_login, csrf_from, html_login, make_user
from tests.research.helpers import approved_project

APPLICATION = {"title": "Tapering in Wallonia", "institution": "ULiège", "purpose": "Understand tapering",
               "ethics_ref": "CE-2026-77", "data_requested": "FR threads, 2024-2026", "retention": "Two years"}


def test_apply_keeps_the_text_on_error_then_creates_a_pending_project(client: TestClient, session: Session) -> None:
    researcher = make_user(session)
    session.commit()
    html_login(client, researcher.pseudonym, lang="nl")
    page = client.get("/nl/research/apply")
    assert page.status_code == 200
    refused = client.post("/nl/research/apply", data={**APPLICATION, "csrf_token": csrf_from(page.text)})
    assert refused.status_code == 422 and APPLICATION["purpose"] in refused.text  # terms not accepted
    created = client.post("/nl/research/apply", data={**APPLICATION, "accept_terms": "yes",
                                                      "csrf_token": csrf_from(page.text)}, follow_redirects=True)
    assert created.status_code == 200 and APPLICATION["title"] in created.text
    project = session.scalar(select(Project))
    assert project is not None and project.status == ProjectStatus.pending and project.terms_version == 1


def test_admin_approves_with_expiry_or_declines_with_a_reason(client: TestClient, session: Session) -> None:
    admin, researcher = make_user(session, role=Role.admin), make_user(session)
    session.commit()
    token = api_login(client, researcher.pseudonym)
    project_id = client.post("/api/v1/research/projects", json={**APPLICATION, "accept_terms": True},
                             headers={"X-CSRF-Token": token}).json()["id"]
    assert client.post(f"/api/v1/research/projects/{project_id}/approve", json={"expires_on": "2099-01-01"},
                       headers={"X-CSRF-Token": token}).status_code == 403
    client.cookies.clear()
    html_login(client, admin.pseudonym)
    page = client.get("/fr/research/admin")
    assert APPLICATION["title"] in page.text
    past = client.post(f"/fr/research/projects/{project_id}/approve",
                       data={"expires_on": "2001-01-01", "csrf_token": csrf_from(page.text)})
    assert past.status_code == 422
    endless = client.post(f"/fr/research/projects/{project_id}/approve",
                          data={"expires_on": "9999-12-31", "csrf_token": csrf_from(page.text)})
    assert endless.status_code == 422 and "cinq ans" in endless.text
    no_reason = client.post(f"/fr/research/projects/{project_id}/decline",
                            data={"reason": " ", "csrf_token": csrf_from(page.text)})
    assert no_reason.status_code == 422
    expires = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    assert client.post(f"/fr/research/projects/{project_id}/approve",
                       data={"expires_on": expires, "csrf_token": csrf_from(page.text)},
                       follow_redirects=False).status_code == 303
    session.expire_all()
    project = session.get(Project, project_id)
    assert project is not None and project.status == ProjectStatus.approved
    assert project.expires_on == dt.date.fromisoformat(expires)
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "research_project_approved",
                                                   AuditEntry.actor_id == admin.id)) is not None


def test_a_colleague_must_accept_the_terms_before_exporting(client: TestClient, session: Session) -> None:
    lead, colleague = make_user(session), make_user(session, "Colleague")
    project = approved_project(session, lead=lead)
    session.commit()
    html_login(client, lead.pseudonym)
    page = client.get(f"/fr/research/projects/{project.id}")
    client.post(f"/fr/research/projects/{project.id}/members", data={"pseudonym": "colleague",
                                                                     "csrf_token": csrf_from(page.text)})
    unknown = client.post(f"/fr/research/projects/{project.id}/members",
                          data={"pseudonym": "nobody-here", "csrf_token": csrf_from(page.text)})
    assert unknown.status_code == 422 and "nobody-here" in unknown.text
    client.cookies.clear()
    token = api_login(client, colleague.pseudonym)
    refused = client.post(f"/api/v1/research/projects/{project.id}/exports", json={"format": "jsonl"},
                          headers={"X-CSRF-Token": token})
    assert refused.status_code == 403 and "conditions" in refused.json()["detail"]
    client.cookies.clear()
    html_login(client, colleague.pseudonym)
    page = client.get(f"/fr/research/projects/{project.id}")
    client.post(f"/fr/research/projects/{project.id}/terms", data={"accept": "yes",
                                                                   "csrf_token": csrf_from(page.text)})
    membership = session.scalar(select(ProjectMember).where(ProjectMember.user_id == colleague.id))
    assert membership is not None and membership.terms_accepted_at is not None
    page = client.get(f"/fr/research/projects/{project.id}")
    assert f'action="/fr/research/projects/{project.id}/exports"' in page.text


def test_project_page_says_what_to_install_without_the_models(client: TestClient, session: Session, settings,
                                                             monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.research.anonymise import nlp

    settings.research.anonymiser = "nlp"
    monkeypatch.setattr(nlp, "status", lambda: nlp.NlpStatus(False, False, False, False, ["spacy"]))
    lead = make_user(session)
    project = approved_project(session, lead=lead)
    session.commit()
    html_login(client, lead.pseudonym)
    page = client.get(f"/en/research/projects/{project.id}")
    assert "pip install -e &#39;.[research]&#39; &amp;&amp; forum research warm" in page.text
    assert f'action="/en/research/projects/{project.id}/exports"' not in page.text
    client.cookies.clear()
    token = api_login(client, lead.pseudonym)
    refused = client.post(f"/api/v1/research/projects/{project.id}/exports", json={"format": "jsonl"},
                          headers={"X-CSRF-Token": token})
    assert refused.status_code == 503 and "forum research warm" in refused.json()["detail"]


def test_an_application_with_direction_overrides_is_refused(client: TestClient, session: Session) -> None:
    # QA: "\u202e" in the title and the ethics reference was stored and shown raw on the administrators' page.
    researcher = make_user(session)
    session.commit()
    html_login(client, researcher.pseudonym, lang="en")
    page = client.get("/en/research/apply")
    for field in ("title", "ethics_ref", "institution", "purpose"):
        spoofed = {**APPLICATION, field: "CE-2026\u202e77-EC", "accept_terms": "yes"}
        refused = client.post("/en/research/apply", data={**spoofed, "csrf_token": csrf_from(page.text)})
        assert refused.status_code == 422 and "text-direction" in refused.text, field
    assert session.scalar(select(Project)) is None
