"""Engine v2.28: a relative who "closes an eye", prescriptions in someone else's name, a supply
cheaper than the pharmacy, leftovers with a hand-over arranged, people screened out of a home;
quotations that are the poster's own (agreed with, or their own mail), apostrophes inside single
quotes, and lifts, groups and help lines that are no offer and no advice.

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``).
"""

from __future__ import annotations

import pytest

from moderation.tokens import endorsed
from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # Supply: a blind eye, another name on the prescription, cheaper than the pharmacy.
        ("Ma tante est pharmacienne, elle ferme les yeux quand je passe sans ordonnance.", "fr", "sourcing"),
        ("Mijn schoonbroer is apotheker en knijpt een oogje toe voor de familie.", "nl", "sourcing"),
        ("My GP friend writes me scripts in my wife's name whenever I run low.", "en", "sourcing"),
        ("Un type au marché en vend, c'est moins cher que la pharmacie et il fait des lots.", "fr", "sourcing"),
        ("Mijn buurvrouw zei dat ze een doosje Xanax heeft liggen. We hebben zaterdag afgesproken aan de kerk.", "nl",
         "sourcing"),
        ("My colleague barely touches her lorazepam and offered me a few for the flight.", "en", "sourcing"),
        ("Is there a site that ships zolpidem without needing the paper prescription?", "en", "sourcing"),
        # Advice: the box emptied in the toilet.
        ("Pick a day, empty the box in the toilet and stay with a friend for a week.", "en",
         "cold_turkey_advice"),
        # Stigma: screened out of a flat; a quotation the poster agrees with; their own mail.
        ("As a landlord I screen out anyone on sleeping pills, they never pay on time.", "en", "stigma"),
        ("Ma belle-mère dit 'c'est des drogués, ces gens-là'. Elle a raison.", "fr", "stigma"),
        ("Je vous copie le mail que j'ai envoyé à l'école : « ces toxicos ne devraient pas encadrer nos enfants »",
         "fr", "stigma"),
    ],
)
def test_new_cues_find(text: str, lang: str, label: str) -> None:
    assert label in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # A lift and a support group with a phone number; a spare room; "you don't need".
        ("If anyone wants a lift to the benzo parents' meetup on Saturday, text me on 0470 12 34 56.", "en",
         "sourcing"),
        ("If anyone wants to join the support group for people tapering benzos, message me on 0486 11 22 33.",
         "en", "sourcing"),
        ("Quit the Xanax this morning and moved into my sister's spare room.", "en", "sourcing"),
        # A question about a service, a doctor's proposal, a refusal.
        ("Does anyone know if the maison médicale can help with a diazepam taper?", "en", "sourcing"),
        ("Mon médecin m'a proposé de diminuer le Lexotan très progressivement.", "fr", "sourcing"),
        # Help lines are no advice to stop; a forum post called "my last".
        ("Ge kunt anoniem chatten met Awel (102) en als het echt zwaar wordt is er de Zelfmoordlijn 1813.", "nl",
         "cold_turkey_advice"),
        ("Laatste post voor vandaag: dank aan de moderatoren.", "nl", "cold_turkey_advice"),
        # A note to a teacher is no farewell letter; "tomorrow no more pills" is no absence.
        ("J'ai écrit un mot poli au prof dans le journal de classe de mon fils.", "fr", "crisis"),
        ("Gewoon morgen niet meer pakken, wat valeriaan, en binnen een week zijt ge er vanaf.", "nl", "crisis"),
        # A slur quoted to criticise it, even with apostrophes inside the quotation.
        ("Our landlord literally said 'I don't rent to benzo junkies'. This is why nobody talks about it.", "en",
         "stigma"),
        ("Mijn buurvrouw zei over mij 'dat is zo'n verslaafde'. Ik bouw af onder begeleiding.", "nl", "stigma"),
        ("Being honest, I sometimes feel like a junkie in the pharmacy queue.", "en", "stigma"),
        # A past crisis told to encourage.
        ("I thought about ending it last winter. Today I signed a lease, tapering slowly. You can get here too.",
         "en", "crisis"),
        # Leaving the house to a daughter at the notary is no prescription in another name.
        ("J'ai mis l'appartement au nom de ma fille chez le notaire, c'est plus simple.", "fr", "sourcing"),
    ],
)
def test_near_misses_stay_quiet(text: str, lang: str, label: str) -> None:
    assert label not in labels(text, lang)


def test_a_quotation_is_the_posters_own_when_agreed_with_or_their_own_mail() -> None:
    agreed = "ma grand-mere dit: 'tu les arretes d'un coup'. elle a raison."
    assert endorsed(agreed, agreed.index("'"), agreed.index("'. ") + 1)
    own = "je vous copie le mail que j'ai envoye : « stop » merci"
    assert endorsed(own, own.index("«"), own.index("»") + 1)
    criticised = "il m'a dit 'tu es un junkie'. il a tort."
    assert not endorsed(criticised, criticised.index("'tu"), criticised.index("'. ") + 1)


def test_an_address_does_not_run_across_a_full_stop() -> None:
    from moderation.personal_data import find_personal_data

    square = "Pick-up in Etterbeek near Place Jourdan. 20 € each or best offer."
    assert not [f for f in find_personal_data(square) if f.rule == "personal_data.address"]
    home = "Il habite rue du Tilleul 5 à Wavre, et avenue du Dr. Decroly 12 avant."
    assert [f.match for f in find_personal_data(home)] == ["rue du Tilleul 5", "avenue du Dr. Decroly 12"]


def test_french_explanations_and_suggestions_speak_without_dot_forms() -> None:
    """Members read these under their own post: no 'drogué·e', 'Un·e modérateur·rice'."""
    import re

    from moderation.lexicon import load_lexicon

    lexicon = load_lexicon("fr")
    texts = [*lexicon.explanations.values()]
    for entry in lexicon.entries:
        texts += [entry.explanation, *entry.suggestions]
    assert [t for t in texts if re.search(r"\w·\w", t)] == []


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        # Look-alike digits, invisible separators and the letter O typed for a zero.
        ("bel me op ０４９２ ７１ ３８ ０５", ["０４９２ ７１ ３８ ０５"]),
        ("appelle au ٠٤٩٢ ٧١ ٣٨ ٠٥ ce soir", ["٠٤٩٢ ٧١ ٣٨ ٠٥"]),
        ("text me 0492\u200b71\u200b38\u200b05", ["0492\u200b71\u200b38\u200b05"]),
        ("bel me op O492 71 38 O5", ["O492 71 38 O5"]),
        # Two numbers back to back.
        ("mon num 0492 71 38 05/0478 12 34 56", ["0492 71 38 05", "0478 12 34 56"]),
        ("+32 492 71 38 05 / +32 478 12 34 56", ["+32 492 71 38 05", "+32 478 12 34 56"]),
    ],
)
def test_phone_numbers_written_to_slip_past(text: str, numbers: list[str]) -> None:
    from moderation.personal_data import find_personal_data

    found = [f for f in find_personal_data(text) if f.rule == "personal_data.phone"]
    assert [f.match for f in found] == numbers
    assert all(text[f.start : f.end] == f.match for f in found)


@pytest.mark.parametrize(
    "text",
    ["Zoom call at 10 o clock", "5 10 15 20 25 30 35 40 45 50 55 60", "help: 1813 of 0800 32 123", "O2 en 4G"],
)
def test_counts_and_help_lines_are_no_phone_numbers(text: str) -> None:
    from moderation.personal_data import find_personal_data

    assert [f for f in find_personal_data(text) if f.rule == "personal_data.phone"] == []
