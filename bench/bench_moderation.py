"""Speed of moderation.check on ~1,000-character posts with the full lexicons.

Run: .venv/bin/python bench/bench_moderation.py
Prints the median and p95 time per post over a few hundred varied posts
(FR, NL, EN and mixed; accents, emoji, personal data, findings and none).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import moderation  # noqa: E402

SENTENCES = {
    "fr": [
        "Je suis en sevrage de lormétazépam depuis trois mois, je diminue de 10 % toutes les deux semaines.",
        "Mon médecin m'a traité de toxico devant ma fille, j'ai eu tellement honte.",
        "Les nuits sont longues, je dors deux heures puis je tourne en rond jusqu'au matin.",
        "Franchement les toxicos de la gare me font peur, mais je me reconnais un peu.",
        "Surtout n'arrête pas d'un coup, parles-en à ton pharmacien, il peut faire un schéma.",
        "Septante jours aujourd'hui, une fois qu'on passe le cap ça va mieux, courage à tous 😊",
        "J'ai des idées noires le soir, je sais plus vivre comme ça.",
        "Quelqu'un aurait du Xanax à me dépanner ? Je peux payer.",
        "Tu peux m'écrire à marie.lambert@skynet.be ou au 0485 98 76 54.",
        "La dépendance physique n'est pas une addiction, c'est ce que m'a dit ma psy.",
    ],
    "nl": [
        "Ik bouw af van 1 mg naar 0,75 mg Loramet, volgens het schema van mijn huisarts.",
        "Amai, wat een week, ik ben er kapot van maar ik hou vol.",
        "Die junkies aan het station maken me bang, al ben ik zelf ook afhankelijk geworden.",
        "Ik zie het niet meer zitten, elke nacht dezelfde angst.",
        "Stop zeker niet in één keer, dat is gevaarlijk, bouw rustig af.",
        "Heeft iemand nog wat Xanax over voor mij? Stuur me een pb.",
        "Gij moet u niet schamen, ge zijt afhankelijk geworden door een voorschrift.",
        "Bel me gerust op 0486 12 34 56 als je wil praten.",
        "Tele-Onthaal 106 heeft me die nacht echt geholpen, dankjewel iedereen.",
        "Ik ben nu drie maanden clean van de zolpidem!",
    ],
    "en": [
        "I'm tapering clonazepam by 5% every two weeks and the insomnia is brutal.",
        "This insomnia is killing me, but I'm holding on.",
        "My doctor called me an addict and I cried in the car.",
        "Just quit cold turkey, tapering is a scam.",
        "I don't want to be here anymore.",
        "Anyone got some spare Valium? I'm out until Monday.",
        "My IBAN is BE71 0961 2345 6769 if you want to chip in for the meetup.",
        "Physical dependence is not the same thing as addiction.",
        "Day 40 of withdrawal, the tinnitus is finally calming down. 🙏",
        "Thank you all for the support, it means a lot.",
    ],
}


def make_posts(count: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    posts = []
    for i in range(count):
        lang = ("fr", "nl", "en")[i % 3]
        pool = SENTENCES[lang] + (rng.sample(SENTENCES["fr"] + SENTENCES["nl"], 3) if i % 5 == 0 else [])
        text = ""
        while len(text) < 1000:
            text += rng.choice(pool) + (" " if rng.random() < 0.8 else "\n")
        posts.append((text[:1000], lang))
    return posts


def main() -> None:
    posts = make_posts(300)
    moderation.check("warm up", "fr")  # lexicons are compiled once, on first use
    for text, lang in posts[:20]:
        moderation.check(text, lang)
    times = []
    findings = 0
    for _ in range(3):
        for text, lang in posts:
            t0 = time.perf_counter()
            findings += len(moderation.check(text, lang))
            times.append(time.perf_counter() - t0)
    times.sort()
    median = statistics.median(times) * 1000
    p95 = times[int(len(times) * 0.95)] * 1000
    print(f"posts: {len(posts)} x 3 runs, 1,000 characters each, full FR+NL+EN lexicons")
    print(f"median: {median:.3f} ms per post")
    print(f"p95:    {p95:.3f} ms per post")
    print(f"max:    {times[-1] * 1000:.3f} ms per post")
    print(f"findings per post (mean): {findings / len(times):.1f}")


if __name__ == "__main__":
    main()
