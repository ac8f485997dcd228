"""The moderators' tools beyond a single decision: guidelines from the web, labels, crisis support,
claims and pauses, roles, the dashboard, the public log, the audit export, members' data."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import moderation
from app import cli as cli_module
from app import housekeeping
from app.accounts.models import AuthSession, Role, User
from app.accounts.service import open_session
from app.db import Database, utcnow
from app.errors import RateLimited
from app.forum import service as forum
from app.forum.models import Post, PostStatus, Visibility
from app.i18n import typeset
from app.review import dashboard, guidelines, labels
from app.review.models import AuditEntry, Conversation, Label, Report, ReviewItem, Statement
from app.settings import Settings
from tests.factories import csrf_from, html_login, make_category, make_thread, make_user
from tests.review.helpers import CALM, CRISIS, PHONE, SOURCING, as_member, decide, moderator, open_item, post


def _form(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


# ---------------------------------------------------------------- wording guidelines from the web
def test_moderators_add_and_switch_off_guidelines_from_the_web(client: TestClient, session: Session, db: Database,
                                                              settings: Settings) -> None:
    moderator(session, "Modo")
    author = make_user(session, "Auteur")
    session.commit()
    html_login(client, "Modo")
    token = _form(client, "/fr/review/guidelines/fr/new")
    form = {"csrf_token": token, "name": "zombie", "category": "stigma", "severity": "low",
            "patterns": "zombie*", "suggestions": "personne épuisée", "examples": "zombie",
            "explanation": "Comparer une personne à un zombie la réduit à son épuisement.", "reason": ""}
    refused = client.post("/fr/review/guidelines/fr", data=form)
    assert refused.status_code == 422 and "historique" in refused.text and 'value="zombie"' in refused.text
    too_wide = client.post("/fr/review/guidelines/fr", data={**form, "patterns": "j*", "reason": "essai"})
    assert too_wide.status_code == 422 and "phrases ordinaires" in too_wide.text
    # A raw regular expression runs on every post; only the reviewed files may hold them (ReDoS).
    raw = client.post("/fr/review/guidelines/fr", data={**form, "patterns": "re:(a+)+zombie", "reason": "essai"})
    assert raw.status_code == 422 and "re:" in raw.text
    saved = client.post("/fr/review/guidelines/fr", data={**form, "reason": "Entendu plusieurs fois cette semaine."},
                        follow_redirects=True)
    assert saved.status_code == 200 and "fr.stigma.web-zombie" in saved.text
    # This process uses it at once; the public page lists it.
    found = moderation.check("Je me sens comme un zombie aujourd'hui, les autres zombies aussi.", "fr")
    assert any(f.rule == "fr.stigma.web-zombie" for f in found)
    assert "personne épuisée" in client.get("/fr/guidelines").text
    # Switching off a reviewed file entry, with a reason; the history keeps who and why.
    assert any(f.rule == "fr.stigma.toxicos" for f in moderation.check("les toxicos du coin", "fr"))
    token = _form(client, "/fr/review/guidelines/fr/fr.stigma.toxicos")
    client.post("/fr/review/guidelines/fr/fr.stigma.toxicos/switch",
                data={"csrf_token": token, "enabled": "", "reason": "Trop de faux positifs dans des citations."})
    assert not any(f.rule == "fr.stigma.toxicos" for f in moderation.check("les toxicos du coin", "fr"))
    page = client.get("/fr/review/guidelines/fr/fr.stigma.toxicos").text
    assert "Trop de faux positifs" in page and "Modo" in page
    # Another app process (here: an empty overlay, as after a restart) picks the change up from the database.
    moderation.install_overlay(moderation.make_overlay("", []))
    assert guidelines.GuidelinesWatcher(db, 1).check() is True
    assert not any(f.rule == "fr.stigma.toxicos" for f in moderation.check("les toxicos du coin", "fr"))
    # And new posts are screened with it.
    posted = post(session, author, "Encore une nuit de zombie.")
    session.commit()
    assert posted.screening.stigma
    audit = session.scalars(select(AuditEntry.action).where(AuditEntry.action == "guidelines.save")).all()
    assert len(audit) == 2


def test_the_guidelines_watcher_reinstalls_nothing_when_nothing_changed(db: Database) -> None:
    watcher = guidelines.GuidelinesWatcher(db, 1)
    assert watcher.check() is False  # empty database, empty overlay


# ---------------------------------------------------------------- labels for the engine
def test_each_decision_on_a_flagged_post_leaves_labels_for_retraining(client: TestClient, session: Session) -> None:
    author = make_user(session, "Auteur")
    moderator(session, "Modo")
    sold, crisis = post(session, author, SOURCING, title="Première"), post(session, author, CRISIS, title="Deuxième")
    session.commit()
    token = as_member(client, "Modo")
    decide(client, token, open_item(session, sold.post.id).id, "delete", "Vente.", rule="trading")
    decide(client, token, open_item(session, crisis.post.id).id, "approve", "Soutien envoyé.", rule="safety",
           labels={"stigma": False})
    rows = labels.list_labels(session)
    by = {(r.category, r.text): r for r in rows}
    assert by[("sourcing", SOURCING)].confirmed is True and by[("sourcing", SOURCING)].lang == "fr"
    assert by[("crisis", CRISIS)].confirmed is True  # approving a crisis post lets it stand, the crisis was real
    assert by[("stigma", CRISIS)].confirmed is False
    assert all(r.source in ("rule", "model", "report") for r in rows)
    # A member who erases their posts takes the labels' copies of them too.
    labels.forget_labels(session, post_ids=[sold.post.id])
    assert not session.scalars(select(Label).where(Label.post_id == sold.post.id)).all()


def test_a_moderator_can_say_a_flag_was_wrong(client: TestClient, session: Session) -> None:
    posted = post(session, make_user(session, "Auteur"), SOURCING)
    moderator(session, "Modo")
    session.commit()
    token = as_member(client, "Modo")
    decide(client, token, open_item(session, posted.post.id).id, "approve",
           "Il rapporte ses comprimés à la pharmacie : c'est permis.", rule="trading", labels={"sourcing": False})
    assert [(r.category, r.confirmed) for r in labels.list_labels(session)] == [("sourcing", False)]


def test_a_label_keeps_the_text_as_judged_when_the_moderator_edits_it(client: TestClient, session: Session) -> None:
    posted = post(session, make_user(session, "Auteur"), PHONE)
    moderator(session, "Modo")
    session.commit()
    token = as_member(client, "Modo")
    answer = decide(client, token, open_item(session, posted.post.id).id, "edit", "Numéro retiré.",
                    rule="personal_data", body="Écris-moi ici si tu veux parler.")
    assert answer["status"] == 200, answer
    rows = labels.list_labels(session, category="personal_data", lang="fr")
    assert [(r.post_id, r.text, r.confirmed, r.action) for r in rows] == [(posted.post.id, PHONE, True, "edit")]
    assert labels.list_labels(session, lang="nl") == [] and labels.list_labels(session, category="crisis") == []


# ---------------------------------------------------------------- crisis: one step, a check-in, an answer
def test_one_step_crisis_support_with_a_private_check_in_the_member_can_answer(client: TestClient,
                                                                              session: Session) -> None:
    author = make_user(session, "Fragile")
    make_user(session, "Veilleur")
    moderator(session, "Modo")
    # Nothing the engine flags (it would queue a crisis by itself): a peer's worry is what brings it in.
    calm = post(session, author, "Je suis épuisée ces jours-ci, je dors mal et je m'inquiète pour mon boulot.")
    session.commit()
    token = as_member(client, "Veilleur")
    client.post(f"/api/v1/posts/{calm.post.id}/reports", json={"reason": "worried", "text": "Inquiet pour elle."},
                headers={"X-CSRF-Token": token})
    item = open_item(session, calm.post.id)
    assert item.kind == "worried" and item.priority == 50 and item.lines_shown_at is None
    html_login(client, "Modo")
    page = client.get(f"/fr/review/items/{item.id}").text
    assert "pas encore vu les lignes d'aide" in page and "Centre de Prévention du Suicide" in page
    done = client.post(f"/fr/review/items/{item.id}/support", data={
        "csrf_token": csrf_from(page), "version": str(item.version), "banner": "1", "resolve": "1",
        "public_body": "Merci d'avoir écrit. Nous sommes là.",
        "private_body": "Bonjour, comment allez-vous ? Télé-Accueil répond au 107, jour et nuit."},
        follow_redirects=False)
    assert done.status_code == 303
    session.expire_all()
    item = session.get(ReviewItem, item.id)  # type: ignore[assignment]
    assert item.status == "resolved" and item.lines_shown_at is not None
    thread_page = client.get(f"/fr/t/{calm.thread.id}").text
    assert "Merci d'avoir écrit" in thread_page and 'class="crisis-banner"' in thread_page
    conversation = session.scalar(select(Conversation))
    assert conversation is not None and conversation.member_id == author.id
    # The member sees it on every page, reads it, and answers.
    client.cookies.clear()
    html_login(client, "Fragile")
    home = client.get("/fr/").text
    assert "vous a écrit" in home
    inbox = client.get("/fr/account/inbox").text
    assert "Des nouvelles de vous" in inbox
    talk = client.get(f"/fr/account/inbox/{conversation.id}")
    assert "Télé-Accueil" in talk.text and "Modo, de l'équipe de modération" in talk.text
    client.post(f"/fr/account/inbox/{conversation.id}", data={"csrf_token": csrf_from(talk.text),
                                                              "body": "Merci, ça va un peu mieux."})
    session.expire_all()
    assert session.get(Conversation, conversation.id).staff_unread is True  # type: ignore[union-attr]
    assert session.get(User, author.id).moderation_unread == 0  # type: ignore[union-attr]
    client.cookies.clear()
    html_login(client, "Modo")
    assert "nouvelle réponse" in client.get("/fr/review/messages").text
    assert "Merci, ça va un peu mieux." in client.get(f"/fr/review/messages/{conversation.id}").text


# ---------------------------------------------------------------- claims, pauses, dashboard
def test_a_claim_keeps_others_off_until_it_expires(client: TestClient, session: Session, db: Database,
                                                  settings: Settings) -> None:
    posted = post(session, make_user(session, "Auteur"), SOURCING)
    moderator(session, "Une")
    moderator(session, "Deux")
    session.commit()
    item_id = open_item(session, posted.post.id).id
    token = as_member(client, "Une")
    claimed = client.post(f"/api/v1/review/items/{item_id}/claim", headers={"X-CSRF-Token": token}).json()
    assert claimed["claimed_by"] == "Une"
    token = as_member(client, "Deux")
    assert client.post(f"/api/v1/review/items/{item_id}/claim", headers={"X-CSRF-Token": token}).status_code == 409
    refused = decide(client, token, item_id, "approve", "OK.", rule="trading")
    assert refused["status"] == 409 and "Une" in refused["body"]["detail"]
    item = session.get(ReviewItem, item_id)
    assert item is not None
    item.claimed_until = utcnow() - dt.timedelta(minutes=1)
    session.commit()
    assert housekeeping.run_once(db, settings)["expired claims"] == 1
    assert decide(client, token, item_id, "hide", "Vente.", rule="trading")["status"] == 200


def test_a_moderator_on_a_break_gets_no_crisis_items_and_the_dashboard_shows_cover(client: TestClient,
                                                                                   session: Session) -> None:
    author = make_user(session, "Auteur")
    moderator(session, "Modo")
    crisis, sold = post(session, author, CRISIS, title="Première"), post(session, author, SOURCING, title="Deuxième")
    session.commit()
    html_login(client, "Modo")
    token = _form(client, "/fr/review")
    client.post("/fr/review/crisis-pause", data={"csrf_token": token, "hours": "8"})
    as_member(client, "Modo")
    assert [i["post_id"] for i in client.get("/api/v1/review/queue").json()["items"]] == [sold.post.id]
    html_login(client, "Modo")
    board = client.get("/fr/review/dashboard").text
    assert typeset("personne : toute l'équipe de modération de cette langue est en pause", "fr") in board
    client.post("/fr/review/crisis-pause", data={"csrf_token": csrf_from(board), "hours": "0"})
    as_member(client, "Modo")
    assert crisis.post.id in [i["post_id"] for i in client.get("/api/v1/review/queue").json()["items"]]


def test_median_time_to_a_first_look(session: Session) -> None:
    author = make_user(session, "Auteur")
    now = utcnow()
    for minutes in (10, 30, 50, None):
        posted = post(session, author, SOURCING)
        item = open_item(session, posted.post.id)
        item.created_at = now - dt.timedelta(days=2)
        item.first_action_at = item.created_at + dt.timedelta(minutes=minutes) if minutes else None
    old = open_item(session, post(session, author, SOURCING).post.id)
    old.created_at, old.first_action_at = now - dt.timedelta(days=20), now - dt.timedelta(days=20, minutes=-600)
    session.flush()
    assert dashboard.median_minutes(session, days=7) == (30, 3)
    assert dashboard.median_minutes(session, days=30) == (40, 4)
    board = dashboard.build(session, langs=["fr", "nl"])
    assert board.open_by_kind_lang[("sourcing", "fr")] == 5 and board.open_total == 5


# ---------------------------------------------------------------- roles, audit, public log
def test_roles_from_the_console_are_audited(session: Session, settings: Settings,
                                            monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_user(session, "Future")
    session.commit()
    monkeypatch.setattr("app.review.cli.get_settings", lambda: settings)
    runner = CliRunner()
    granted = runner.invoke(cli_module.cli, ["users", "grant", "Future", "moderator", "--languages", "fr,nl",
                                             "--reason", "Volontaire formée"])
    assert granted.exit_code == 0, granted.output
    assert "moderator (fr,nl)" in granted.output
    assert runner.invoke(cli_module.cli, ["users", "grant", "Personne", "admin"]).exit_code == 1
    assert runner.invoke(cli_module.cli, ["users", "grant", "Future", "moderator", "--languages", "de"]).exit_code
    revoked = runner.invoke(cli_module.cli, ["users", "revoke", "Future", "moderator"])
    assert revoked.exit_code == 0 and "member" in revoked.output
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_name) for e in entries] == [("role.grant", "console"), ("role.revoke", "console")]
    assert entries[0].reason == "Volontaire formée" and entries[0].details["after"]["languages"] == "fr,nl"


def test_granting_moderator_to_an_administrator_keeps_them_administrator(session: Session, settings: Settings,
                                                                          monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`grant X moderator` after `grant X admin` silently made X a moderator (QA round 5): granting never demotes."""
    make_user(session, "Cheffe", locale="nl")
    session.commit()
    monkeypatch.setattr("app.review.cli.get_settings", lambda: settings)
    runner = CliRunner()
    assert runner.invoke(cli_module.cli, ["users", "grant", "Cheffe", "moderator", "--languages", "fr"]).exit_code == 0
    assert runner.invoke(cli_module.cli, ["users", "grant", "Cheffe", "admin"]).exit_code == 0
    session.expire_all()
    assert session.scalar(select(User.moderated_langs).where(User.pseudonym == "Cheffe")) == "fr"  # kept
    session.commit()  # on SQLite the test's transaction holds the write lock the console needs
    kept = runner.invoke(cli_module.cli, ["users", "grant", "Cheffe", "moderator"])
    assert kept.exit_code == 0, kept.output
    assert "stays one" in kept.output and "forum users revoke Cheffe admin" in kept.output
    session.expire_all()
    user = session.scalar(select(User).where(User.pseudonym == "Cheffe"))
    assert user is not None and user.role == Role.admin and user.moderated_langs == "nl"  # her own language
    session.commit()
    revoked = runner.invoke(cli_module.cli, ["users", "revoke", "Cheffe", "admin"])  # said on purpose: now she is
    assert revoked.exit_code == 0 and "moderator (nl)" in revoked.output


def test_an_administrator_granted_moderator_on_the_web_is_told_they_stay_administrator(
        client: TestClient, session: Session) -> None:
    make_user(session, "Admin", role=Role.admin)
    make_user(session, "Adjointe", role=Role.admin)
    session.commit()
    html_login(client, "Admin")
    token = _form(client, "/fr/admin/roles")
    saved = client.post("/fr/admin/roles", data={"csrf_token": token, "pseudonym": "Adjointe", "change": "grant",
                                                 "role": "moderator", "lang_nl": "1"}, follow_redirects=True)
    assert "fait partie de l'administration et y reste" in saved.text
    session.expire_all()
    assert session.scalar(select(User.role).where(User.pseudonym == "Adjointe")) == "admin"


def test_admins_grant_roles_from_the_web_and_export_the_audit_log(client: TestClient, session: Session) -> None:
    make_user(session, "Admin", role=Role.admin)
    make_user(session, "=Formule")  # a pseudonym a spreadsheet would run as a formula
    session.commit()
    html_login(client, "Admin")
    token = _form(client, "/fr/admin/roles")
    saved = client.post("/fr/admin/roles", data={"csrf_token": token, "pseudonym": "=Formule", "change": "grant",
                                                 "role": "moderator", "lang_nl": "1", "reason": "+1 pour l'équipe"},
                        follow_redirects=True)
    assert "=Formule" in saved.text and "Enregistré" in saved.text
    assert client.post("/fr/admin/roles", data={"csrf_token": token, "pseudonym": "Personne", "change": "grant",
                                                "role": "moderator", "lang_nl": "1"}).status_code == 422
    page = client.get("/fr/admin/audit?action=role.grant").text
    assert "Rôle donné" in page and "=Formule" not in page.split("<h1>")[0]
    csv = client.get("/fr/admin/audit.csv?action=role.grant")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0].startswith("id,created_at,actor_id,actor,action") and len(lines) == 2
    assert ",'+1 pour l'équipe," in lines[1]  # the reason cannot run as a formula
    assert not csv.content.startswith(b"\xef\xbb\xbf")  # the plain file is as it was
    excel = client.get("/fr/admin/audit.csv?action=role.grant&excel=1")
    assert excel.content.startswith(b"\xef\xbb\xbf") and "-excel.csv" in excel.headers["content-disposition"]
    excel_lines = excel.content.decode("utf-8-sig").splitlines()
    assert excel_lines[0].startswith("id;created_at;actor_id;actor;action") and ";'+1 pour l'équipe;" in excel_lines[1]
    assert "excel=1" in page and "action=role.grant" in page.split("excel=1")[0].rsplit("href", 1)[-1]
    assert session.scalar(select(User.role).where(User.pseudonym == "=Formule")) == "moderator"


def test_the_public_moderation_log_names_no_member(client: TestClient, session: Session) -> None:
    posted = post(session, make_user(session, "Marguerite"), SOURCING)
    moderator(session, "Modo")
    session.commit()
    token = as_member(client, "Modo")
    decide(client, token, open_item(session, posted.post.id).id, "delete",
           "Marguerite proposait des comprimés en échange.", rule="trading")
    for lang, member in (("fr", "[membre]"), ("nl", "[lid]"), ("en", "[member]")):
        page = client.get(f"/{lang}/moderation-log").text
        assert "Marguerite" not in page and member in page
    assert "Règle 2" in client.get("/fr/moderation-log").text
    assert "Modo" not in client.get("/fr/moderation-log").text.split("<main")[1]


# ---------------------------------------------------------------- edits, revisions, and what members see
def test_a_moderators_edit_is_shown_kept_and_undone_on_appeal(client: TestClient, session: Session,
                                                               settings: Settings) -> None:
    author = make_user(session, "Auteur")
    moderator(session, "Premier")
    moderator(session, "Second")
    posted = post(session, author, "Appelle-moi au 0470 12 34 56 si tu veux parler.")
    session.commit()
    token = as_member(client, "Premier")
    result = decide(client, token, open_item(session, posted.post.id).id, "edit",
                    "J'ai retiré votre numéro pour vous protéger.", rule="personal_data",
                    body="Écris-moi ici si tu veux parler.")
    assert result["status"] == 200
    session.expire_all()
    edited = session.get(Post, posted.post.id)
    assert edited is not None and edited.status == PostStatus.published and "0470" not in edited.body_md
    page = client.get(f"/fr/t/{posted.thread.id}").text
    assert "modifié par la modération" in page
    token = as_member(client, "Auteur")
    client.post(f"/api/v1/me/statements/{result['body']['statement']['id']}/appeal",
                json={"text": "C'est le numéro d'une ligne d'écoute."}, headers={"X-CSRF-Token": token})
    appeal_item = session.scalar(select(ReviewItem).where(ReviewItem.kind == "appeal"))
    assert appeal_item is not None
    token = as_member(client, "Second")
    assert decide(client, token, appeal_item.id, "reverse", "Vous avez raison.")["status"] == 200
    session.expire_all()
    assert "0470 12 34 56" in session.get(Post, posted.post.id).body_md  # type: ignore[union-attr]


def test_a_suspended_member_reads_their_statements_but_not_members_only_threads(client: TestClient,
                                                                              session: Session) -> None:
    member = make_user(session, "Suspendu")
    moderator(session, "Modo")
    private = make_thread(session, category=make_category(session, "relatives", visibility=Visibility.members),
                          author=make_user(session), title="Entre nous", body=CALM)
    session.commit()
    html_login(client, "Suspendu")
    assert client.get(f"/fr/t/{private.thread.id}").status_code == 200
    token = as_member(client, "Modo")
    html_login(client, "Modo")
    token = _form(client, f"/fr/review/members/{member.id}")
    acted = client.post(f"/fr/review/members/{member.id}/act", data={
        "csrf_token": token, "action": "suspend", "duration_days": "7", "rule": "respect",
        "reason": "Des attaques répétées contre d'autres membres."}, follow_redirects=False)
    assert acted.status_code == 303
    client.cookies.clear()
    html_login(client, "Suspendu")
    assert client.get(f"/fr/t/{private.thread.id}").status_code == 404
    home = client.get("/fr/").text
    assert "restreint" in home
    statements = client.get("/fr/account/statements").text
    assert "suspendu" in statements
    statement_id = session.scalar(select(func.max(Statement.id)))
    page = client.get(f"/fr/account/statements/{statement_id}").text
    assert "7 jours" in page and "Des attaques répétées" in page and 'name="text"' in page


def test_the_members_download_has_their_moderation_data(client: TestClient, session: Session) -> None:
    member = make_user(session, "Membre")
    moderator(session, "Modo")
    posted = post(session, member, SOURCING)
    session.commit()
    token = as_member(client, "Modo")
    decide(client, token, open_item(session, posted.post.id).id, "delete", "Vente.", rule="trading")
    html_login(client, "Modo")
    token = _form(client, f"/fr/review/members/{member.id}")
    client.post(f"/fr/review/members/{member.id}/notes", data={"csrf_token": token, "note": "À suivre."})
    client.cookies.clear()
    html_login(client, "Membre")
    data = json.loads(client.get("/fr/account/data/export.json").text)["moderation"]
    assert [s["action"] for s in data["statements"]] == ["delete"]
    assert data["moderator_notes"] == [{"note": "À suivre.", "created_at": data["moderator_notes"][0]["created_at"]}]
    assert "Modo" not in json.dumps(data)


def test_newcomers_graduate_and_post_under_tighter_limits_until_then(client: TestClient, session: Session,
                                                                     settings: Settings) -> None:
    newcomer = make_user(session, "Nouvelle", approved_posts=0)
    first = post(session, newcomer, CALM, title="Bonjour")
    second = post(session, newcomer, CALM, title="Encore")
    assert first.post.status == second.post.status == PostStatus.held
    forum.publish_held_post(session, post=first.post)
    forum.publish_held_post(session, post=second.post)
    third = post(session, newcomer, CALM, title="Troisième")
    assert third.post.status == PostStatus.published and newcomer.approved_posts == 3
    assert not forum.is_newcomer(newcomer, settings.trust)
    limits = settings.trust.model_copy(update={"newcomer_posts_per_hour": 1})
    late = make_user(session, "Tardive", approved_posts=0)
    forum.create_thread(session, category=first.thread.category, author=late, title="Un premier fil", body=CALM,
                        lang="fr", limits=limits)
    with pytest.raises(RateLimited):
        forum.create_thread(session, category=first.thread.category, author=late, title="Un deuxième fil", body=CALM,
                            lang="fr", limits=limits)


def test_slow_mode_makes_members_wait_between_replies(client: TestClient, session: Session) -> None:
    author = make_user(session, "Auteur")
    moderator(session, "Modo")
    posted = post(session, author, CRISIS)
    session.commit()
    make_user(session, "Bavard")
    session.commit()
    token = as_member(client, "Modo")
    assert decide(client, token, open_item(session, posted.post.id).id, "slow_mode", "Le fil s'emballe.",
                  rule="respect", slow_mode_minutes=10)["status"] == 200
    token = as_member(client, "Bavard")
    first = client.post(f"/api/v1/threads/{posted.thread.id}/posts", json={"body": "Merci à vous."},
                        headers={"X-CSRF-Token": token})
    assert first.status_code == 201
    again = client.post(f"/api/v1/threads/{posted.thread.id}/posts", json={"body": "Et encore."},
                        headers={"X-CSRF-Token": token})
    assert again.status_code == 429 and "mode lent" in again.json()["detail"] and "Retry-After" in again.headers


def test_expired_restrictions_are_lifted_and_notifier_contacts_erased(db: Database, session: Session,
                                                                      settings: Settings) -> None:
    member = make_user(session, "Ancien")
    member.restriction, member.restricted_until = "silenced", utcnow() - dt.timedelta(hours=1)
    posted = post(session, make_user(session), CALM)
    session.add(Report(post_id=posted.post.id, reason="illegal", text="x", notifier_name="A", notifier_contact="a@b",
                       outcome="no_action", outcome_at=utcnow() - dt.timedelta(days=400)))
    session.commit()
    done = housekeeping.run_once(db, settings)
    assert done["ended restrictions"] == 1 and done["notifier contacts"] == 1
    session.expire_all()
    assert session.get(User, member.id).restriction == ""  # type: ignore[union-attr]
    assert session.scalar(select(Report.notifier_contact)) == ""


def test_the_queue_speaks_the_moderators_language(client: TestClient, session: Session) -> None:
    author = make_user(session, "Auteur")
    moderator(session, "Modo", langs="fr,nl")
    post(session, author, SOURCING)
    post(session, author, CRISIS, title="Ce soir")
    session.commit()
    html_login(client, "Modo")
    french = client.get("/fr/review").text
    assert "Médicaments proposés ou demandés" in french and "Urgent" in french
    dutch = client.get("/nl/review").text
    assert "Geneesmiddelen aangeboden of gevraagd" in dutch and "Dringend" in dutch
    for page in (french, dutch):
        visible = page.split("<main")[1]
        for code in (">sourcing<", ">crisis<", ">published<", ">held<", "cold_turkey_advice<"):
            assert code not in visible


def test_an_operator_logs_a_member_or_everyone_out(session: Session, settings: Settings,
                                                   monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lost, other = make_user(session, "Perdu"), make_user(session, "Autre")
    for user in (lost, lost, other):
        open_session(session, settings, user=user)
    session.commit()
    monkeypatch.setattr("app.review.cli.get_settings", lambda: settings)
    runner = CliRunner()
    one = runner.invoke(cli_module.cli, ["users", "logout", "Perdu"])
    assert one.exit_code == 0 and "2 session(s) closed" in one.output
    assert session.scalar(select(func.count(AuthSession.id))) == 1
    session.commit()  # the test's read ends (on SQLite it holds the write lock)
    assert runner.invoke(cli_module.cli, ["users", "logout"]).exit_code != 0  # nobody named, no --everyone
    assert runner.invoke(cli_module.cli, ["users", "logout", "Personne"]).exit_code == 1
    everyone = runner.invoke(cli_module.cli, ["users", "logout", "--everyone"])
    assert everyone.exit_code == 0 and "1 session(s) closed" in everyone.output
    assert session.scalar(select(func.count(AuthSession.id))) == 0


def test_the_audit_csv_keeps_a_staff_pseudonym_from_running_as_a_formula(session: Session) -> None:
    """Pseudonyms may start with '-': "-A1-x" in the actor column would be a formula in Excel."""
    from app.review import audit

    actor = make_user(session, "-A1-x", role=Role.moderator)
    audit.record(session, actor=actor, action="thread.lock", target_type="thread", target_id=1, reason="")
    session.flush()
    for excel in (False, True):
        text = audit.export_csv(session, audit.AuditFilter(action="thread.lock"), excel=excel)
        row = text.lstrip("\ufeff").splitlines()[1]
        assert ("'-A1-x" in row) and (";-A1-x" not in row) and (",-A1-x" not in row)
