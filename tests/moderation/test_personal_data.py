"""Validators for personal data: checksums from python-stdnum, phones from phonenumbers."""

from __future__ import annotations

import pytest

import moderation
from moderation.personal_data import find_personal_data


def rules(text: str) -> list[tuple[str, str]]:
    return [(f.rule.rsplit(".", 1)[1], f.match) for f in find_personal_data(text)]


@pytest.mark.parametrize(
    "value", ["BE71 0961 2345 6769", "BE71096123456769", "be71-0961-2345-6769", "NL91 ABNA 0417 1643 00"]
)
def test_valid_iban(value: str) -> None:
    assert rules(f"Mon compte: {value} merci") == [("iban", value)]


@pytest.mark.parametrize("value", ["BE71 0961 2345 6768", "BE00 0000 0000 0000", "NL91 ABNA 0417 1643 01"])
def test_iban_with_bad_checksum_is_ignored(value: str) -> None:
    assert not [r for r in rules(value) if r[0] == "iban"]


@pytest.mark.parametrize("value", ["85.07.30-033.28", "85073003328", "85 07 30 033 28"])
def test_valid_national_number(value: str) -> None:
    assert rules(f"rijksregisternummer {value}") == [("national_number", value)]


@pytest.mark.parametrize("value", ["85.07.30-033.29", "12345678901"])
def test_national_number_with_bad_checksum_is_ignored(value: str) -> None:
    assert not [r for r in rules(value) if r[0] == "national_number"]


@pytest.mark.parametrize(
    "value", ["0470 12 34 56", "+32 470 12 34 56", "0032 486 12 34 56", "0486/12.34.56", "02/511.22.33"]
)
def test_belgian_phone_numbers(value: str) -> None:
    assert rules(f"bel me op {value} aub") == [("phone", value)]


@pytest.mark.parametrize(
    "text",
    [
        "Bel 1813 of Tele-Onthaal 106.",
        "Appelez le 0800 32 123 ou le 107, ou le 112.",
        "Centre Antipoisons : 070 245 245",
        "DrugLijn 078 15 10 20",
    ],
)
def test_helplines_are_not_personal_data(text: str) -> None:
    assert rules(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Je prends 10 mg depuis 2 ans.",
        "ik neem 0,5 mg sinds 2019",
        "J'ai pris 3 comprimés à 22h30.",
        "op 12/03/2024 om 14u",
        "Lendormin 0,25 en 2 x 7.5 mg",
        "je suis à la rue depuis 3 ans",
    ],
)
def test_doses_dates_and_durations_are_not_personal_data(text: str) -> None:
    assert rules(text) == []


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("écris-moi : jan.peeters@gmail.com !", "jan.peeters@gmail.com"),
        ("mail: jan [at] telenet [dot] be", "jan [at] telenet [dot] be"),
    ],
)
def test_email(text: str, match: str) -> None:
    assert rules(text) == [("email", match)]


@pytest.mark.parametrize(
    "address",
    [
        "rue de la Loi 16, 1000 Bruxelles",
        "avenue Louise 54",
        "chaussée de Wavre 1000",
        "Kerkstraat 12",
        "Leuvensesteenweg 123, 3000 Leuven",
        "Grote Markt 1",
    ],
)
def test_street_addresses(address: str) -> None:
    assert rules(f"J'habite {address} depuis peu") == [("address", address)]


def test_personal_data_findings_have_offsets_into_the_text() -> None:
    text = "Écris-moi à élodie.dupont@mail.be ou au 0470 12 34 56 😊"
    for f in moderation.check(text, "fr"):
        assert text[f.start : f.end] == f.match
    assert {f.category for f in moderation.check(text, "fr")} == {"personal_data"}


@pytest.mark.parametrize(
    "address",
    [
        "23 rue de l'Abbaye",
        "5, avenue Louise",
    ],
)
def test_street_addresses_with_the_number_first(address: str) -> None:
    assert rules(f"Merci à ma voisine du {address} à Wavre") == [("address", address)]


@pytest.mark.parametrize(
    ("text", "plate"),
    [
        ("la voiture grise, plaque 1-ABC-234, était garée devant", "1-ABC-234"),
        ("nummerplaat 2 KLM 578 gezien", "2 KLM 578"),
        ("kenteken ABC-123 stond op de parking", "ABC-123"),
    ],
)
def test_licence_plates(text: str, plate: str) -> None:
    assert rules(text) == [("plate", plate)]


@pytest.mark.parametrize("text", ["code promo ABC-123", "1 place de parking", "j'ai pris 2 comprimés rue"])
def test_codes_and_counts_are_not_plates_or_addresses(text: str) -> None:
    assert rules(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "De apotheek van wacht: 0903 99 000, ook op zondag.",  # premium rate: a service, not a person
        "Numéro vert de l'asbl : 0800 12 345.",
        "Klantendienst 078 35 35 35",
    ],
)
def test_service_numbers_are_not_personal_data(text: str) -> None:
    assert [r for r in rules(text) if r[0] == "phone"] == []


@pytest.mark.parametrize("value", ["04 94 / 61 . 28 . 05", "0494 - 61 - 28 - 05"])
def test_phone_numbers_typed_with_spaced_separators(value: str) -> None:
    assert rules(f"mon num: {value} , whatsapp ok") == [("phone", value)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mijn mama (Rosa Van den Bossche, °1949) zit in het rusthuis.", "Rosa Van den Bossche"),
        ("Klacht over apotheker Sofie Lambrecht uit Ninove.", "Sofie Lambrecht"),
        ("Mon fils Thomas Gillet, 23 ans, est sous Rivotril.", "Thomas Gillet"),
        ("S'il lit ça : Jean-Marc Hubert, arrête.", "Jean-Marc Hubert"),
        ("I know it's you, Kevin Dupont from Forest.", "Kevin Dupont"),
        ("Hij heet Jan De Smet en woont in Aalst.", "Jan De Smet"),
        ("Je suis la maman d'Inès Dufour, en 5e.", "Inès Dufour"),
        ("The label says 'Jude Okafor, born 1990'.", "Jude Okafor"),
        ("the pharmacist Stefan Wuyts lectured me", "Stefan Wuyts"),
        ("My neighbour, Mr Ahmed Benali, keeps talking.", "Ahmed Benali"),
    ],
)
def test_full_names(text: str, name: str) -> None:
    assert rules(text) == [("name", name)]


@pytest.mark.parametrize(
    "text",
    [
        "Merci Sofie, ton message m'a aidée.",  # a first name alone: members sign and greet so
        "Het Ashton-handboek en het boek van Heather Ashton hebben me geholpen.",  # a published author
        "Je suis suivie à l'Institut Jules Bordet, rue Jean Jaurès.",  # named after a person
        "Will Xanax help me sleep? May Temesta be stopped at once?",  # sentence openers, medication
        "Ici c'est Georges de Tournai, ancien dépendant.",  # a first name and a town
        "Sinds Maandag slaap ik beter. Thomas Dinsdag",  # weekdays are not surnames
        "We gaan naar de Grote Markt in Gent.",
    ],
)
def test_not_full_names(text: str) -> None:
    assert [r for r in rules(text) if r[0] == "name"] == []
