"""The forum the browser tests walk through: categories, demo threads, and a few members with a history.

Everything is made through the real services (moderation runs on every post), so
the pages show what a member would see after a few weeks of use. `World` holds
the ids the page list (pages.py) fills into its paths.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.diary import plans as plan_service
from app.diary import service as diary
from app.diary.service import EntryInput, MedicationInput
from app.diary.sharing import create_share_link
from app.forum import service as forum
from app.forum.demo import seed_demo
from app.forum.models import Category, Thread
from app.forum.seed import seed_categories
from app.review import canned, decisions, messages, reports
from app.review import service as review
from app.review.decision_checks import DecisionInput, Target
from app.settings import Settings

PASSWORD = "une phrase assez longue 42"


@dataclass
class World:
    ids: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # role -> session cookie value

    def fill(self, path: str, lang: str) -> str:
        return path.format(lang=lang, **self.ids)


def _member(session: Session, settings: Settings, name: str, *, locale: str, read_langs: str,
            role: Role = Role.member, posts: int = 3) -> User:
    user = accounts.sign_up(session, settings, pseudonym=name, password=PASSWORD, locale=locale).user
    user.read_langs, user.role, user.published_posts, user.approved_posts = read_langs, role, posts, posts
    if role != Role.member:
        user.moderated_langs = "fr,nl"
    session.flush()
    return user


def _diary(session: Session, user: User, today: dt.date) -> None:
    """Six weeks of Loramet going from 2 mg to 1.5 mg, with symptoms that rise after the step."""
    for back in range(41, -1, -1):
        day = today - dt.timedelta(days=back)
        if back % 3 == 1:
            continue  # nobody logs every day
        dose = 2.0 if back > 20 else 1.5
        ratings = {"insomnia": 2 if back > 20 else 3, "anxiety": 1 if back > 20 else 2, "tinnitus": back % 2}
        diary.save_entry(session, user=user, data=EntryInput(
            day=day, medications=[MedicationInput("Loramet", dose)], symptoms=ratings,
            sleep_hours=5.5 if back > 20 else 4.5, mood=3 if back % 4 else 2,
            note="Nuit agitée, réveillée à 3 h." if back % 5 == 0 else "",
        ), dose_confirmed=True)
    plan_service.create_plan(session, user=user, data=plan_service.PlanInput(
        drug="Loramet", start_dose_mg=2.0, start_date=today - dt.timedelta(days=21), reduction_percent=12.5,
        interval_days=21,
    ))
    diary.update_settings(session, user=user, visibility="members", taper_line_on=True)
    diary.save_questions(session, user=user, questions="Puis-je rester plus longtemps à 1,5 mg ?\nEt pour le sommeil ?")


def build_world(session: Session, settings: Settings) -> World:
    seed_categories(session)
    seed_demo(session, settings)
    world = World()
    categories = {c.slug: c for c in session.scalars(select(Category))}
    anna = _member(session, settings, "Anna_Namur", locale="fr", read_langs="fr")
    joris = _member(session, settings, "Joris.Gent", locale="nl", read_langs="nl")
    moderator = _member(session, settings, "Els_moderatrice", locale="fr", read_langs="fr,nl", role=Role.moderator)
    newcomer = _member(session, settings, "Nouveau_venu", locale="fr", read_langs="fr", posts=0)
    admin = _member(session, settings, "Admin_Trefle", locale="fr", read_langs="fr,nl", role=Role.admin)
    _diary(session, anna, diary.today())
    _link, share_token = create_share_link(session, user=anna, label="Mon médecin")

    tapering = categories["tapering-now"]
    long_word = "Hydroxyzine-et-mélatonine-et-tisanes-" * 3
    posted = forum.create_thread(
        session, category=tapering, author=anna, lang="fr", title="Palier à 1,5 mg : les nuits sont dures",
        body=f"Bonjour, je suis passée de 2 mg à 1,5 mg de Loramet il y a trois semaines. {long_word}\n\n"
             "> Une citation d'un autre fil\n\nQuelqu'un a-t-il gardé le palier plus longtemps ?",
        content_note="difficult_symptoms",
    )
    thread = posted.thread
    courage = forum.reply(session, thread=thread, author=joris, body="Courage Anna, bij mij duurde het ook drie weken.")
    forum.reply(session, thread=thread, author=moderator,
                body="Bienvenue, Anna. Garder un palier plus longtemps, c'est souvent ce qui aide : "
                     "parles-en avec ton médecin.")
    # The longest pseudonym allowed, with no place to break it: it must wrap, not widen a phone's page.
    longest = _member(session, settings, "Wim_" + "W" * 26, locale="fr", read_langs="fr")
    forum.reply(session, thread=thread, author=longest, body="Je me reconnais dans ton message, courage.")
    edited = forum.reply(session, thread=thread, author=anna, body="Merci à vous deux !")
    edited.post.thread = thread
    forum.edit_post(session, post=edited.post, editor=anna, body="Merci à vous deux, ça me fait du bien !")

    # The review queue: a welcome post held for a newcomer, an offer of medication, a crisis post.
    welcome = forum.create_thread(session, category=categories["introduce-yourself"], author=newcomer, lang="fr",
                                  title="Bonjour, je suis nouveau", body="Bonjour, je commence à peine à diminuer.")
    sourcing = forum.reply(session, thread=thread, author=joris,
                           body="Ik heb nog een doosje Loramet over, wie wil het overnemen?")
    crisis = forum.reply(session, thread=thread, author=newcomer,
                         body="Certains soirs je n'ai plus envie de vivre, je veux que tout s'arrête.")
    session.flush()
    # What moderation leaves behind: a statement of reasons and a message to Anna, a report by her.
    warned = decisions.act(session, settings, target=Target(post=None, thread=None, member=anna),
                           actor=moderator, data=DecisionInput(
                               action="warn", rule="respect", reason="Merci de garder un ton bienveillant."))
    conversation = messages.start(session, moderator=moderator, member=anna, subject="Des nouvelles",
                                  body="Bonjour Anna, comment se passe ce palier ?")
    reports.create_report(session, settings, post=courage.post, reporter=anna, location="",
                          data=reports.ReportInput(reason="other", text="Je ne suis pas sûre de ce conseil."))
    # A visitor's notice of illegal content (followed with its secret link); the default canned replies.
    notice = reports.create_report(session, settings, post=posted.post, reporter=None, location="",
                                   data=reports.ReportInput(reason="illegal", text="Données d'une autre personne.",
                                                            good_faith=True))
    canned.seed_canned_replies(session)
    welcome_reply = canned.first_for(session, purpose="welcome", lang="fr")
    session.flush()
    assert notice.token is not None and welcome_reply is not None
    crisis_item = review.get_open_item(session, post_id=crisis.post.id)
    welcome_item = review.get_open_item(session, post_id=welcome.post.id)
    assert crisis_item is not None and welcome_item is not None and warned.statement is not None

    dutch = session.scalar(select(Thread).where(Thread.lang == "nl").order_by(Thread.id))
    assert dutch is not None
    dutch_category = next(c for c in categories.values() if c.id == dutch.category_id)
    world.ids.update(
        category=tapering.slug, dutch_category=dutch_category.slug, thread=str(thread.id),
        dutch_thread=str(dutch.id), post=str(posted.post.id), edited_post=str(edited.post.id),
        held_thread=str(welcome.thread.id), sourcing_post=str(sourcing.post.id), crisis_post=str(crisis.post.id),
        share_token=share_token, anna=str(anna.id), day=(diary.today() - dt.timedelta(days=2)).isoformat(),
        plan_id=str(plan_service.get_current_plan(session, user_id=anna.id).id),  # type: ignore[union-attr]
        crisis_item=str(crisis_item.id), welcome_item=str(welcome_item.id), statement=str(warned.statement.id),
        conversation=str(conversation.id), newcomer=str(newcomer.id), courage_post=str(courage.post.id),
        notice=str(notice.report.id), notice_token=notice.token,
        canned=str(welcome_reply.id),
    )
    for role, user in (("member", anna), ("member_nl", joris), ("moderator", moderator), ("newcomer", newcomer),
                       ("admin", admin)):
        world.tokens[role] = accounts.open_session(session, settings, user=user, device="Chromium")
    return world
