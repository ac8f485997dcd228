"""The medication reference: every molecule and brand in the data file resolves and converts."""

from __future__ import annotations

import math

import pytest

from app.diary import equivalents as eqv
from app.diary import medication_names as mn
from app.diary import medications as m
from app.diary import tablets as t

MEDS = m.list_medications()
REQUIRED = {
    "alprazolam", "bromazepam", "brotizolam", "clobazam", "clonazepam", "clorazepate",
    "clotiazepam", "diazepam", "ethyl_loflazepate", "flunitrazepam", "flurazepam",
    "loprazolam", "lorazepam", "lormetazepam", "midazolam", "nitrazepam", "nordazepam",
    "oxazepam", "prazepam", "temazepam", "triazolam", "zolpidem", "zopiclone",
}
BRANDS = sorted({(p.brand, med.molecule) for med in MEDS for p in med.products})


def test_every_required_molecule_is_listed():
    assert {med.molecule for med in MEDS} >= REQUIRED


def test_every_cited_source_is_defined_and_values_are_sane():
    sources = m.list_sources()
    for med in MEDS:
        assert med.equivalents, med.molecule
        assert med.half_life_class in {"short", "intermediate", "long"}
        for value in med.equivalents:
            assert value.source.id in sources
            assert 0 < value.lo <= value.hi
        for product in med.products:
            assert product.source.id in sources
            assert all(s > 0 for s in product.strengths_mg)
            assert not (product.quarterable and not product.scored)
            if product.form != "tablet":
                assert not product.scored, (med.molecule, product.brand)


def test_no_two_medications_share_a_normalised_name():
    owner: dict[str, str] = {}
    for med in MEDS:
        names = (med.molecule.replace("_", " "), med.name_en, med.name_fr, med.name_nl,
                 *med.brands, *med.other_names, *med.misspellings)
        for name in names:
            key = mn.normalise(name)
            assert owner.setdefault(key, med.molecule) == med.molecule, name


@pytest.mark.parametrize("med", MEDS, ids=lambda med: med.molecule)
def test_equivalence_matches_the_data_file(med: m.Medication):
    primary = med.primary_equivalent
    dose = primary.mid  # by definition about 10 mg diazepam
    eq = eqv.equivalence(med.molecule.replace("_", " "), dose)
    assert eq.molecule == med.molecule
    assert eq.diazepam_mg == pytest.approx(10.0, abs=0.01)
    lo, hi = eq.diazepam_mg_range
    assert lo <= eq.diazepam_mg <= hi
    assert eq.from_ashton == med.in_ashton
    if not med.in_ashton:
        assert eq.source.startswith("Not in Ashton")
    assert eq.verified == primary.verified
    assert len(eq.other_sources) == len(med.equivalents) - 1
    for other, value in zip(eq.other_sources, [v for v in med.equivalents if v is not primary],
                            strict=True):
        assert other.diazepam_mg == pytest.approx(10 * dose / value.mid, abs=0.01)


@pytest.mark.parametrize(("brand", "molecule"), BRANDS)
def test_every_brand_resolves_to_its_molecule(brand: str, molecule: str):
    assert mn.resolve(brand).molecule == molecule
    assert mn.resolve(brand.upper()).molecule == molecule
    assert mn.resolve(f"  {brand.lower()}   1 mg ").molecule == molecule
    assert eqv.equivalence(brand, 1).molecule == molecule


@pytest.mark.parametrize(
    ("typed", "molecule"),
    [
        ("Xanax Retard", "alprazolam"), ("xanax retard 0,5 mg", "alprazolam"),
        ("Temesta Expidet", "lorazepam"), ("lormetazepan", "lormetazepam"),
        ("alprazolame", "alprazolam"), ("zolpidém", "zolpidem"), ("ZOLPIDEM", "zolpidem"),
        ("lormétazépam", "lormetazepam"), ("Diazépam", "diazepam"), ("zopiclon", "zopiclone"),
        ("Lorazepam Mylan 2,5 mg", "lorazepam"), ("loflazépate d'éthyle", "ethyl_loflazepate"),
        ("dikaliumclorazepaat", "clorazepate"), ("Stilnox", "zolpidem"), ("klonazepam", "clonazepam"),
    ],
)
def test_resolve_tolerates_spelling(typed: str, molecule: str):
    assert mn.resolve(typed).molecule == molecule


def test_resolve_does_not_guess_between_similar_molecules():
    assert mn.resolve("lorazepam").molecule == "lorazepam"
    assert mn.resolve("lormetazepam").molecule == "lormetazepam"
    assert mn.resolve("lorametazepam") is None
    assert mn.resolve("") is None
    assert mn.resolve("paracetamol") is None


def test_unknown_name_raises_with_suggestions():
    with pytest.raises(m.UnknownMedication) as info:
        eqv.equivalence("Xanaks", 1)
    assert info.value.suggestions and info.value.suggestions[0] == "Xanax"
    assert "lorazepam" in mn.suggest("lorazepem")
    assert len(mn.suggest("zzzzzzzz")) == 0


@pytest.mark.parametrize("dose", [0, -1, -0.5, math.nan, math.inf, -math.inf, "1", None, True])
def test_invalid_doses_raise(dose):
    with pytest.raises(m.InvalidDose):
        eqv.equivalence("diazepam", dose)


def test_invalid_dose_is_a_value_error():
    assert issubclass(m.InvalidDose, ValueError)
    assert issubclass(m.UnknownMedication, LookupError)


def test_known_values():
    assert eqv.equivalence("Xanax", 1).diazepam_mg == 20.0
    bromazepam = eqv.equivalence("Lexotan", 6)
    assert bromazepam.diazepam_mg_range == (10.0, 12.0)
    assert bromazepam.diazepam_mg == pytest.approx(10.91)
    assert {o.source_id for o in bromazepam.other_sources} >= {"novadic_kentron", "dokterjohn"}
    assert eqv.equivalence("Clozan", 10).source.startswith("Not in Ashton")
    # Ethyl loflazepate: the Japanese table gives 1.67 mg for 5 mg diazepam, so 3.34 mg for 10 mg
    # (corrected 2026-11-30; 1.67 mg had been stored as the figure for 10 mg, doubling members' equivalents).
    victan = eqv.equivalence("Victan", 2)
    assert victan.source_id == "inada_inagaki_2015" and not victan.from_ashton
    assert victan.diazepam_mg == pytest.approx(5.99)


@pytest.mark.parametrize("med", MEDS, ids=lambda med: med.molecule)
def test_plausible_max_is_above_common_doses(med: m.Medication):
    ceiling = eqv.plausible_max_daily_mg(med.molecule)
    assert ceiling >= 10 * med.primary_equivalent.hi
    assert eqv.equivalence(med.molecule, ceiling).diazepam_mg >= 100


def test_diazepam_crossover_rounds_to_belgian_diazepam_tablets():
    c = t.diazepam_crossover("Xanax", 1.5)
    assert c.diazepam_mg == 30.0 and c.diazepam_mg_rounded == 30.0
    assert sum(p.mg * n for p, n in c.pieces) == pytest.approx(30.0)
    c = t.diazepam_crossover("lorazepam", 0.3)
    assert c.diazepam_mg == 3.0
    assert c.diazepam_mg_rounded in {2.0, 4.0}


def test_pieces_split_only_where_allowed():
    products = t.taper_products(mn.get_medication("clonazepam"))
    two_mg = t.pieces(p for p in products if p.strengths_mg == (2.0,))
    assert {(p.strength_mg, p.parts) for p in two_mg} == {(2.0, 1), (2.0, 2), (2.0, 4)}
    half_mg = t.pieces(p for p in products if p.strengths_mg == (0.5,))
    assert {(p.strength_mg, p.parts) for p in half_mg} == {(0.5, 1), (0.5, 2)}
    xanax_retard = t.pieces(t.taper_products(mn.get_medication("alprazolam"), brand="Xanax Retard"))
    assert all(p.parts == 1 for p in xanax_retard)
    tranxene = t.taper_products(mn.get_medication("clorazepate"))
    assert all(p.parts == 1 for p in t.pieces(p for p in tranxene if p.form == "capsule"))
