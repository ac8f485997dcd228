"""Form errors and previews, server-side: the summary links each error to its field, and focus lands where asked.

GOV.UK's error summary: a list at the top of the form whose every entry is a
link to the field to fix (`href="#field-id"`), so a keyboard or screen reader
user reaches it in one step. "Preview" puts the focus on the preview, with or
without JavaScript (`autofocus`, one per page).
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.diary.helpers import TODAY, form_token
from tests.factories import csrf_from, html_login, logged_in_member, make_category, make_thread, make_user


def _summary_links(html: str) -> list[str]:
    summary = re.search(r'<div class="notice error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary is not None, "no error summary"
    assert " autofocus" in summary.group(0).split(">", 1)[0]  # the summary takes the focus
    return re.findall(r'<a href="#([^"]+)">', summary.group(1))


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_each_error_in_the_summary_links_to_its_field(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Lien")
    token = form_token(client, "/fr/diary/plan/new")
    page = client.post("/fr/diary/plan/new", data={
        "csrf_token": token, "drug": "Loramet", "start_dose_mg": "2", "interval_days": "1",
        "reduction_percent": "10", "mode": "percent", "action": "preview"}).text
    links = _summary_links(page)
    assert links == ["interval_days"] and "interval_days" in _ids(page)
    assert page.count(" autofocus") == 1

    token = form_token(client, "/fr/diary/entries/new")
    page = client.post("/fr/diary/entries", data={"csrf_token": token, "day": TODAY.isoformat(), "mood": "9"}).text
    links = _summary_links(page)
    assert links == ["mood"] and 'type="radio" name="mood" id="mood"' in page  # a group: its first choice
    page = client.post("/fr/diary/entries", data={"csrf_token": token, "day": TODAY.isoformat(),
                                                  "sym_anxiety": "7"}).text
    [link] = _summary_links(page)
    assert link.startswith("sym_") and link in _ids(page)


def test_preview_puts_the_focus_on_the_preview(client: TestClient, session: Session) -> None:
    author = make_user(session, "Apercu")
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=author, title="Un fil")
    session.commit()
    html_login(client, "Apercu")
    token = csrf_from(client.get(f"/fr/t/{posted.thread.id}").text)
    page = client.post(f"/fr/t/{posted.thread.id}/reply", data={"csrf_token": token, "body": "Un essai",
                                                                "preview": "1"}).text
    section = re.search(r'<section class="preview"[^>]*>', page)
    assert section is not None and " autofocus" in section.group(0) and 'tabindex="-1"' in section.group(0)
    assert page.count(" autofocus") == 1

    token = form_token(client, "/fr/diary/plan/new")
    steps = client.post("/fr/diary/plan/new", data={
        "csrf_token": token, "drug": "Loramet", "start_dose_mg": "2", "interval_days": "14",
        "reduction_percent": "10", "mode": "percent", "action": "preview"}).text
    section = re.search(r'<section aria-labelledby="preview-heading"[^>]*>', steps)
    assert section is not None and " autofocus" in section.group(0) and steps.count(" autofocus") == 1
