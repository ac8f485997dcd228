"""Engine v2.12–v2.14: the rule revisions made after blind sets O10, O11 and O12 were scored and folded in.

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``): the learned layer is tested in test_model.py.
"""

from __future__ import annotations

import pytest

from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang", "absent"),
    [
        # A doctor on holiday, in a question about stopping: no scheme to get a new box.
        ("C'est risqué d'arrêter le Lexotan d'un coup ? Ma généraliste est en vacances et il me reste 6 comprimés.",
         "fr", "sourcing"),
        # Joining a group is not joining the dead.
        ("Qui veut rejoindre le groupe de parole de Namur ? On se retrouve le mardi.", "fr", "crisis"),
        # A pill cutter is a tool, not self-harm.
        ("The pharmacist sold me a pill cutter, halving the 2 mg is much easier now.", "en", "crisis"),
        ("Ma pharmacienne m'a conseillé un coupe-comprimé, c'est plus précis que le couteau.", "fr", "crisis"),
        # A transfer for the rent is no price for pills.
        ("Mon frère prend son Seresta le soir ; hier il m'a fait un virement de 400 euros pour le loyer.",
         "fr", "sourcing"),
        # "Il y a deux ans ... quelqu'un a appelé le 112 ... aujourd'hui sevrée": a story of recovery.
        ("Il y a trois ans quelqu'un a appelé le 112 pour moi. Aujourd'hui je suis sevrée du Temesta depuis un an.",
         "fr", "sourcing"),
        # Warnings against fakes and scams, however they are worded.
        ("Attention : ceux qui vendent du Rivotril sur Snap, c'est souvent des faux.", "fr", "sourcing"),
        ("Un type vend des 'xanax' à la gare du Nord. Faites pas ça, c'est des faux.", "fr", "sourcing"),
        ("Die xanax op Telegram? NIET kopen, da's nep en gevaarlijk.", "nl", "sourcing"),
        ("Those no-prescription benzo shops in my inbox are scams, reported them all.", "en", "sourcing"),
        # A member describing themselves in SMS spelling.
        ("jme sens comme une vraie camée avec mes demi-comprimés comptés chaque soir", "fr", "stigma"),
        # Being called a label is someone else's word.
        ("Getting called an addict by my own brother still hurts.", "en", "stigma"),
        # "Arrêter de lutter" is giving up a fight, not a medicine (crisis is found; cold turkey is not).
        ("J'ai arrêté de lutter contre tout ça, j'ai donné mes plantes à la voisine.", "fr", "cold_turkey_advice"),
        # A doctor who will prescribe nothing more is no "it's nothing, drop it".
        ("Mijn dokter wil niks meer voorschrijven boven de 2 mg, ik zoek een andere.", "nl", "cold_turkey_advice"),
        # "uit het raam": the article, not "throw it away".
        ("Als ik nog één keer om vier uur wakker word, smijt ik mijn gsm uit het raam.", "nl", "cold_turkey_advice"),
        # To zero in a week, asked about or proposed by a doctor: a question, not advice.
        ("My GP wants me to go from 1 mg to zero in a week. Is that normal?", "en", "cold_turkey_advice"),
        ("Est-ce que passer à zéro en une semaine c'est dangereux ?", "fr", "cold_turkey_advice"),
        # v2.13 (O11): prices of pharmacies, generics and invoices.
        ("Ma pharmacie n'a plus de Loramet, elle m'a donné le générique. Le prix est 2 € plus bas, c'est bien.",
         "fr", "sourcing"),
        ("Mijn lormetazepam kost sinds januari 1,50 euro meer bij de apotheek. Zelfde doosje, zelfde prijs per pil?",
         "nl", "sourcing"),
        ("Why is the generic zolpidem a few euros cheaper than Stilnoct at my pharmacy? Same molecule.", "en",
         "sourcing"),
        # Looking for a sponsor to talk to is care, not supply.
        ("Je cherche une marraine de sevrage à Liège pour un café de temps en temps, je suis au Xanax 0,5.",
         "fr", "sourcing"),
        # Recovery told with the help lines for others.
        ("Vorig jaar zat ik op het dak van de parking. Nu volledig af van de lorazepam. Voor wie het nu zwaar "
         "heeft: bel 1813.", "nl", "crisis"),
        # A stranger's contempt ("people like that are a drain on everyone") is no burden of one's own.
        ("My neighbour lives on Xanax and wine. People like that are a drain on everyone around them.", "en",
         "crisis"),
        # "Remove my last post" asks a moderator; it says no goodbye.
        ("Can a mod please remove my last post? I pasted my address by mistake.", "en", "crisis"),
        # "pour te garder comme client": no stockpile.
        ("Les docteurs compliquent tout pour te garder comme client, c'est tout.", "fr", "crisis"),
        # v2.14 (O12): a refused offer; the counter one must go to at one's own pharmacy.
        ("Mon oncle voulait me ramener du Valium de Turquie, j'ai refusé, je garde mon schéma.", "fr", "sourcing"),
        ("Pas de somnifères en ligne en Belgique, il faut passer au comptoir avec l'ordonnance.", "fr", "sourcing"),
    ],
)
def test_hard_negatives_v212(text: str, lang: str, absent: str) -> None:
    assert absent not in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "present"),
    [
        # Schemes to get a new box, with a trip as the excuse, still found.
        ("Zeg tegen de wachtdokter dat ge uw doos vergeten zijt op reis, ze schrijven het altijd voor.",
         "nl", "sourcing"),
        ("Dis à ton médecin que tu pars un mois à l'étranger, il te fera une ordonnance double.", "fr", "sourcing"),
        # A dose to nothing in a few days, advised.
        ("Allez, van 1 mg naar 0 in een week, zo doet ge da.", "nl", "cold_turkey_advice"),
        ("Passe de 2 mg à zéro en trois jours, tu verras c'est rien.", "fr", "cold_turkey_advice"),
        ("Just go from 1 mg to zero in a few days, your body adapts.", "en", "cold_turkey_advice"),
        # "That's nothing any more, drop it" is advice.
        ("Die kwart da's toch niks meer, laat da gewoon vallen.", "nl", "cold_turkey_advice"),
        # "Tapering is a scam" is no warning against buying.
        ("bro 0.25 is a crumb, just drop it tonight, tapering is a scam", "en", "cold_turkey_advice"),
        # Joining the dead is still a crisis.
        ("Je veux rejoindre mon mari, je n'en peux plus.", "fr", "crisis"),
        # A box of pills emptied in the sink is still the poster's own abrupt stop.
        ("J'ai vidé le pilulier dans l'évier ce matin, terminé les doses.", "fr", "cold_turkey_self"),
        # v2.13: a price with an offer or a request is still a deal, pharmacy or not.
        ("qq1 peut m'envoyer des zolpi? je paye par virement, ma pharmacie veut plus sans ordo", "fr", "sourcing"),
        ("J'ai encore 2 boîtes de Temesta, 10 € la boîte, mp. La pharmacie les vend plus cher.", "fr", "sourcing"),
        ("This is my last post. Thank you all for everything.", "en", "crisis"),
        # v2.14 (O12): "jamais ouvertes" describes the boxes for sale, it warns of nothing.
        ("Je revends 2 boîtes de Temesta jamais ouvertes, appelez-moi au 0470 11 22 33.", "fr", "sourcing"),
        ("Selling 2 boxes of lorazepam, never opened, happy to post to anyone who needs them.", "en", "sourcing"),
        ("Ma sœur passe au Maroc cet été, elle va me ramener 3 boîtes de Xanax, là-bas c'est au comptoir.",
         "fr", "sourcing"),
        ("Swap the zopiclone for melatonin tonight, no taper needed.", "en", "cold_turkey_advice"),
        ("Zet die slaappillen vandaag nog bij het huisvuil, ge hebt ze ni nodig.", "nl", "cold_turkey_advice"),
    ],
)
def test_still_found_v212(text: str, lang: str, present: str) -> None:
    assert present in labels(text, lang)
