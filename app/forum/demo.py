"""Demo content for local exploration (`forum seed --demo`): FR/NL/EN members and threads.

Posts go through the real services, so the moderation engine sees them too.
Demo members get random passwords: they exist to be read, not to log in as.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.db import utcnow
from app.forum import service as forum
from app.forum.models import Category, Thread
from app.security import new_token
from app.settings import Settings

MEMBERS = ["Lucie_Liège", "Pieter.Gent", "Nadia-Bxl", "Koen_Hasselt", "Margot", "Ellen.Brugge", "Samir_Namur"]

# (category slug, lang, title, [posts]) — written as members of such forums write.
THREADS: list[tuple[str, str, str, list[str]]] = [
    ("introduce-yourself", "fr", "Bonjour, je commence à diminuer le lormétazépam",
     ["Bonjour à tous, je prends du Loramet 2 mg depuis six ans pour dormir. Mon médecin est d'accord pour "
      "qu'on diminue doucement. J'ai un peu peur des nuits blanches.",
      "Bienvenue Lucie ! Ici on avance chacun à son rythme. Les premières semaines j'ai mal dormi aussi, "
      "puis ça s'est calmé. Tu as pensé au journal de sevrage ?",
      "Bienvenue ! N'hésite pas à poser toutes tes questions, il n'y a pas de question bête."]),
    ("tapering-now", "nl", "Week 3 van de afbouw: oorsuizen",
     ["Hoi allemaal, ik bouw af van 1 mg alprazolam naar 0,75 mg. Sinds een paar dagen heb ik last van "
      "oorsuizen en slaap ik slecht. Herkent iemand dat?",
      "Ja, dat herken ik. Bij mij duurde het ongeveer twee weken. Ik heb het met mijn huisarts besproken en "
      "we hebben de stap wat langer gehouden.",
      "Amai, ik had dat ook. Wandelen en geen schermen 's avonds hielpen me wat. Houd moed!"]),
    ("sleep-stress-anxiety", "fr", "CBT-I / TCC pour l'insomnie : vos expériences ?",
     ["Mon généraliste m'a parlé de la TCC pour l'insomnie. Quelqu'un a essayé ? C'est remboursé en Belgique ?",
      "Oui ! La première séance chez un psychologue conventionné est gratuite, ensuite c'est 11 euros "
      "(4 euros avec l'intervention majorée). Ça m'a beaucoup aidé."]),
    ("relatives-and-friends", "nl", "Mijn moeder bouwt af, hoe kan ik helpen?",
     ["Mijn moeder neemt al tien jaar lormetazepam en wil nu stoppen met hulp van haar arts. "
      "Hoe kan ik haar het beste steunen zonder te pushen?",
      "Mooi dat je er voor haar bent. Luisteren en haar tempo respecteren is al heel veel."]),
    ("after-stopping", "en", "Six months benzo-free: what helped me",
     ["Six months ago I took my last crumb of diazepam. What helped: a slow taper planned with my GP, "
      "this forum, and walking every morning. Some days are still hard, but they are fewer.",
      "Thank you for sharing this, it gives me hope."]),
]


def _member(session: Session, settings: Settings, name: str, locale: str) -> User:
    existing = accounts.get_user_by_pseudonym(session, name)
    if existing is not None:
        return existing
    return accounts.sign_up(session, settings, pseudonym=name, password=new_token(18), locale=locale).user


def seed_demo(session: Session, settings: Settings) -> str:
    if session.scalar(select(Thread.id).where(Thread.title == THREADS[0][2])):
        return "already present"
    rng = random.Random(7)
    members = [_member(session, settings, name, "nl" if "." in name else "fr") for name in MEMBERS]
    for member in members:
        # Demo members are not newcomers: their posts go out at once, under ordinary limits.
        member.published_posts = max(member.published_posts, 1)
        member.approved_posts = max(member.approved_posts, settings.trust.graduate_after)
        member.read_langs = "fr,nl,en"
    categories = {c.slug: c for c in session.scalars(select(Category))}
    count = 0
    start = utcnow() - dt.timedelta(days=20)
    for index, (slug, lang, title, posts) in enumerate(THREADS):
        category = categories.get(slug)
        if category is None:
            continue
        author = members[index % len(members)]
        posted = forum.create_thread(session, category=category, author=author, title=title, body=posts[0], lang=lang)
        thread = posted.thread
        posted.post.created_at = start + dt.timedelta(days=index * 3)
        count += 1
        for offset, body in enumerate(posts[1:], start=1):
            replier = rng.choice([m for m in members if m.id != author.id])
            reply = forum.reply(session, thread=thread, author=replier, body=body)
            reply.post.created_at = posted.post.created_at + dt.timedelta(hours=offset * 5)
            thread.last_post_at = reply.post.created_at
            count += 1
    session.flush()
    return f"{len(members)} members, {count} posts"
