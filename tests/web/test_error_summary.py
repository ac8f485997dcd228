"""Form errors and previews, server-side: the summary links each error to its field, and focus lands where asked.

GOV.UK's error summary: a list at the top of the form whose every entry is a
link to the field to fix (`href="#field-id"`), so a keyboard or screen reader
user reaches it in one step. "Preview" puts the focus on the preview, with or
without JavaScript (`autofocus`, one per page).
"""

from __future__ import annotations

import re

import pytest
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


def test_a_bad_page_number_on_a_page_leads_to_its_first_page(client: TestClient, session: Session) -> None:
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=make_user(session, "Fil"))
    session.commit()
    thread_id = posted.thread.id
    for lang in ("fr", "nl", "en"):
        for bad in ("-5", "0", "abc"):
            response = client.get(f"/{lang}/t/{thread_id}?page={bad}", follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"] == f"/{lang}/t/{thread_id}"
        found = client.get(f"/{lang}/search?q=a&page=0", follow_redirects=False)
        assert found.status_code == 303 and found.headers["location"] == f"/{lang}/search?q=a"


def test_field_names_in_error_pages_are_in_the_readers_language(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Lectrice")
    labels = {"fr": "non lues", "nl": "ongelezen", "en": "unread"}
    for lang, label in labels.items():
        page = client.get(f"/{lang}/notifications?unread=beaucoup&page=2")
        assert page.status_code == 422
        main = page.text.split("<main", 1)[1]
        assert label in main.lower(), (lang, main[:800])
        if lang != "en":
            assert "unread" not in main, (lang, main[:800])


def test_errors_are_announced_once_by_the_summary_not_again_by_each_field(client: TestClient,
                                                                          session: Session) -> None:
    """role=alert on the summary and on each field's message had screen readers read every error twice."""
    category = make_category(session)
    make_user(session, "Annonce")
    session.commit()
    html_login(client, "Annonce")
    token = csrf_from(client.get(f"/fr/c/{category.slug}/new").text)
    page = client.post(f"/fr/c/{category.slug}/new", data={"csrf_token": token, "title": "", "body": "",
                                                           "thread_lang": "fr"}).text
    assert len(_summary_links(page)) >= 2
    assert page.count('role="alert"') == 1 and re.search(r'<div class="notice error-summary" role="alert"', page)
    for field in _summary_links(page):  # each field still names its message and says it is invalid
        tag = re.search(rf'<(?:input|textarea|select)[^>]*\bid="{field}"[^>]*>', page)
        assert tag is not None and 'aria-invalid="true"' in tag.group(0)
        assert f"{field}-error" in tag.group(0) and f'id="{field}-error"' in page


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found is not None
    return found.group(1)


ERROR_PREFIX = {"fr": "Erreur\u202f: ", "nl": "Fout: ", "en": "Error: "}


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_a_form_sent_back_with_errors_says_so_in_its_title(client: TestClient, session: Session, lang: str) -> None:
    """A screen reader reads the title first: it said "Join" over a page of errors (outsider walk; GOV.UK)."""
    blank = client.get(f"/{lang}/account/signup").text
    assert not _title(blank).startswith(ERROR_PREFIX[lang])
    refused = client.post(f"/{lang}/account/signup", data={
        "csrf_token": csrf_from(blank), "pseudonym": f"Titre_{lang}", "password": "une phrase assez longue 42",
        "password_confirm": "une autre phrase longue 43"})
    assert refused.status_code == 422
    assert _title(refused.text) == ERROR_PREFIX[lang] + _title(blank), _title(refused.text)
    login = client.get(f"/{lang}/account/login").text
    failed = client.post(f"/{lang}/account/login", data={"csrf_token": csrf_from(login), "pseudonym": "Personne",
                                                          "password": "pas le bon mot de passe"})
    assert _title(failed.text) == ERROR_PREFIX[lang] + _title(login), _title(failed.text)


def test_the_composer_and_the_diary_say_so_in_their_title_too(client: TestClient, session: Session) -> None:
    category = make_category(session, "tapering-now")
    posted = make_thread(session, category=category, author=make_user(session, "Autrice"), title="Mon fil")
    session.commit()
    logged_in_member(client, session, "Titreuse")
    page = client.get("/fr/c/tapering-now/new").text
    sent = client.post("/fr/c/tapering-now/new", data={"csrf_token": csrf_from(page), "title": "", "body": " ",
                                                      "thread_lang": "fr"})
    assert sent.status_code == 422 and _title(sent.text).startswith("Erreur\u202f: "), _title(sent.text)
    reply = client.post(f"/fr/t/{posted.thread.id}/reply", data={"csrf_token": csrf_from(page), "body": " "})
    assert _title(reply.text).startswith("Erreur\u202f: ") and "Mon fil" in _title(reply.text)
    token = form_token(client, "/fr/diary/plan/new")
    plan = client.post("/fr/diary/plan/new", data={
        "csrf_token": token, "drug": "Loramet", "start_dose_mg": "2", "interval_days": "1",
        "reduction_percent": "10", "mode": "percent", "action": "preview"}).text
    assert _title(plan).startswith("Erreur\u202f: "), _title(plan)
    # A preview with nothing wrong is no error.
    fine = client.post(f"/fr/t/{posted.thread.id}/reply", data={"csrf_token": csrf_from(page), "body": "Courage",
                                                               "preview": "1"})
    assert not _title(fine.text).startswith("Erreur")
