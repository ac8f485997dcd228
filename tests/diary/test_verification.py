"""The medication reference's verification rules, and the planner's obedience to them (issue 18).

- The planner never builds a step from a tablet strength that was not read in a
  Belgian leaflet or SmPC, and never splits a tablet unless a Belgian text says
  it may be divided into equal doses, unless the member confirmed on the form
  that their pharmacy has the tablet (``tablets_confirmed``).
- Products no longer sold in Belgium are never planned with, but are
  recognised when typed, with a note.
- The data file's claims are checked against its own rules: "verified" rests on
  a Belgian source, every molecule has a cited table, no machine-specific path.
"""

from __future__ import annotations

import tomllib
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.diary import equivalents as eqv
from app.diary import medication_names as mn
from app.diary import medications as m
from app.diary import planner as P
from app.diary import tablets as t

START = date(2026, 12, 7)
MOLECULES = [med.molecule for med in m.list_medications()]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _vouched(piece: t.Piece, med: m.Medication) -> bool:
    """Written from the rule itself, not from tablets.py: a Belgian text covers this piece."""
    for product in med.products:
        if not (product.marketed and product.verified and piece.strength_mg in product.strengths_mg):
            continue
        if piece.parts == 1:
            return True
        splits_in_text = product.scored if piece.parts == 2 else product.quarterable
        if product.form == "tablet" and product.scored_verified and splits_in_text:
            return True
    return False


def _sold(piece: t.Piece, med: m.Medication) -> bool:
    return any(p.marketed and piece.strength_mg in p.strengths_mg for p in med.products)


@FAST
@given(st.sampled_from(MOLECULES), st.floats(0.2, 4.0), st.floats(5, 50), st.sampled_from(["percent", "fixed"]))
def test_without_confirmation_every_step_rests_on_belgian_texts(molecule, factor, pace, mode):
    med = mn.get_medication(molecule)
    dose = round(med.primary_equivalent.mid * factor, 3)
    if mode == "percent":
        plan = P.plan_by_percent(molecule, dose, start_date=START, percent=pace, interval_days=14)
    else:
        amount = max(round(dose * pace / 100, 3), eqv.plausible_min_daily_mg(molecule))  # no smaller cut exists
        plan = P.plan_by_amount(molecule, dose, start_date=START, amount_mg=amount, interval_days=14)
    assert plan.tablets_confirmed is False
    for step in plan.steps:
        for piece, count in step.pieces:
            assert count > 0
            assert _vouched(piece, med), (molecule, step)
    assert "tablets_confirmed_by_member" not in plan.warnings


@FAST
@given(st.sampled_from(MOLECULES), st.floats(0.2, 4.0), st.floats(5, 50))
def test_with_confirmation_steps_stay_within_tablets_that_exist(molecule, factor, percent):
    med = mn.get_medication(molecule)
    dose = round(med.primary_equivalent.mid * factor, 3)
    plan = P.plan_by_percent(molecule, dose, start_date=START, percent=percent, interval_days=14,
                             tablets_confirmed=True)
    assert plan.tablets_confirmed is True
    for step in plan.steps:
        for piece, _ in step.pieces:
            assert _sold(piece, med)  # confirmation never brings back a withdrawn product
            product_allows = any(
                piece.strength_mg in p.strengths_mg and p.marketed
                and (piece.parts == 1 or (p.form == "tablet" and (p.scored if piece.parts == 2 else p.quarterable)))
                for p in med.products)
            assert product_allows, (molecule, step)
    uses_unvouched = any(not _vouched(piece, med) for s in plan.steps for piece, _ in s.pieces)
    assert ("tablets_confirmed_by_member" in plan.warnings) == uses_unvouched


def test_unverified_halves_need_the_members_confirmation():
    # Dormicum's 7.5 mg tablet and its break line come from a Dutch leaflet only (SAM lists no midazolam
    # tablet); the midazolam product that is verified (Buccolam) is a liquid the planner never uses.
    plain = P.plan_by_percent("Dormicum", 7.5, start_date=START, percent=25, interval_days=14)
    assert all(not s.pieces for s in plain.steps)  # nothing from unverified tablets: compounded
    assert all(s.needs_compounding for s in plain.steps[:-1])
    assert "tablets_unverified_left_out" in plain.warnings
    confirmed = P.plan_by_percent("Dormicum", 15, start_date=START, percent=50, interval_days=14,
                                  tablets_confirmed=True)
    assert [s.dose_mg for s in confirmed.steps[:3]] == [15, 7.5, 3.75]
    assert not any(s.needs_compounding for s in confirmed.steps[:3])  # Dormicum tablets, as confirmed
    assert t.Piece(7.5, 2) in {piece for s in confirmed.steps for piece, _ in s.pieces}  # the unverified half
    assert "tablets_confirmed_by_member" in confirmed.warnings
    assert "tablets_unverified_left_out" not in confirmed.warnings


def test_verified_break_lines_are_used_without_confirmation():
    rivotril = mn.get_medication("clonazepam")
    piece_set = t.pieces(t.taper_products(rivotril))
    assert {p.mg for p in piece_set} == {2.0, 1.0, 0.5, 0.25}  # halves and quarters, as the RCP allows
    # Temesta's Belgian SmPC says nothing of dividing the tablet: no 1.25 mg half, even when confirmed.
    lorazepam = mn.get_medication("lorazepam")
    temesta = t.pieces(t.taper_products(lorazepam, brand="Temesta"), confirmed=True)
    assert temesta and all(p.parts == 1 for p in temesta)
    # The lorazepam generics carry SAM's "(deelb.)" mark only: their halves need the member's confirmation.
    assert all(p.parts == 1 for p in t.pieces(t.taper_products(lorazepam)))
    assert t.Piece(2.5, 2) in t.pieces(t.taper_products(lorazepam, brand="Lorazepam EG"), confirmed=True)


def test_a_verified_piece_is_preferred_to_an_unverified_one_of_the_same_dose():
    lormetazepam = mn.get_medication("lormetazepam")
    pieces = t.pieces(t.taper_products(lormetazepam), confirmed=True)
    one_mg = [p for p in pieces if p.mg == 1.0]
    assert one_mg == [t.Piece(1.0, 1)] and _vouched(one_mg[0], lormetazepam)


def test_left_out_lists_what_confirmation_would_add():
    items = t.left_out(t.taper_products(mn.get_medication("midazolam")))
    assert {(i.brand, i.strength_mg, i.parts) for i in items} >= {("Dormicum", 7.5, 1), ("Dormicum", 7.5, 2)}
    # Halcion's strengths are in SAM (Belgian official data) but its 0.25 mg break line is not settled.
    halcion = {(i.brand, i.strength_mg, i.parts) for i in t.left_out(t.taper_products(mn.get_medication("triazolam")))}
    assert ("Halcion", 0.25, 2) in halcion and ("Halcion", 0.25, 1) not in halcion
    assert not t.left_out([p for p in mn.get_medication("clonazepam").products if p.verified])


def test_flunitrazepam_eg_builds_steps_from_its_verified_tablet_without_confirmation():
    # Flunitrazepam EG 1 mg (SAM v2, fifth pass) is the first flunitrazepam tablet a Belgian text verified.
    typed = "Flunitrazepam EG 1 mg"
    flunitrazepam = mn.get_medication("flunitrazepam")
    assert mn.resolve(typed) is flunitrazepam and mn.resolve("flunitrazepam eg") is flunitrazepam
    assert mn.brand_named(typed) == "Flunitrazepam EG" and mn.withdrawn_products(typed) == ()
    plan = P.plan_by_percent(typed, 2, start_date=START, percent=50, interval_days=14,
                             brand=mn.brand_named(typed))
    assert plan.tablets_confirmed is False
    assert plan.steps[0].pieces == ((t.Piece(1.0, 1), 2),) and plan.steps[1].pieces == ((t.Piece(1.0, 1), 1),)
    assert not any(s.needs_compounding for s in plan.steps[:2])
    assert all(_vouched(piece, flunitrazepam) for s in plan.steps for piece, _ in s.pieces)
    assert "tablets_confirmed_by_member" not in plan.warnings
    # Its break line comes from SAM's "(deelb.)" only: the half is left out until the member confirms.
    assert plan.steps[2].dose_mg == 0.5 and plan.steps[2].needs_compounding
    assert "tablets_unverified_left_out" in plan.warnings
    confirmed = P.plan_by_percent(typed, 2, start_date=START, percent=50, interval_days=14,
                                  brand=mn.brand_named(typed), tablets_confirmed=True)
    assert confirmed.steps[2].pieces == ((t.Piece(1.0, 2), 1),)
    assert "tablets_confirmed_by_member" in confirmed.warnings


def test_products_added_from_sam_are_recognised_by_brand():
    for typed, molecule, brand in (
        ("Diazepam AB 10 mg", "diazepam", "Diazepam AB"), ("Prazepam EG 20 mg", "prazepam", "Prazepam EG"),
        ("zolpidem teva 10 mg", "zolpidem", "Zolpidem Teva"), ("Zopiclone EG 7,5 mg", "zopiclone", "Zopiclone EG"),
        ("Serenase 2,5 mg", "lorazepam", "Serenase"), ("Bromazepam EG 6 mg", "bromazepam", "Bromazepam EG"),
        ("Alpraz Retard 1 mg", "alprazolam", "Alpraz Retard"), ("Alpraz 1 mg", "alprazolam", "Alpraz"),
    ):
        assert mn.resolve(typed).molecule == molecule, typed
        assert mn.brand_named(typed) == brand, typed
    # Revoked in SAM: recognised, flagged, never planned with.
    assert [p.brand for p in mn.withdrawn_products("Bromazepam Sandoz 6 mg")] == ["Bromazepam Sandoz"]
    assert [p.brand for p in mn.withdrawn_products("Lorazetop 2,5 mg")] == ["Lorazetop"]
    assert mn.withdrawn_products("bromazepam 6 mg") == ()  # still sold as Lexotan and Bromazepam EG
    plan = P.plan_by_percent("Bromazepam Sandoz 6 mg", 6, start_date=START, percent=10, interval_days=14,
                             brand="Bromazepam Sandoz", tablets_confirmed=True)
    assert "product_not_marketed" in plan.warnings
    sandoz = next(p for p in mn.get_medication("bromazepam").products if p.brand == "Bromazepam Sandoz")
    assert sandoz not in t.taper_products(mn.get_medication("bromazepam"), brand="Bromazepam Sandoz")


# ---------------------------------------------------------------- no longer marketed
def test_withdrawn_products_are_recognised_but_never_planned_with():
    flunitrazepam = mn.get_medication("flunitrazepam")
    withdrawn = [p for p in flunitrazepam.products if not p.marketed]
    assert withdrawn and all(p.note for p in withdrawn)
    assert not set(withdrawn) & set(t.taper_products(flunitrazepam))
    assert mn.resolve("Rohypnol 2 mg") is flunitrazepam
    assert mn.withdrawn_products("Rohypnol 2 mg") == tuple(withdrawn)
    assert mn.withdrawn_products("flunitrazépam 2,0 mg") == tuple(withdrawn)
    assert mn.withdrawn_products("Rohypnol 1 mg") == () and mn.withdrawn_products("Xanax 2 mg") == ()
    plan = P.plan_by_percent("Rohypnol 2 mg", 2, start_date=START, percent=10, interval_days=14,
                             tablets_confirmed=True)
    assert "product_not_marketed" in plan.warnings
    assert all(piece.strength_mg != 2.0 for s in plan.steps for piece, _ in s.pieces)
    assert "product_not_marketed" not in P.plan_by_percent(
        "Rohypnol", 1, start_date=START, percent=10, interval_days=14).warnings


# ---------------------------------------------------------------- the data file's own rules
DATA = tomllib.loads(m.DATA_FILE.read_text(encoding="utf-8"))
SOURCES = m.list_sources()


@pytest.mark.parametrize("med", m.list_medications(), ids=lambda med: med.molecule)
def test_every_molecule_has_a_cited_table(med: m.Medication):
    assert med.equivalents
    for value in med.equivalents:
        assert value.source.id != "none" and value.source.title and value.lo <= value.hi


def _centrally_authorised(source: m.Source) -> bool:
    """An EMA SmPC is the Belgian SmPC only for a product authorised for the whole EU (EU/1/...)."""
    return source.region == "EU" and "EU/1/" in source.title


def _belgian_text(source: m.Source) -> bool:
    return source.region == "BE" or _centrally_authorised(source)


@pytest.mark.parametrize("med", m.list_medications(), ids=lambda med: med.molecule)
def test_verified_products_rest_on_belgian_texts(med: m.Medication):
    for product in med.products:
        if product.verified:
            assert _belgian_text(product.source) and product.market == "BE", product
        splittable_claim = product.form == "tablet" and (product.scored or product.quarterable)
        if splittable_claim and product.scored_verified:
            assert _belgian_text(product.source), product
        if not _belgian_text(product.source) or product.market != "BE":
            assert not product.verified, product


@pytest.mark.parametrize("med", m.list_medications(), ids=lambda med: med.molecule)
def test_a_form_that_cannot_be_split_settles_splitting_only_where_the_form_was_read(med: m.Medication):
    # "Never split" holds for capsules, liquids, lyophilisates and prolonged-release tablets, but only
    # once a text for the product's own market names that form: a Belgian product needs it verified.
    for product in med.products:
        if product.form != "tablet" and product.scored_verified:
            if product.market == "BE":
                assert product.verified, product
            else:
                assert product.source.region == product.market, product


def _assert_cited(source: m.Source, what: str) -> None:
    assert source.id != "none" and source.id in SOURCES, what
    assert source.title and (source.url or source.note), what  # the document, and where or how it was read


@pytest.mark.parametrize("med", m.list_medications(), ids=lambda med: med.molecule)
def test_every_verified_fact_carries_a_source(med: m.Medication):
    if med.half_life_verified:
        _assert_cited(med.half_life_source, f"{med.molecule} half-life")
    for value in med.equivalents:
        if value.verified:
            _assert_cited(value.source, f"{med.molecule} equivalent from {value.source.id}")
    for product in med.products:
        if product.verified or product.scored_verified:
            _assert_cited(product.source, f"{med.molecule} {product.brand}")
            # Generic sources ("Belgian leaflet") rely on the product's note to name the document read.
            assert product.note.strip(), product
        if not product.marketed:
            _assert_cited(product.source, f"{product.brand} marked no longer marketed")
            assert product.note.strip(), product


def test_figures_given_per_5_mg_diazepam_are_doubled():
    # Tables that give the dose equal to 5 mg diazepam (WHO 2009, Region Jönköping, the Japanese table)
    # must be converted to the file's 10 mg basis, and say so.
    for source_id in ("who_2009", "rjl_2019", "inada_inagaki_2015", "nhs_scotland"):
        assert "doubled" in SOURCES[source_id].title, source_id
    loflazepate = mn.get_medication("ethyl_loflazepate")
    japanese = next(v for v in loflazepate.equivalents if v.source.id == "inada_inagaki_2015")
    assert japanese.lo == japanese.hi == pytest.approx(2 * 1.67)
    assert all(v.source.id != "benzo_case_japan" for v in loflazepate.equivalents)
    # NHS Scotland: zopiclone 7.5 mg and zolpidem 10 mg per 5 mg diazepam.
    for molecule, per_ten in (("zopiclone", 15.0), ("zolpidem", 20.0), ("clonazepam", 0.5)):
        scottish = next(v for v in mn.get_medication(molecule).equivalents if v.source.id == "nhs_scotland")
        assert scottish.lo == scottish.hi == pytest.approx(per_ten), molecule


def test_header_points_to_the_shared_reference_relative_to_the_repository():
    text = m.DATA_FILE.read_text(encoding="utf-8")
    header = text.split("schema_version")[0]
    assert "../shared/reference/medication-equivalence.md" in header
    assert "/work/" not in text and "/home/" not in text


def test_sources_name_what_was_read():
    for source in SOURCES.values():
        assert source.short and source.title and source.region
    for key, raw in DATA["sources"].items():
        if raw["region"] in ("BE", "EU") and key.startswith(("be_smpc_", "be_leaflet_", "be_decree_", "ema_smpc_")):
            assert raw.get("url") and raw.get("note"), key  # address and the section read
