"""Diary services: merging entries, equivalents, validation, the taper line, plan versions and pauses."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import Database
from app.diary import plans, service, taper_line
from app.diary.errors import DoseReview, UnknownMedicationError
from app.diary.models import Entry, TaperLine, TaperPlan
from app.diary.service import EntryInput, MedicationInput
from app.errors import NotFound, ValidationFailed
from app.i18n import set_locale
from tests.diary.helpers import TODAY, days_ago, log
from tests.factories import make_user

SAVERS = 12


def test_entry_gets_its_diazepam_equivalent(session: Session) -> None:
    user = make_user(session)
    data = EntryInput(day=TODAY, medications=[MedicationInput("Lormetazepam EG", 2), MedicationInput("Xanax", 0.5)])
    saved = service.save_entry(session, user=user, data=data)
    assert saved.created
    # Ashton: 1-2 mg lormetazepam and 0.5 mg alprazolam each ≈ 10 mg diazepam (midpoints).
    assert saved.entry.diazepam_mg == pytest.approx(13.33 + 10.0)
    assert [m.molecule for m in saved.entry.medications] == ["lormetazepam", "alprazolam"]


def test_second_entry_for_a_day_merges(session: Session) -> None:
    user = make_user(session)
    service.save_entry(session, user=user, data=EntryInput(day=TODAY, medications=[MedicationInput("lormetazepam", 2)],
                                                           sleep_hours=6, note="first"))
    partial = EntryInput(day=TODAY, symptoms={"anxiety": 2}, provided=frozenset({"symptoms"}), merge_symptoms=True)
    saved = service.save_entry(session, user=user, data=partial)
    assert not saved.created
    assert session.scalar(select(func.count(Entry.id)).where(Entry.user_id == user.id)) == 1
    entry = saved.entry
    assert entry.sleep_hours == 6 and entry.note == "first" and entry.symptoms == {"anxiety": 2}
    assert entry.diazepam_mg == pytest.approx(13.33)


@pytest.mark.parametrize(("data", "field"), [
    (EntryInput(day=TODAY + dt.timedelta(days=1)), "day"),
    (EntryInput(day=TODAY, medications=[MedicationInput("lormetazepam", 0)]), "dose_0"),
    (EntryInput(day=TODAY, medications=[MedicationInput("lormetazepam", -1)]), "dose_0"),
    (EntryInput(day=TODAY, symptoms={"anxiety": 4}), "symptoms"),
    (EntryInput(day=TODAY, symptoms={"made_up": 1}), "symptoms"),
    (EntryInput(day=TODAY, mood=6), "mood"),
    (EntryInput(day=TODAY, sleep_hours=25), "sleep_hours"),
])
def test_bad_entries_name_the_field(session: Session, data: EntryInput, field: str) -> None:
    user = make_user(session)
    with pytest.raises(ValidationFailed) as caught:
        service.save_entry(session, user=user, data=data)
    assert caught.value.field == field


def test_unknown_medication_suggests_names(session: Session) -> None:
    user = make_user(session)
    set_locale("en")
    with pytest.raises(UnknownMedicationError) as caught:
        service.save_entry(session, user=user, data=EntryInput(day=TODAY, medications=[
            MedicationInput("lormetazapem", 1)]))
    assert caught.value.field == "drug_0"
    assert "lormetazepam" in caught.value.suggestions
    assert "Did you mean: lormetazepam" in caught.value.translated()


def test_implausible_dose_asks_once_then_saves(session: Session) -> None:
    user = make_user(session)
    data = EntryInput(day=TODAY, medications=[MedicationInput("lormetazepam", 200)])
    with pytest.raises(DoseReview):
        service.save_entry(session, user=user, data=data, dose_confirmed=False)
    saved = service.save_entry(session, user=user, data=data, dose_confirmed=True)
    assert saved.warnings == ["dose_implausible"]


def test_taper_line_follows_the_diary_and_the_opt_in(session: Session) -> None:
    user = make_user(session)
    log(session, user, days_ago(142), dose=2)
    log(session, user, days_ago(1), dose=0.5)
    assert session.get(TaperLine, user.id) is None  # not opted in: no line
    service.update_settings(session, user=user, visibility="private", taper_line_on=True)
    line = session.get(TaperLine, user.id)
    assert line is not None and (line.first_dose_mg, line.latest_dose_mg) == (2, 0.5)
    assert line.started_on == days_ago(142)
    set_locale("fr")
    text = taper_line.describe(line, "fr", TODAY)  # numbers in the reader's (Belgian French) format
    assert text.startswith("Lormétazépam 2 mg → 0,5 mg") and "143" in text
    log(session, user, days_ago(0), dose=None)  # none taken: stopped
    line = session.get(TaperLine, user.id)
    assert line is not None and line.stopped_on == TODAY
    service.update_settings(session, user=user, visibility="private", taper_line_on=False)
    assert session.get(TaperLine, user.id) is None


def test_mixed_medications_speak_in_diazepam_equivalents(session: Session) -> None:
    user = make_user(session)
    service.update_settings(session, user=user, visibility="members", taper_line_on=True)
    log(session, user, days_ago(30), drug="lorazepam", dose=2)
    log(session, user, days_ago(2), drug="diazepam", dose=10)
    line = session.get(TaperLine, user.id)
    assert line is not None and line.molecule == "" and line.members_can_view
    set_locale("en")
    assert "diazepam equivalent" in taper_line.describe(line, "en", TODAY)


def test_plans_are_versioned_and_pauses_shift_later_steps(session: Session) -> None:
    user = make_user(session)
    data = plans.PlanInput(drug="Lormetazepam", start_dose_mg=2, start_date=TODAY, reduction_percent=10,
                           interval_days=14)
    first = plans.create_plan(session, user=user, data=data)
    paused = plans.add_hold(session, user=user, plan=first, step_index=1, days=7)
    assert (first.version, paused.version) == (1, 2)
    assert first.superseded_at is not None and paused.is_current
    before, after = plans.steps_of(first), plans.steps_of(paused)
    assert [s.dose_mg for s in before] == [s.dose_mg for s in after]
    assert after[1].date == before[1].date and after[1].hold_days == 7
    assert after[2].date == before[2].date + dt.timedelta(days=7)
    assert plans.get_current_plan(session, user_id=user.id) is paused
    with pytest.raises(ValidationFailed):
        plans.add_hold(session, user=user, plan=first, step_index=1, days=7)  # an old version
    with pytest.raises(NotFound):
        plans.access_plan(session, user=make_user(session), plan_id=first.id)
    assert session.scalar(select(func.count(TaperPlan.id))) == 2


@pytest.mark.parametrize(("data", "field"), [
    (dict(reduction_percent=80), "reduction_percent"),
    (dict(interval_days=1), "interval_days"),
    (dict(start_dose_mg=0), "start_dose_mg"),
    (dict(drug="nothing-like-it"), "drug"),
    (dict(mode="end_date", end_date=TODAY), "end_date"),
    (dict(mode="fixed", amount_mg=None), "amount_mg"),
])
def test_bad_plans_name_the_field(session: Session, data: dict[str, object], field: str) -> None:
    values: dict[str, object] = dict(drug="lormetazepam", start_dose_mg=2, start_date=TODAY, reduction_percent=10,
                                     interval_days=14)
    values.update(data)
    with pytest.raises(ValidationFailed) as caught:
        plans.create_plan(session, user=make_user(session), data=plans.PlanInput(**values))  # type: ignore[arg-type]
    assert caught.value.field == field


def test_entries_are_paged_in_the_database(session: Session) -> None:
    user = make_user(session)
    for n in range(1, 8):
        log(session, user, days_ago(n))
    page = service.page_entries(session, user=user, page=2, size=3)
    assert (page.page, page.pages, page.total) == (2, 3, 7)
    assert [e.day for e in page.items] == [days_ago(4), days_ago(5), days_ago(6)]
    assert service.page_entries(session, user=make_user(session), page=1, size=3).pages == 1


def test_saving_the_current_plan_again_adds_no_version(session: Session) -> None:
    user = make_user(session)
    data = plans.PlanInput(drug="diazepam", start_dose_mg=10, start_date=TODAY)
    first = plans.create_plan(session, user=user, data=data)
    again = plans.create_plan(session, user=user, data=plans.PlanInput(drug=" diazepam ", start_dose_mg=10.0,
                                                                       start_date=TODAY))
    assert again.id == first.id and first.superseded_at is None
    changed = plans.create_plan(session, user=user, data=plans.PlanInput(drug="diazepam", start_dose_mg=10,
                                                                         start_date=TODAY, reduction_percent=5))
    assert changed.version == 2 and [p.version for p in plans.list_plans(session, user=user)] == [2, 1]
    # Back to the first pace: a plan different from the current one, so a version of its own.
    assert plans.create_plan(session, user=user, data=data).version == 3


def test_identical_saves_sent_at_once_add_one_version(db: Database, session: Session) -> None:
    """30 parallel "save" submissions once made 30 identical versions in the history."""
    user_id = make_user(session, "Impatiente").id
    session.commit()
    errors: list[BaseException] = []
    start = threading.Barrier(SAVERS)

    def save() -> None:
        try:
            start.wait()
            with db.request_session(write=True) as s:  # as a request that saves
                member = s.get(User, user_id)
                assert member is not None
                plans.create_plan(s, user=member, data=plans.PlanInput(drug="lormetazepam", start_dose_mg=2,
                                                                       start_date=TODAY))
                s.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=save) for _ in range(SAVERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, [(e, e.__cause__) for e in errors[:3]]
    session.expire_all()
    versions = list(session.scalars(select(TaperPlan.version).where(TaperPlan.user_id == user_id)))
    assert versions == [1]
