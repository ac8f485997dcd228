"""Diary pages: forms keep input, future dates refused, merging, dose review, plans, chart, exports."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.diary.models import Entry, EntryMedication, MedicationDataReport, TaperPlan
from app.review.models import ReviewItem
from tests.diary.helpers import TODAY, days_ago, form_token, log
from tests.factories import PASSWORD, csrf_from, html_login, logged_in_member, make_user


def _entry(token: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": token, "day": TODAY.isoformat(), "drug_0": "Lormetazepam EG", "dose_0": "1,5", **fields}


def test_member_logs_a_day_and_sees_it(client: TestClient, session: Session) -> None:
    user = logged_in_member(client, session, "Journal")
    token = form_token(client, "/fr/diary/entries/new")
    response = client.post("/fr/diary/entries", data=_entry(token, sym_anxiety="2", sleep_hours="6,5", mood="3",
                                                             note="Une journée calme."), follow_redirects=True)
    assert response.status_code == 200
    assert "Une journée calme." in response.text and "6,5" in response.text
    entry = session.scalar(select(Entry).where(Entry.user_id == user.id))
    assert entry is not None and entry.symptoms["anxiety"] == 2 and entry.sleep_hours == 6.5
    assert response.headers["x-robots-tag"] == "noindex"


def test_future_date_is_refused_and_the_form_kept(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Futur")
    token = form_token(client, "/en/diary/entries/new")
    note = "Something I do not want to lose."
    response = client.post("/en/diary/entries", data=_entry(token, day=days_ago(-3).isoformat(), note=note))
    assert response.status_code == 422
    assert "in the future" in response.text
    assert note in response.text and 'value="Lormetazepam EG"' in response.text and 'value="1,5"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert session.scalar(select(func.count(Entry.id))) == 0


def test_unknown_medication_suggests_names_and_keeps_the_form(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Typo")
    token = form_token(client, "/en/diary/entries/new")
    response = client.post("/en/diary/entries", data=_entry(token, drug_0="lormetazapem", note="kept"))
    assert response.status_code == 422
    assert "Check the name on the box" in response.text and "kept" in response.text
    # Known names are buttons, each introduced as a different medication, never as a spelling.
    assert 'name="use_drug_0" value="lormetazepam"' in response.text
    assert "Each is a different medication" in response.text and "Did you mean" not in response.text
    chosen = client.post("/en/diary/entries", data=_entry(token, drug_0="lormetazapem", use_drug_0="lormetazepam"),
                         follow_redirects=False)
    assert chosen.status_code == 303
    assert session.scalar(select(EntryMedication.drug)) == "lormetazepam"
    zero = client.post("/en/diary/entries", data=_entry(token, dose_0="0"))
    assert zero.status_code == 422 and 'id="dose_0-error"' in zero.text


def test_a_dose_too_small_to_measure_is_refused_and_the_form_kept(client: TestClient, session: Session) -> None:
    """0.0000001 mg was saved and shown as "alprazolam 0 mg (≈ 0 mg de diazépam)" while 0 was refused."""
    logged_in_member(client, session, "Poussiere")
    token = form_token(client, "/fr/diary/entries/new")
    tiny = client.post("/fr/diary/entries", data=_entry(token, drug_0="alprazolam", dose_0="0,0000001",
                                                         note="gardé"))
    assert tiny.status_code == 422 and 'id="dose_0-error"' in tiny.text
    assert "au moins 0,01 mg" in tiny.text and 'value="0,0000001"' in tiny.text and "gardé" in tiny.text
    assert session.scalar(select(func.count(Entry.id))) == 0
    saved = client.post("/fr/diary/entries", data=_entry(token, drug_0="alprazolam", dose_0="0,01"),
                        follow_redirects=False)
    assert saved.status_code == 303


def test_medication_names_with_text_direction_controls_are_refused(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Sens")
    token = form_token(client, "/nl/diary/entries/new")
    response = client.post("/nl/diary/entries", data=_entry(token, drug_0="\u202emaz\u2066epa\u2069zid"))
    assert response.status_code == 422 and 'id="drug_0-error"' in response.text and "tekstrichting" in response.text
    assert session.scalar(select(func.count(Entry.id))) == 0
    plan = client.post("/nl/diary/plan/new", data={
        "csrf_token": token, "drug": "diazepam\u202e", "start_dose_mg": "10", "start_date": TODAY.isoformat(),
        "mode": "percent", "reduction_percent": "10", "interval_days": "14"})
    assert plan.status_code == 422 and "tekstrichting" in plan.text
    # A note is read by the member's doctor through a share link: refused like a post body, with the form and
    # the member's text kept; the questions for the doctor and a link's name too.
    note = client.post("/nl/diary/entries", data=_entry(token, note="\u202eomgekeerd"))
    assert note.status_code == 422 and 'id="note-error"' in note.text and "tekstrichting" in note.text
    assert "\u202eomgekeerd" in note.text and session.scalar(select(func.count(Entry.id))) == 0
    questions = client.post("/nl/diary/questions", data={"csrf_token": token, "questions": "Mag ik \u2067dit\u2069?"})
    assert questions.status_code == 422 and "tekstrichting" in questions.text
    label = client.post("/nl/diary/share", data={"csrf_token": token, "label": "Dokter \u202d"})
    assert label.status_code == 422 and "tekstrichting" in label.text


def test_editing_a_day_updates_its_one_entry(client: TestClient, session: Session) -> None:
    user = logged_in_member(client, session, "Twice")
    token = form_token(client, "/fr/diary/entries/new")
    client.post("/fr/diary/entries", data=_entry(token, note="matin"))
    # A second "add" of the same date is refused (tests/diary/test_day_conflicts.py); its edit form updates it.
    response = client.post("/fr/diary/entries", data=_entry(token, dose_0="1", note="soir",
                                                            original_day=TODAY.isoformat()), follow_redirects=False)
    assert response.status_code == 303 and "notice=updated" in response.headers["location"]
    entries = list(session.scalars(select(Entry).where(Entry.user_id == user.id)))
    assert len(entries) == 1 and entries[0].note == "soir"
    # Opening "new" for a day that has an entry goes to its edit form, filled in.
    edit = client.get(f"/fr/diary/entries/new?day={TODAY.isoformat()}", follow_redirects=True)
    assert "soir" in edit.text and 'name="original_day"' in edit.text


def test_moving_an_entry_to_another_day(client: TestClient, session: Session) -> None:
    user = make_user(session, "Mover")
    log(session, user, days_ago(2))
    session.commit()
    html_login(client, "Mover")
    token = form_token(client, f"/fr/diary/entries/{days_ago(2).isoformat()}/edit")
    client.post("/fr/diary/entries", data=_entry(token, day=days_ago(1).isoformat(),
                                                 original_day=days_ago(2).isoformat()))
    assert [e.day for e in session.scalars(select(Entry).where(Entry.user_id == user.id))] == [days_ago(1)]


def test_high_dose_is_questioned_once_then_saved(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Heavy")
    token = form_token(client, "/en/diary/entries/new")
    review = client.post("/en/diary/entries", data=_entry(token, dose_0="300", note="typed fast"))
    assert review.status_code == 200 and "Is this dose right?" in review.text and "typed fast" in review.text
    assert 'name="dose_confirmed"' in review.text
    assert session.scalar(select(func.count(Entry.id))) == 0
    saved = client.post("/en/diary/entries", data=_entry(token, dose_0="300", dose_confirmed="1"),
                        follow_redirects=False)
    assert saved.status_code == 303
    assert session.scalar(select(func.count(Entry.id))) == 1


def test_a_product_no_longer_sold_is_saved_with_a_note(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Oude_doos")
    token = form_token(client, "/nl/diary/entries/new")
    saved = client.post("/nl/diary/entries", data=_entry(token, drug_0="Rohypnol 2 mg", dose_0="1"),
                        follow_redirects=True)
    assert saved.status_code == 200
    note = re.search(r'<p class="notice" role="status">[^<]*Rohypnol 2 mg[^<]*</p>', saved.text)
    assert note and "niet meer verkocht in België" in note.group(0) and "apotheker" in note.group(0)
    token = form_token(client, "/nl/diary/entries/new")
    sold = client.post("/nl/diary/entries", data=_entry(token, drug_0="Rohypnol 1 mg", dose_0="1",
                                                        original_day=TODAY.isoformat()),  # the day, edited
                       follow_redirects=True)
    assert "niet meer verkocht" not in sold.text
    # Another member's day in the address names nothing: only the member's own entry is read.
    log(session, make_user(session, "Iemand_anders"), days_ago(5), drug="Rohypnol 2 mg", dose=1)
    session.commit()
    assert "Rohypnol 2 mg" not in client.get(f"/nl/diary?notice=saved&day={days_ago(5).isoformat()}").text


def test_delete_an_entry(client: TestClient, session: Session) -> None:
    user = make_user(session, "Eraser")
    log(session, user, days_ago(1))
    session.commit()
    html_login(client, "Eraser")
    token = form_token(client, "/fr/diary")
    client.post(f"/fr/diary/entries/{days_ago(1).isoformat()}/delete", data={"csrf_token": token})
    assert session.scalar(select(func.count(Entry.id))) == 0


def test_overview_chart_is_valid_svg_with_a_data_table(client: TestClient, session: Session) -> None:
    user = make_user(session, "Chart")
    for n, dose in ((20, 2.0), (10, 1.5), (3, 1.0)):
        log(session, user, days_ago(n), dose=dose, symptoms={"anxiety": 1, "insomnia": 2})
    session.commit()
    html_login(client, "Chart")
    html = client.get("/en/diary").text
    main = html[html.index("<main"):]  # the header has icons of its own (the bell)
    svg = main[main.index("<svg"):main.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.find("{http://www.w3.org/2000/svg}title") is not None
    assert "<script" not in html.split("</main>")[0]
    assert '<table class="chart-data">' in html
    assert html.count("<tr>") >= 4
    assert "approximate and differ between people" in html and "decision to take with your doctor" in html


def test_plan_preview_save_pause_and_history(client: TestClient, session: Session) -> None:
    user = logged_in_member(client, session, "Pacer")
    token = form_token(client, "/en/diary/plan/new")
    form = {"csrf_token": token, "drug": "Lormetazepam", "start_dose_mg": "2", "mode": "fixed", "amount_mg": "0,5",
            "interval_days": "14", "start_date": TODAY.isoformat(), "ceiling_percent": "25"}
    preview = client.post("/en/diary/plan/new", data={**form, "action": "preview"})
    assert preview.status_code == 200 and '<table class="plan-steps reflow">' in preview.text
    assert "More than your largest cut" in preview.text  # 0.5 of 1 mg is a 50 % cut
    assert "This plan goes faster than usually advised" in preview.text  # ... faster than the reference
    assert session.scalar(select(func.count(TaperPlan.id))) == 0
    saved = client.post("/en/diary/plan/new", data={**form, "action": "save", "pace_confirmed": "1"},
                        follow_redirects=True)
    assert saved.status_code == 200 and "Pause at a step" in saved.text
    assert "only information" in saved.text  # the diazepam cross-over, information only
    again = client.post("/en/diary/plan/new", data={**form, "action": "save", "pace_confirmed": "1"},
                        follow_redirects=True)  # a second click, or the same plan saved again
    assert "no new version was added" in again.text
    assert session.scalar(select(func.count(TaperPlan.id))) == 1
    for days in ("abc", "0,5"):  # one message for both: the example of the first is no answer to the second
        refused = client.post("/en/diary/plan/hold", data={"csrf_token": token, "step_index": "1", "days": days})
        assert refused.status_code == 422 and "Enter a whole number." in refused.text
        assert "for example 0.5" not in refused.text
    client.post("/en/diary/plan/hold", data={"csrf_token": token, "step_index": "1", "days": "14"})
    history = client.get("/en/diary/plan/history").text
    plans = list(session.scalars(select(TaperPlan).where(TaperPlan.user_id == user.id)))
    assert len(plans) == 2 and all(f"/en/diary/plan/versions/{p.id}" in history for p in plans)
    bad = client.post("/en/diary/plan/new", data={**form, "mode": "percent", "reduction_percent": "80",
                                                  "action": "save"})
    assert bad.status_code == 422 and 'value="Lormetazepam"' in bad.text and "between 1 and 50" in bad.text


def test_a_plan_faster_than_the_reference_warns_and_asks_before_it_is_saved(client: TestClient,
                                                                          session: Session) -> None:
    user = logged_in_member(client, session, "Haast")
    token = form_token(client, "/nl/diary/plan/new")
    form = {"csrf_token": token, "drug": "Valium 10 mg", "start_dose_mg": "10", "mode": "percent",
            "reduction_percent": "50", "interval_days": "3", "start_date": TODAY.isoformat()}
    preview = client.post("/nl/diary/plan/new", data={**form, "action": "preview"})
    assert preview.status_code == 200
    alert = preview.text[preview.text.index('class="pace-alert"'):]
    alert = alert[:alert.index("</section>")]
    assert "arts of apotheker" in alert and 'name="pace_confirmed"' in alert  # Dutch, pointing to care
    assert "abrupt" in alert  # never stop abruptly
    refused = client.post("/nl/diary/plan/new", data={**form, "action": "save"})
    assert refused.status_code == 422 and 'id="pace_confirmed-error"' in refused.text
    assert 'value="Valium 10 mg"' in refused.text and 'value="50"' in refused.text  # nothing the member typed is lost
    assert session.scalar(select(func.count(TaperPlan.id)).where(TaperPlan.user_id == user.id)) == 0
    saved = client.post("/nl/diary/plan/new", data={**form, "action": "save", "pace_confirmed": "1"},
                        follow_redirects=True)
    assert saved.status_code == 200 and 'class="pace-alert"' in saved.text  # the plan page keeps the warning
    # The defaults (10 % every 14 days) are the reference pace: no warning, nothing to confirm.
    usual = client.post("/nl/diary/plan/new", data={**form, "reduction_percent": "10", "interval_days": "14",
                                                    "action": "save"}, follow_redirects=True)
    assert usual.status_code == 200 and 'class="pace-alert"' not in usual.text
    new_form = client.get("/nl/diary/plan/new").text
    assert 'id="reduction_percent" name="reduction_percent" inputmode="decimal" size="4" value="10"' in new_form
    assert 'id="interval_days" name="interval_days" inputmode="numeric" size="4" value="14"' in new_form


def test_the_plan_uses_the_tablets_of_the_brand_the_member_named(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Merk")
    token = form_token(client, "/en/diary/plan/new")
    form = {"csrf_token": token, "drug": "Xanax Retard", "start_dose_mg": "3", "mode": "percent",
            "reduction_percent": "10", "interval_days": "14", "start_date": TODAY.isoformat(), "action": "save",
            "pace_confirmed": "1"}
    preview = client.post("/en/diary/plan/new", data={**form, "action": "preview"}).text
    assert "The steps use only Xanax Retard tablets, the brand you named." in preview
    client.post("/en/diary/plan/new", data=form)
    plan = session.scalar(select(TaperPlan).order_by(TaperPlan.id.desc()))
    assert plan is not None
    used = {piece["strength_mg"] for step in plan.steps for piece in step["pieces"]}
    assert used and used <= {0.5, 1.0, 2.0, 3.0}  # prolonged-release strengths only: never a 0.25 mg Xanax
    assert not any(piece["parts"] != 1 for step in plan.steps for piece in step["pieces"])  # never split


def test_plan_form_uses_unverified_tablets_only_once_the_member_confirms(client: TestClient,
                                                                         session: Session) -> None:
    user = logged_in_member(client, session, "Pharmacy")
    token = form_token(client, "/en/diary/plan/new")
    assert 'name="tablets_confirmed"' in client.get("/en/diary/plan/new").text
    form = {"csrf_token": token, "drug": "Dormicum", "start_dose_mg": "15", "mode": "percent",
            "reduction_percent": "50", "interval_days": "14", "start_date": TODAY.isoformat()}
    plain = client.post("/en/diary/plan/new", data={**form, "action": "preview"})
    assert plain.status_code == 200
    assert "Not confirmed in a Belgian leaflet for this medication" in plain.text
    assert "Dormicum 7.5 mg tablets split in halves" in plain.text  # English numbers (app.i18n.NUMBER_LOCALES)
    assert "so the steps do not use them" in plain.text
    assert 'name="tablets_confirmed" value="1" checked' not in plain.text
    confirmed = client.post("/en/diary/plan/new", data={**form, "tablets_confirmed": "1", "action": "preview"})
    assert 'name="tablets_confirmed" value="1" checked' in confirmed.text  # the choice is kept
    assert "that you confirmed with your pharmacy" in confirmed.text
    # Halving every step is faster than the reference pace: saved only with that confirmation too.
    client.post("/en/diary/plan/new", data={**form, "tablets_confirmed": "1", "action": "save", "pace_confirmed": "1"})
    client.post("/en/diary/plan/new", data={**form, "action": "save", "pace_confirmed": "1"})
    plans = list(session.scalars(select(TaperPlan).where(TaperPlan.user_id == user.id)
                                 .order_by(TaperPlan.version)))
    assert [p.tablets_confirmed for p in plans] == [True, False]
    assert "tablets_confirmed_by_member" in plans[0].warnings
    assert any(step["pieces"] for step in plans[0].steps)
    assert not any(step["pieces"] for step in plans[1].steps)  # unconfirmed: compounded steps only


def test_member_reports_an_error_in_the_medication_data(client: TestClient, session: Session) -> None:
    user = logged_in_member(client, session, "Pharmacist")
    assert "/fr/diary/medication-data/report" in client.get("/fr/diary/plan").text
    url = "/fr/diary/medication-data/report"
    page = client.get(url, params={"product": "Temesta 2,5 mg", "page": "plan"})
    assert page.status_code == 200 and 'value="Temesta 2,5 mg"' in page.text
    token = form_token(client, url)
    form = {"csrf_token": token, "product": "Temesta 2,5 mg", "page": "plan", "evidence": "notice, rubrique 6"}
    empty = client.post(url, data={**form, "text": "  "})
    assert empty.status_code == 422 and 'value="Temesta 2,5 mg"' in empty.text  # nothing typed is lost
    assert session.scalar(select(func.count(MedicationDataReport.id))) == 0
    sent = client.post(url, data={**form, "text": "Le comprimé de 2,5 mg porte une barre de cassure."},
                       follow_redirects=True)
    assert sent.status_code == 200 and sent.headers["x-robots-tag"] == "noindex"
    report = session.scalar(select(MedicationDataReport))
    assert report is not None and report.reporter_id == user.id
    assert (report.molecule, report.page, report.lang, report.status) == ("lorazepam", "plan", "fr", "open")
    assert report.evidence == "notice, rubrique 6"
    # It reaches the moderators' queue, and a moderator closes it with what came of it.
    item = session.get(ReviewItem, report.queue_item_id)
    assert item is not None and item.kind == "medication_data" and item.post_id is None and item.lang == "fr"
    client.cookies.clear()
    make_user(session, "Modo", role=Role.moderator)
    session.commit()
    html_login(client, "Modo", lang="en")
    queue = client.get("/en/review")
    assert "Medication data" in queue.text and "Temesta 2,5 mg" in queue.text
    page = client.get(f"/en/review/items/{item.id}")
    assert "porte une barre de cassure" in page.text and "notice, rubrique 6" in page.text
    token = csrf_from(page.text)
    refused = client.post(f"/en/review/items/{item.id}/close", data={"csrf_token": token, "outcome": "whatever"})
    assert refused.status_code == 422
    closed = client.post(f"/en/review/items/{item.id}/close", data={"csrf_token": token, "outcome": "passed_on"},
                         follow_redirects=False)
    assert closed.status_code == 303
    session.expire_all()
    assert session.get(ReviewItem, item.id).status == "resolved"  # type: ignore[union-attr]
    assert session.get(MedicationDataReport, report.id).status == "passed_on"  # type: ignore[union-attr]


def test_printable_summary_with_questions(client: TestClient, session: Session) -> None:
    user = make_user(session, "Consult")
    log(session, user, days_ago(70), note="too old for the summary")
    log(session, user, days_ago(5), note="private note")
    session.commit()
    html_login(client, "Consult")
    token = form_token(client, "/fr/diary/summary")
    client.post("/fr/diary/questions", data={"csrf_token": token, "questions": "Puis-je ralentir ?"})
    page = client.get("/fr/diary/summary").text
    assert "Puis-je ralentir ?" in page and "private note" not in page
    assert days_ago(70).isoformat() not in page and days_ago(5).isoformat() in page


def test_exports_and_account_data_include_the_diary(client: TestClient, session: Session) -> None:
    user = make_user(session, "Exporter")
    log(session, user, days_ago(1), note="=cmd")
    session.commit()
    html_login(client, "Exporter")
    csv_text = client.get("/fr/diary/export.csv").text
    assert csv_text.splitlines()[0].startswith("\ufeffDate,Médicament,Équivalent diazépam (mg)")
    assert "'=cmd" in csv_text  # never a spreadsheet formula
    diary = client.get("/fr/diary/export.json").json()["diary"]
    assert diary["entries"][0]["note"] == "=cmd"
    account = json.loads(client.get("/fr/account/data/export.json").text)
    assert account["diary"]["entries"][0]["date"] == days_ago(1).isoformat()


def test_deleting_the_account_deletes_the_diary(client: TestClient, session: Session) -> None:
    user = make_user(session, "Leaving")
    log(session, user, days_ago(1))
    session.commit()
    html_login(client, "Leaving")
    form_token(client, "/fr/diary/plan/new")
    token = form_token(client, "/fr/account/data")
    client.post("/fr/diary/share", data={"csrf_token": token, "label": "GP"})
    response = client.post("/fr/account/delete", data={"csrf_token": token, "delete_password": PASSWORD,
                                                       "confirm": "yes"}, follow_redirects=False)
    assert response.status_code == 303
    from tests.member_data.test_views import pass_grace_period

    pass_grace_period(client.app)  # type: ignore[arg-type]
    assert session.scalar(select(func.count(Entry.id))) == 0
    for table in ("diary_entry_medications", "diary_share_links", "diary_settings", "diary_taper_lines"):
        assert session.scalar(select(func.count()).select_from(Entry.metadata.tables[table])) == 0


def test_the_list_of_days_is_paged_newest_first(app, client: TestClient, session: Session) -> None:  # type: ignore[no-untyped-def]
    user = make_user(session, "Pages")
    for n in range(1, 36):
        log(session, user, days_ago(n))
    session.commit()
    html_login(client, "Pages")
    first, second = client.get("/fr/diary/entries").text, client.get("/fr/diary/entries?page=2").text
    assert days_ago(1).isoformat() in first and days_ago(30).isoformat() in first
    assert days_ago(31).isoformat() not in first and 'href="/fr/diary/entries?page=2"' in first
    assert days_ago(31).isoformat() in second and days_ago(35).isoformat() in second
    assert days_ago(30).isoformat() not in second


def test_the_chart_shows_the_members_own_medication(client: TestClient, session: Session) -> None:
    user = make_user(session, "Loramet")
    session.commit()
    html_login(client, "Loramet")
    empty = client.get("/fr/diary").text
    empty = empty[empty.index("<main"):]  # the header has icons of its own (the bell)
    assert "<svg" not in empty and "Noter mon premier jour" in empty  # an empty diary invites, no empty chart
    token = form_token(client, "/fr/diary/entries/new")
    client.post("/fr/diary/entries", data=_entry(token, drug_0="Loramet", dose_0="1,5"))
    page = client.get("/fr/diary").text
    assert "Loramet (mg par jour)" in page and 'class="chart-narrow"' in page and 'class="chart-wide"' in page
    assert user.id


def test_deleting_a_day_asks_first(client: TestClient, session: Session) -> None:
    user = make_user(session, "Careful")
    log(session, user, days_ago(1))
    session.commit()
    html_login(client, "Careful")
    day = days_ago(1).isoformat()
    confirm = client.get(f"/fr/diary/entries/{day}/delete")
    assert confirm.status_code == 200 and f'action="/fr/diary/entries/{day}/delete"' in confirm.text
    assert session.scalar(select(func.count(Entry.id))) == 1  # asking deletes nothing
    client.post(f"/fr/diary/entries/{day}/delete", data={"csrf_token": csrf_from(confirm.text)})
    assert session.scalar(select(func.count(Entry.id))) == 0


def test_new_share_link_survives_a_reload_for_a_while(client: TestClient, session: Session) -> None:
    make_user(session, "Sharer")
    session.commit()
    html_login(client, "Sharer")
    token = form_token(client, "/fr/diary/settings")
    made = client.post("/fr/diary/share", data={"csrf_token": token, "label": "GP"}, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"].endswith("/fr/diary/settings#new-link")
    first = client.get("/fr/diary/settings").text
    link = re.search(r'id="share-link-address" class="share-link" value="([^"]+)"', first)
    assert link and "/diary/shared/" in link.group(1)
    assert link.group(1) in client.get("/fr/diary/settings").text  # a reload keeps it
    assert 'data-copy="share-link-address"' in first


def test_a_huge_dose_in_the_plan_form_is_refused_at_once_and_the_form_kept(client: TestClient,
                                                                           session: Session) -> None:
    """Issue 9, item 1: start_dose_mg=1e300 once pinned a core and blocked every writer."""
    import time

    logged_in_member(client, session, "Enorme")
    token = form_token(client, "/en/diary/plan/new")
    form = {"csrf_token": token, "drug": "Diazepam", "start_dose_mg": "1e300", "mode": "percent",
            "reduction_percent": "10", "interval_days": "14", "start_date": TODAY.isoformat(), "action": "preview"}
    started = time.process_time()
    response = client.post("/en/diary/plan/new", data=form)
    assert time.process_time() - started < 2
    assert response.status_code == 422 and 'value="1e300"' in response.text
    assert "at most 1000" in response.text
    for value in ("nan", "inf", "1e400"):
        again = client.post("/en/diary/plan/new", data={**form, "start_dose_mg": value})
        assert again.status_code == 422


def test_the_equivalence_source_keeps_its_title_and_speaks_the_members_language(client: TestClient,
                                                                                  session: Session) -> None:
    user = logged_in_member(client, session, "Bron")
    log(session, user, days_ago(1), drug="Loramet", dose=2.0)
    session.commit()
    token = form_token(client, "/fr/diary/plan/new")
    client.post("/fr/diary/plan/new", data={"csrf_token": token, "drug": "Loramet", "start_dose_mg": "2",
                                            "mode": "percent", "reduction_percent": "10", "interval_days": "14",
                                            "start_date": TODAY.isoformat(), "action": "save"})
    for lang, framing in (("fr", "Ashton Manual (2002), tableau 1"), ("nl", "Ashton Manual (2002), tabel 1")):
        for path in (f"/{lang}/diary", f"/{lang}/diary/plan"):
            page = client.get(path).text
            assert framing in page, path
            assert "Table 1" not in page, path  # the framing is translated, the title kept as published
    plan = client.get("/nl/diary/plan").text
    assert "1–2 mg lormetazepam ≈ 10 mg diazepam" in plan  # the cross-over's source, in Dutch
    api = client.get("/api/v1/medications/equivalence", params={"drug": "Loramet", "dose_mg": "2"}).json()
    assert api["source"].startswith("Ashton Manual (2002), Table 1")  # the API's contract field is unchanged


def _summary_links(page: str) -> list[str]:
    start = page.index('class="notice error-summary"')
    summary = page[start:page.index("</div>", start)]
    return [part.split('"', 1)[0] for part in summary.split('<a href="#')[1:]]


def test_the_day_form_reports_every_problem_at_once(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Brouillonne")
    token = form_token(client, "/en/diary/entries/new")
    future = TODAY.replace(year=TODAY.year + 1).isoformat()
    response = client.post("/en/diary/entries", data=_entry(
        token, day=future, drug_0="Lormetazepam", dose_0="abc", drug_1="Xyzzyqux", dose_1="1",
        sleep_hours="30", sym_anxiety="7", note="Gardé"))
    assert response.status_code == 422
    page = response.text
    assert _summary_links(page) == ["day", "dose_0", "drug_1", "sym_anxiety", "sleep_hours"]
    for message in ("This date is in the future.", "Enter a number, for example 0.5 or 2.",
                    "We do not know the medication “Xyzzyqux”.", "Rate each symptom from 0 (none) to 3 (severe).",
                    "Hours slept are between 0 and 24."):
        assert page.count(message) == 2, message  # in the summary and at its field
    assert "Some things need checking" in page and "Gardé</textarea>" in page
    assert session.scalar(select(func.count(Entry.id))) == 0
    # One problem: the summary says so in the singular.
    single = client.post("/fr/diary/entries", data=_entry(form_token(client, "/fr/diary/entries/new"),
                                                          sleep_hours="30"))
    assert single.status_code == 422 and _summary_links(single.text) == ["sleep_hours"]
    assert "Un élément est à vérifier" in single.text


def test_the_plan_form_reports_every_problem_at_once(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Hesitant")
    token = form_token(client, "/nl/diary/plan/new")
    form = {"csrf_token": token, "drug": "", "start_dose_mg": "twee", "mode": "percent", "reduction_percent": "",
            "interval_days": "1,5", "start_date": TODAY.isoformat(), "action": "preview"}
    for action in ("preview", "save"):
        response = client.post("/nl/diary/plan/new", data={**form, "action": action})
        assert response.status_code == 422, action
        assert _summary_links(response.text) == ["drug", "start_dose_mg", "interval_days", "reduction_percent"]
        assert "Er moeten een paar dingen nagekeken worden" in response.text
    assert session.scalar(select(func.count(TaperPlan.id))) == 0


def test_a_first_plan_is_not_confirmed_as_replacing_a_previous_one(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Premiere")
    previous = {"fr": "Le précédent", "nl": "Het vorige", "en": "The previous one"}
    first = {"fr": "Votre plan est enregistré", "nl": "Je afbouwschema is opgeslagen", "en": "Your plan is saved"}
    token = form_token(client, "/en/diary/plan/new")
    form = {"csrf_token": token, "drug": "Lormetazepam", "start_dose_mg": "2", "mode": "fixed", "amount_mg": "0,5",
            "interval_days": "14", "start_date": TODAY.isoformat(), "ceiling_percent": "25", "action": "save",
            "pace_confirmed": "1"}
    assert client.post("/en/diary/plan/new", data=form, follow_redirects=False).status_code == 303
    for lang in ("fr", "nl", "en"):
        page = client.get(f"/{lang}/diary/plan?notice=saved").text
        assert first[lang] in page and previous[lang] not in page, lang
    assert client.post("/en/diary/plan/new", data={**form, "interval_days": "21"},
                       follow_redirects=False).status_code == 303
    for lang in ("fr", "nl", "en"):
        page = client.get(f"/{lang}/diary/plan?notice=saved").text
        assert previous[lang] in page, page[page.find("<main"):][:1500]


# Tester's finding F6: the CSV a member opens in a spreadsheet was headed with English keys in every language.
CSV_HEADINGS = {
    "fr": ("Date", "Médicament", "Équivalent diazépam (mg)", "Anxiété (de 0 à 3)", "Humeur (de 1 à 5)", "Note"),
    "nl": ("Datum", "Medicatie", "Diazepam-equivalent (mg)", "Angst (0 tot 3)", "Stemming (1 tot 5)", "Notitie"),
    "en": ("Date", "Medication", "Diazepam equivalent (mg)", "Anxiety (0 to 3)", "Mood (1 to 5)", "Note"),
}


def test_diary_csv_is_headed_in_the_reader_language_and_opens_in_a_spreadsheet(client: TestClient,
                                                                              session: Session) -> None:
    import csv
    import io

    from app.diary.export import CSV_COLUMNS

    user = make_user(session, "Tableur")
    log(session, user, days_ago(1), symptoms={"anxiety": 2}, mood=4, sleep_hours=6.5,
        note='Dit "stop", puis, plus tard:\nça va')
    session.commit()
    html_login(client, "Tableur")
    for lang, (date, medication, diazepam, anxiety, mood, note) in CSV_HEADINGS.items():
        response = client.get(f"/{lang}/diary/export.csv")
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.content.startswith(b"\xef\xbb\xbf")  # the mark that makes Excel read UTF-8
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        header = list(rows[0])
        assert len(header) == len(CSV_COLUMNS) and header[:3] == [date, medication, diazepam], lang
        assert header[-2] == note and mood in header and anxiety in header, lang  # the dose column comes last
        if lang != "en":
            assert not set(header) & set(CSV_COLUMNS), f"{lang}: keys left in the header {header}"
        row = rows[0]
        assert row[anxiety] == "2" and row[mood] == "4" and float(row[diazepam]) > 0  # a decimal point
        assert row[note] == 'Dit "stop", puis, plus tard:\nça va'  # quoted: one cell, newline and all


def test_the_diary_csv_has_an_excel_variant_and_the_plain_one_is_unchanged(client: TestClient,
                                                                            session: Session) -> None:
    """Belgian Excel splits a .csv on ";" and reads "6.5" as a date: the Excel variant uses ";" and decimal
    commas, after the byte-order mark; the plain file (also the one in the data download) stays as it was."""
    import csv
    import io

    user = make_user(session, "Excel")
    log(session, user, days_ago(1), mood=4, sleep_hours=6.5, note="Nuit; courte")
    session.commit()
    html_login(client, "Excel")
    plain = client.get("/fr/diary/export.csv")
    assert plain.text.splitlines()[0].startswith("\ufeffDate,Médicament,") and ",6.5," in plain.text
    assert "diary" in plain.headers["content-disposition"] and "excel" not in plain.headers["content-disposition"]
    for lang in ("fr", "nl"):
        excel = client.get(f"/{lang}/diary/export.csv?excel=1")
        assert excel.status_code == 200 and excel.headers["content-type"] == "text/csv; charset=utf-8"
        assert excel.content.startswith(b"\xef\xbb\xbf") and "-excel.csv" in excel.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(excel.content.decode("utf-8-sig")), delimiter=";"))
        plain_header = next(csv.reader(io.StringIO(plain.text)))
        assert rows[0][:2] == list(CSV_HEADINGS[lang][:2]) and len(rows[0]) == len(plain_header)
        assert "6,5" in rows[1] and rows[1][-2] == "Nuit; courte" and "," in rows[1][2], rows[1]
    page = client.get("/fr/diary/entries").text
    assert "/fr/diary/export.csv?excel=1" in page and "Excel" in page


def test_the_plan_form_reports_every_problem_at_once_and_keeps_every_value(client: TestClient,
                                                                          session: Session) -> None:
    logged_in_member(client, session, "Toutensemble")
    token = form_token(client, "/fr/diary/plan/new")
    long_name = "lorazepamm" * 40  # 400 characters, unknown
    form = {"csrf_token": token, "drug": long_name, "start_dose_mg": "0", "mode": "percent",
            "reduction_percent": "80", "interval_days": "200", "ceiling_percent": "90",
            "start_date": TODAY.isoformat(), "action": "preview"}
    refused = client.post("/fr/diary/plan/new", data=form)
    assert refused.status_code == 422
    summary = re.search(r'<div class="notice error-summary".*?</div>', refused.text, re.S)
    assert summary is not None
    links = re.findall(r'<a href="#([a-z_]+)">', summary.group(0))
    assert links == ["drug", "start_dose_mg", "interval_days", "reduction_percent", "ceiling_percent"]
    for name in links:
        assert f'id="{name}-error"' in refused.text and f'name="{name}"' in refused.text
        assert re.search(rf'<input id="{name}"[^>]*aria-invalid="true"', refused.text)
    for name in ("start_dose_mg", "reduction_percent", "interval_days", "ceiling_percent"):
        assert f'value="{form[name]}"' in refused.text
    # The field keeps the whole name; the message quotes only its beginning.
    assert refused.text.count(long_name) == 2  # the field and the data report link's query, not the messages
    assert refused.text.count(long_name[:39] + "…") == 2  # the summary and the field's message


def test_a_plan_with_one_problem_still_shows_it_in_the_summary_and_in_place(client: TestClient,
                                                                            session: Session) -> None:
    logged_in_member(client, session, "Unseul")
    token = form_token(client, "/nl/diary/plan/new")
    refused = client.post("/nl/diary/plan/new", data={
        "csrf_token": token, "drug": "lormetazepam", "start_dose_mg": "2", "mode": "fixed", "amount_mg": "0,5",
        "interval_days": "2", "start_date": TODAY.isoformat(), "action": "preview"})
    assert refused.status_code == 422
    assert 'href="#interval_days"' in refused.text and 'id="interval_days-error"' in refused.text
    assert 'value="0,5"' in refused.text


def test_a_new_pace_says_before_and_after_saving_that_the_pauses_are_not_carried_over(
        client: TestClient, session: Session) -> None:
    user = logged_in_member(client, session, "Pauseuse")
    token = form_token(client, "/en/diary/plan/new")
    form = {"csrf_token": token, "drug": "Lormetazepam", "start_dose_mg": "2", "mode": "percent",
            "reduction_percent": "10", "interval_days": "14", "start_date": TODAY.isoformat()}
    client.post("/en/diary/plan/new", data={**form, "action": "save"})
    client.post("/en/diary/plan/hold", data={"csrf_token": token, "step_index": "1", "days": "14"})
    client.post("/en/diary/plan/hold", data={"csrf_token": token, "step_index": "3", "days": "7"})
    # The same form again keeps the plan as it is, pauses included: nothing to warn about.
    same = client.post("/en/diary/plan/new", data={**form, "action": "preview"}).text
    assert "keeps it as it is, with your pauses" in same and 'id="pauses-left"' not in same
    slower = {**form, "reduction_percent": "5"}
    preview = client.post("/en/diary/plan/new", data={**slower, "action": "preview"}).text
    assert 'id="pauses-left"' in preview and "Your current plan has 2 pauses." in preview
    assert "without them" in preview and "plan history" in preview
    saved = client.post("/en/diary/plan/new", data={**slower, "action": "save"}, follow_redirects=True)
    assert saved.status_code == 200 and "It does not include the pauses of your previous plan" in saved.text
    plans = list(session.scalars(select(TaperPlan).where(TaperPlan.user_id == user.id)
                                 .order_by(TaperPlan.version)))
    assert [p.holds for p in plans] == [[], [[1, 14]], [[1, 14], [3, 7]], []]  # kept in the history
    # A plan without pauses changes pace without the notice.
    faster = client.post("/en/diary/plan/new", data={**form, "reduction_percent": "8", "action": "save"},
                         follow_redirects=True)
    assert "It does not include the pauses" not in faster.text and "Your new plan is saved." in faster.text


@pytest.mark.parametrize(("lang", "before", "after"), [
    ("fr", "Votre plan actuel comporte une pause.", "Il ne reprend pas les pauses de votre plan précédent"),
    ("nl", "Je huidige afbouwschema heeft een pauze.", "Het neemt de pauzes van je vorige schema niet over"),
])
def test_the_pauses_notices_in_french_and_dutch(client: TestClient, session: Session, lang: str, before: str,
                                                after: str) -> None:
    logged_in_member(client, session, "Pauze", lang=lang)
    token = form_token(client, f"/{lang}/diary/plan/new")
    form = {"csrf_token": token, "drug": "Lormetazepam", "start_dose_mg": "2", "mode": "percent",
            "reduction_percent": "10", "interval_days": "14", "start_date": TODAY.isoformat()}
    client.post(f"/{lang}/diary/plan/new", data={**form, "action": "save"})
    client.post(f"/{lang}/diary/plan/hold", data={"csrf_token": token, "step_index": "1", "days": "14"})
    slower = {**form, "interval_days": "21"}
    preview = client.post(f"/{lang}/diary/plan/new", data={**slower, "action": "preview"}).text
    assert before in preview.replace("&#39;", "'")
    saved = client.post(f"/{lang}/diary/plan/new", data={**slower, "action": "save"}, follow_redirects=True)
    assert after in saved.text.replace("&#39;", "'")


def test_once_today_is_noted_the_diary_offers_to_change_it_not_to_add_it(client: TestClient,
                                                                         session: Session) -> None:
    """The "Add today" button stayed after today was noted (outsider walk, phone)."""
    member = make_user(session, "Journaliere")
    log(session, member, days_ago(1))
    session.commit()
    html_login(client, "Journaliere")
    before = client.get("/fr/diary").text
    assert "Noter aujourd'hui" in before and "Modifier l'entrée d'aujourd'hui" not in before
    log(session, member, TODAY)
    session.commit()
    after = client.get("/fr/diary").text
    assert "Noter aujourd'hui" not in after
    assert f"href=\"/fr/diary/entries/{TODAY.isoformat()}/edit\">Modifier l'entrée d'aujourd'hui" in after


def test_the_diary_csv_has_the_dose_in_a_column_of_its_own(client: TestClient, session: Session) -> None:
    """Outsider's attack (round 31): "lormetazepam 1.5 mg; alprazolam 0.25 mg" in one cell could not be summed or
    charted. The medication column keeps its name and place and holds the names; the doses, as numbers in the
    same order, are a column added at the end (earlier columns keep their places: extended, not broken)."""
    import csv
    import io

    from app.diary.export import CSV_COLUMNS
    from app.diary.service import EntryInput, MedicationInput
    from app.diary.service import save_entry as save

    user = make_user(session, "Doses")
    save(session, user=user, data=EntryInput(day=days_ago(2), medications=[MedicationInput("lormetazepam", 1.5)]))
    save(session, user=user, data=EntryInput(day=days_ago(1), medications=[
        MedicationInput("lormetazepam", 1.5), MedicationInput("alprazolam", 0.25)]))
    session.commit()
    html_login(client, "Doses")
    assert CSV_COLUMNS[:3] == ["date", "medications", "diazepam_mg"] and CSV_COLUMNS[-1] == "dose_mg"
    for lang, dose in (("fr", "Dose (mg)"), ("nl", "Dosis (mg)"), ("en", "Dose (mg)")):
        text = client.get(f"/{lang}/diary/export.csv").content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:3] == list(CSV_HEADINGS[lang][:3]) and rows[0][-1] == dose, rows[0]
        assert rows[0][-2] == CSV_HEADINGS[lang][-1]  # the note, where it was
        assert (rows[1][1], rows[1][-1]) == ("lormetazepam", "1.5"), rows[1]
        assert (rows[2][1], rows[2][-1]) == ("lormetazepam; alprazolam", "1.5; 0.25"), rows[2]
        assert "mg" not in rows[2][1]
    excel = list(csv.reader(io.StringIO(client.get("/fr/diary/export.csv?excel=1").content.decode("utf-8-sig")),
                            delimiter=";"))
    assert excel[2][-1] == "1,5; 0,25" and excel[1][-1] == "1,5"


def test_the_diary_csv_writes_a_day_without_medication_as_a_dose_of_zero(client: TestClient, session: Session) -> None:
    """Outsider's attack (round 32): a day the member marked "none taken" (after stopping) had an empty dose cell,
    which the download's README reads as "not filled in"; its diazepam column said 0. The dose is 0 too."""
    import csv
    import io

    from app.diary.service import EntryInput, save_entry

    user = make_user(session, "Sevree")
    save_entry(session, user=user, data=EntryInput(day=days_ago(2), none_taken=True))
    save_entry(session, user=user, data=EntryInput(day=days_ago(1), mood=4, provided=frozenset({"mood"})))
    session.commit()
    html_login(client, "Sevree")
    rows = list(csv.reader(io.StringIO(client.get("/fr/diary/export.csv").content.decode("utf-8-sig"))))
    assert (rows[1][1], rows[1][2], rows[1][-1]) == ("", "0", "0"), rows[1]  # none taken: nothing, 0 mg
    assert (rows[2][1], rows[2][2], rows[2][-1]) == ("", "", ""), rows[2]  # not filled in: empty


def test_the_dose_note_sets_its_semicolon_as_each_language_does(client: TestClient, session: Session) -> None:
    """A member's walk: "fourchette 7,5–15 mg; Ashton Manual…" — French sets a narrow no-break space before ";"."""
    user = logged_in_member(client, session, "Point_virgule")
    log(session, user, days_ago(1), drug="Loramet", dose=2.0)
    session.commit()
    for lang, semicolon in (("fr", "\u202f; "), ("nl", "; "), ("en", "; ")):
        note = re.search(r'<span class="meta">\((.*?)\)</span>', client.get(f"/{lang}/diary").text, re.S)
        assert note is not None, lang
        assert re.search(rf"\d mg{semicolon}Ashton Manual", note.group(1)), (lang, note.group(1))


def test_the_dutch_chart_names_the_symptom_score_as_the_rest_of_the_diary_does(client: TestClient,
                                                                              session: Session) -> None:
    """A member's walk: the legend said "Symptoomscore", the caption under it "klachtenscore"."""
    user = logged_in_member(client, session, "Grafiek", locale="nl")
    for n in (3, 2, 1):
        log(session, user, days_ago(n), symptoms={"anxiety": 1, "insomnia": n})
    session.commit()
    page = client.get("/nl/diary").text
    caption = re.search(r"<figcaption>(.*?)</figcaption>", page, re.S)
    assert caption is not None and "symptoomscore" in caption.group(1)
    assert "Symptoomscore" in page[page.index('class="chart-narrow"'):page.index("<figcaption>")]  # the legend
    assert "klacht" not in page.lower()


def test_the_dutch_catalog_says_symptoom_for_symptom() -> None:
    """One word for one thing: "klachten" had crept into a third of the messages about symptoms."""
    from babel.messages.pofile import read_po

    from app.i18n import LOCALES_DIR

    with (LOCALES_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="nl")
    mixed = [m.id for m in catalog if m.id and "symptom" in str(m.id).lower()
             and "withdrawal symptoms" not in str(m.id) and "klacht" in str(m.string).lower()]
    assert mixed == []
