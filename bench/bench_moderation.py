"""Speed of moderation.check on ~1,000-character posts with the full lexicons.

Run: .venv/bin/python bench/bench_moderation.py
Prints the median and p95 time per post over a few hundred varied posts
(FR, NL, EN and mixed; accents, emoji, personal data, findings and none),
with the learned layer, and the median CPU time per post (the wall clock
also counts other processes on a shared machine).
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


# Everyday sentences: most of a real post says nothing a moderator needs to see.
EVERYDAY = {
    "fr": [
        "Bonjour à tous, je suis nouvelle ici et je lis vos messages depuis des semaines.",
        "Mon généraliste est d'accord pour une diminution lente, on revoit le schéma chaque mois.",
        "Les symptômes de sevrage vont et viennent par vagues, c'est ce qu'on appelle des fenêtres et des vagues.",
        "J'ai essayé la cohérence cardiaque le soir, ça m'aide un peu à m'endormir.",
        "Est-ce que quelqu'un a des conseils pour les acouphènes pendant la diminution ?",
        "Ma pharmacienne m'a préparé des gélules de 0,1 mg pour faire des paliers plus fins.",
        "Aujourd'hui j'ai marché une heure au bois de la Cambre, il faisait beau.",
        "Merci pour vos réponses, ça me rassure de ne pas être seule.",
        "Le manuel Ashton en français m'a beaucoup aidée à comprendre ce qui se passe.",
        "Je note tout dans mon journal de diminution, ça me permet de voir les progrès.",
    ],
    "nl": [
        "Dag iedereen, ik lees hier al een tijdje mee en durf nu eindelijk iets te posten.",
        "Mijn huisarts gaat akkoord met een trage afbouw, we bekijken het schema elke maand.",
        "De ontwenningsverschijnselen komen in golven, soms heb ik een paar goede dagen.",
        "Wandelen in het park helpt me om de onrust wat te dempen.",
        "Heeft iemand tips tegen de hoofdpijn tijdens het afbouwen?",
        "De apotheker maakt capsules op maat zodat ik kleinere stappen kan zetten.",
        "Vandaag was een goede dag, ik heb zes uur aan een stuk geslapen.",
        "Bedankt voor jullie berichten, het doet deugd om niet alleen te zijn.",
        "Ik hou een dagboek bij van mijn afbouw, dan zie ik dat het vooruit gaat.",
        "Mijn psycholoog helpt me met cognitieve gedragstherapie voor de slapeloosheid.",
    ],
    "en": [
        "Hi everyone, I've been reading here for weeks and finally decided to post.",
        "My doctor agreed to a slow taper, we review the schedule every month.",
        "Withdrawal symptoms come in waves and windows, some days are much better.",
        "A long walk in the afternoon helps me with the restlessness.",
        "Does anyone have tips for the headaches while tapering?",
        "My pharmacist makes custom capsules so I can take smaller steps.",
        "Today was a good day, I slept five hours in a row.",
        "Thank you all for your replies, it helps to know I'm not alone.",
        "I keep a taper diary so I can see the progress over months.",
        "CBT for insomnia has been more helpful than I expected.",
    ],
}


def make_posts(count: int, seed: int = 7, flagged_share: float = 0.2) -> list[tuple[str, str]]:
    """Posts of exactly 1,000 characters; about `flagged_share` of their sentences raise a finding."""
    rng = random.Random(seed)
    posts = []
    for i in range(count):
        lang = ("fr", "nl", "en")[i % 3]
        other = ("nl", "fr", "fr")[i % 3]  # every fifth post mixes in a second language
        text = ""
        while len(text) < 1000:
            pool_lang = other if i % 5 == 0 and rng.random() < 0.3 else lang
            pool = SENTENCES if rng.random() < flagged_share else EVERYDAY
            text += rng.choice(pool[pool_lang]) + (" " if rng.random() < 0.8 else "\n")
        posts.append((text[:1000], lang))
    return posts


def measure(posts: list[tuple[str, str]], runs: int = 3) -> tuple[float, float, float, float, float]:
    """Wall-clock median, p95 and max per post, findings per post, and the median CPU time of this thread.

    On a shared machine the wall clock counts the time other processes hold the
    cores; the thread's CPU time is what one check costs.
    """
    times = []
    cpu = []
    findings = 0
    for _ in range(runs):
        for text, lang in posts:
            c0 = time.thread_time()
            t0 = time.perf_counter()
            findings += len(moderation.check(text, lang))
            times.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
    times.sort()
    return (
        statistics.median(times) * 1000,
        times[int(len(times) * 0.95)] * 1000,
        times[-1] * 1000,
        findings / len(times),
        statistics.median(cpu) * 1000,
    )


def main() -> None:
    moderation.check("warm up", "fr")  # lexicons are compiled once, on first use
    print("1,000-character posts, full FR+NL+EN lexicons, 300 posts x 3 runs")
    for label, share in (("varied posts (20% of sentences flagged)", 0.2), ("stress: every sentence flagged", 1.0)):
        posts = make_posts(300, flagged_share=share)
        for text, lang in posts[:20]:
            moderation.check(text, lang)
        median, p95, worst, per_post, cpu = measure(posts)
        print(f"{label}:")
        print(f"  median {median:.3f} ms   p95 {p95:.3f} ms   max {worst:.3f} ms   findings/post {per_post:.1f}")
        print(f"  median CPU time {cpu:.3f} ms (target: median < 2 ms per 1,000 characters)")


if __name__ == "__main__":
    main()
