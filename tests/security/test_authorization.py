"""Who may reach what: every route of the app × (visitor, member, moderator of another language,
moderator, admin) → the expected answer.

The route list comes from the app itself (tests/security/routes.py), so a new
route without an entry in ACCESS fails `test_every_route_has_an_access_rule`.
Each entry names who may use the route; the expected status per role follows
from it (EXPECT). Requests carry a valid CSRF token and a body that passes the
schema but not the service's own checks, so what is measured is access, not
input validation, and nothing much changes as the matrix runs.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import devices
from app.accounts.models import DeviceCookie, Role, User
from app.diary import plans, sharing
from app.forum.models import Visibility
from app.notifications.models import Notification
from app.research import projects as research_projects
from app.research.models import Export, ExportFormat, ExportStatus
from app.review import canned, decisions, messages
from app.review.decision_checks import DecisionInput, Target
from app.review.reports import ReportInput, create_report
from app.settings import Settings
from tests.diary.helpers import TODAY, log
from tests.factories import csrf_from, html_login, make_category, make_reply, make_thread, make_user
from tests.review.helpers import CRISIS, open_item
from tests.security.routes import route_table

ROLES = ("visitor", "member", "other_lang_moderator", "moderator", "admin")
OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", "forbidden", "not_found"

# Who may use a route, as the expected answer for each role.
EXPECT: dict[str, dict[str, str]] = {
    # Anyone, logged in or not.
    "public": dict.fromkeys(ROLES, OK),
    # Any logged-in account, each on its own things (diary, settings, statements list).
    "account": {"visitor": LOGIN, **dict.fromkeys(ROLES[1:], OK)},
    # One member's own thing (the member role owns it): anyone else is told it does not exist.
    "owner": {"visitor": LOGIN, "member": OK, "other_lang_moderator": NOT_FOUND, "moderator": NOT_FOUND,
              "admin": NOT_FOUND},
    # Moderators' pages that are not tied to a language.
    "moderators": {"visitor": LOGIN, "member": FORBIDDEN, "other_lang_moderator": OK, "moderator": OK, "admin": OK},
    # Moderators' pages about French content: a Dutch moderator does not find it.
    "french_moderators": {"visitor": LOGIN, "member": FORBIDDEN, "other_lang_moderator": NOT_FOUND, "moderator": OK,
                          "admin": OK},
    # The forum's own moderation forms (pin, lock): members are told the page does not exist.
    "forum_moderation": {"visitor": LOGIN, "member": NOT_FOUND, "other_lang_moderator": NOT_FOUND, "moderator": OK,
                         "admin": OK},
    "admin": {"visitor": LOGIN, "member": FORBIDDEN, "other_lang_moderator": FORBIDDEN, "moderator": FORBIDDEN,
              "admin": OK},
    # A research project (the member role leads it): administrators see it to decide on it; anyone else is told
    # it does not exist (issue 9: 403 for existing ids and 404 for the rest let outsiders enumerate projects).
    "project": {"visitor": LOGIN, "member": OK, "other_lang_moderator": NOT_FOUND, "moderator": NOT_FOUND,
                "admin": OK},
    # A member-only page about another member who does not share: nobody but moderators... here nobody.
    "nobody_else": {"visitor": LOGIN, **dict.fromkeys(ROLES[1:], NOT_FOUND)},
    # Reporting a post: everyone but its author; visitors only as an illegal-content notice (checked elsewhere).
    "report": dict.fromkeys(ROLES, OK),
    # Served to no browser session at all (metrics: a token or a direct loopback client, never a role).
    "no_session": dict.fromkeys(ROLES, NOT_FOUND),
    # Log-in forms: anyone may try; a wrong pseudonym and password are refused to all alike (empty ones are
    # "missing", 422: tests/accounts/test_views.py).
    "credentials": dict.fromkeys(ROLES, LOGIN),
}


@dataclass(frozen=True)
class Rule:
    access: str
    # Which object each path parameter names (keys of World.ids); defaults below.
    params: dict[str, str] = field(default_factory=dict)
    body: Any = None  # JSON body for API writes; form fields for HTML ones
    exceptions: dict[str, str] = field(default_factory=dict)  # role -> expectation, where a route differs


NO_BODY: dict[str, str] = {}
NOT_THE_AUTHOR = {"other_lang_moderator": FORBIDDEN, "moderator": FORBIDDEN, "admin": FORBIDDEN}
ACCESS: dict[tuple[str, str], Rule] = {
    ("GET", "/"): Rule("public"),
    ("GET", "/help"): Rule("public"),
    ("GET", "/healthz"): Rule("public"),
    ("GET", "/livez"): Rule("public"),
    ("GET", "/readyz"): Rule("public"),
    ("GET", "/metrics"): Rule("no_session"),
    ("GET", "/robots.txt"): Rule("public"),
    ("GET", "/api/v1/openapi.json"): Rule("public"),
    # ---- accounts
    ("POST", "/api/v1/accounts"): Rule("public", body={"pseudonym": "", "password": ""}),
    ("GET", "/api/v1/accounts/form-token"): Rule("public"),
    ("POST", "/api/v1/session"): Rule("credentials", body={"pseudonym": "Personne", "password": "pas le bon"}),
    ("DELETE", "/api/v1/session"): Rule("public"),
    ("GET", "/api/v1/me"): Rule("account"),
    ("GET", "/{lang}/account"): Rule("account"),
    ("GET", "/{lang}/account/login"): Rule("public"),
    ("POST", "/{lang}/account/login"): Rule("credentials", body={"pseudonym": "Personne", "password": "pas le bon"}),
    ("POST", "/{lang}/account/logout"): Rule("public"),
    ("GET", "/{lang}/account/signup"): Rule("public"),
    ("POST", "/{lang}/account/signup"): Rule("public"),
    ("GET", "/{lang}/account/recover"): Rule("public"),
    ("POST", "/{lang}/account/recover"): Rule("public"),
    ("POST", "/{lang}/account/password"): Rule("account"),
    ("POST", "/{lang}/account/preferences"): Rule("account"),
    ("POST", "/{lang}/account/recovery-codes"): Rule("account"),
    ("POST", "/{lang}/account/sessions/close-all"): Rule("account"),
    ("POST", "/{lang}/account/sessions/close-others"): Rule("account"),
    ("POST", "/{lang}/account/sessions/{session_id}/close"): Rule("account"),
    ("GET", "/{lang}/account/devices"): Rule("account"),
    ("POST", "/{lang}/account/devices/forget-all"): Rule("account"),
    # Like closing a session: another member's browser, one forgotten already and an id nobody has all get the
    # same "already forgotten", and nothing changes (tests/accounts/test_devices.py).
    ("POST", "/{lang}/account/devices/{device_id}/forget"): Rule("account"),
    ("GET", "/{lang}/account/data"): Rule("account"),
    ("GET", "/{lang}/account/data/export.json"): Rule("account"),
    ("POST", "/{lang}/account/delete"): Rule("account"),
    # What it shows is in its signed address; a member is logged out by then (tests/member_data).
    ("GET", "/{lang}/account/deleted"): Rule("public"),
    ("DELETE", "/api/v1/me"): Rule("account", body=NO_BODY),
    ("POST", "/api/v1/me/export"): Rule("account", body=NO_BODY),
    # Nobody has asked for an export yet when the GETs run (they run before the writes): 404 to all.
    ("GET", "/api/v1/me/export"): Rule("nobody_else"),
    ("POST", "/{lang}/account/data/export"): Rule("account"),
    ("GET", "/{lang}/account/data/export"): Rule("account"),
    ("GET", "/{lang}/account/data/export.zip"): Rule("nobody_else"),
    ("GET", "/{lang}/privacy"): Rule("public"),
    # ---- forum
    ("GET", "/{lang}/"): Rule("public"),
    ("GET", "/api/v1/categories"): Rule("public"),
    ("GET", "/{lang}/c/{slug}"): Rule("public"),
    ("GET", "/{lang}/c/{slug}/new"): Rule("account"),
    ("POST", "/{lang}/c/{slug}/new"): Rule("account"),
    ("POST", "/api/v1/categories/{slug}/threads"): Rule("account", body={"title": "", "body": "", "lang": "fr"}),
    ("GET", "/{lang}/t/{thread_id}"): Rule("public"),
    ("POST", "/{lang}/t/{thread_id}/reply"): Rule("account"),
    ("POST", "/{lang}/t/{thread_id}/flags"): Rule("forum_moderation"),
    ("GET", "/api/v1/threads/{thread_id}"): Rule("public"),
    ("GET", "/api/v1/threads/{thread_id}/posts"): Rule("public"),
    ("POST", "/api/v1/threads/{thread_id}/posts"): Rule("account", body={"body": ""}),
    ("GET", "/{lang}/p/{post_id}"): Rule("public"),
    ("GET", "/{lang}/p/{post_id}/edit"): Rule("owner", {"post_id": "own_post"}),
    ("POST", "/{lang}/p/{post_id}/edit"): Rule("owner", {"post_id": "own_post"}),
    ("POST", "/{lang}/p/{post_id}/delete"): Rule("owner", {"post_id": "disposable_post"}),
    ("POST", "/{lang}/p/{post_id}/react"): Rule("account"),
    # Earlier versions: the author and every moderator; a visitor is told there is nothing.
    ("GET", "/{lang}/p/{post_id}/revisions"): Rule("owner", {"post_id": "own_post"},
                                                   exceptions={"visitor": NOT_FOUND, "moderator": OK, "admin": OK,
                                                               "other_lang_moderator": OK}),
    ("PATCH", "/api/v1/posts/{post_id}"): Rule("owner", {"post_id": "own_post"}, body={"body": ""}),
    ("DELETE", "/api/v1/posts/{post_id}"): Rule("owner", {"post_id": "disposable_post_api"}),
    ("POST", "/api/v1/posts/{post_id}/reactions"): Rule("account", body={"kind": "thanks"}),
    ("POST", "/api/v1/moderation/check"): Rule("public", body={"text": "bonjour", "lang": "fr"}),
    ("GET", "/{lang}/guidelines"): Rule("public"),
    ("GET", "/{lang}/help"): Rule("public"),
    ("GET", "/{lang}/house-rules"): Rule("public"),
    ("GET", "/{lang}/search"): Rule("public"),
    ("GET", "/api/v1/search"): Rule("public"),
    # ---- resources, onboarding
    ("GET", "/{lang}/resources"): Rule("public"),
    ("GET", "/{lang}/resources/{slug}"): Rule("public", {"slug": "resource"}),
    ("GET", "/api/v1/resources"): Rule("public"),
    ("POST", "/api/v1/resources/suggest"): Rule("public", body={"text": "", "lang": "fr"}),
    ("GET", "/{lang}/welcome"): Rule("public"),
    ("GET", "/{lang}/welcome/{step}"): Rule("public"),
    # ---- diary (each member's own)
    ("GET", "/{lang}/diary"): Rule("account"),
    ("GET", "/{lang}/diary/entries"): Rule("account"),
    ("POST", "/{lang}/diary/entries"): Rule("account"),
    ("GET", "/{lang}/diary/entries/new"): Rule("account"),
    ("GET", "/{lang}/diary/entries/{day}/edit"): Rule("account"),
    ("POST", "/{lang}/diary/entries/{day}/delete"): Rule("account", {"day": "past_day"}),
    ("GET", "/{lang}/diary/export.csv"): Rule("account"),
    ("GET", "/{lang}/diary/export.json"): Rule("account"),
    ("GET", "/{lang}/diary/member/{user_id}"): Rule("nobody_else", {"user_id": "member_id"},
                                                   exceptions={"member": OK}),
    ("GET", "/{lang}/diary/medication-data/report"): Rule("account"),
    ("POST", "/{lang}/diary/medication-data/report"): Rule("account"),
    ("GET", "/{lang}/diary/medication-data/report/sent"): Rule("account"),
    ("GET", "/{lang}/diary/plan"): Rule("account"),
    ("GET", "/{lang}/diary/plan/history"): Rule("account"),
    ("POST", "/{lang}/diary/plan/hold"): Rule("account"),
    ("GET", "/{lang}/diary/plan/new"): Rule("account"),
    ("POST", "/{lang}/diary/plan/new"): Rule("account"),
    ("GET", "/{lang}/diary/plan/versions/{plan_id}"): Rule("owner"),
    ("POST", "/{lang}/diary/questions"): Rule("account"),
    ("GET", "/{lang}/diary/settings"): Rule("account"),
    ("POST", "/{lang}/diary/settings"): Rule("account"),
    ("POST", "/{lang}/diary/share"): Rule("account"),
    ("POST", "/{lang}/diary/share/{link_id}/revoke"): Rule("owner"),
    ("GET", "/{lang}/diary/shared/{token}"): Rule("public"),
    ("GET", "/{lang}/diary/summary"): Rule("account"),
    ("GET", "/api/v1/diary/entries"): Rule("account"),
    ("POST", "/api/v1/diary/entries"): Rule("account", body={"day": "1900-01-01"}),
    ("GET", "/api/v1/diary/entries/{day}"): Rule("account"),
    ("PUT", "/api/v1/diary/entries/{day}"): Rule("account", body={"day": "1900-01-01"}),
    ("DELETE", "/api/v1/diary/entries/{day}"): Rule("account", {"day": "past_day_api"}),
    ("GET", "/api/v1/diary/plans"): Rule("account"),
    ("POST", "/api/v1/diary/plans"): Rule("account", body={}),
    ("GET", "/api/v1/diary/plans/{plan_id}"): Rule("owner"),
    ("POST", "/api/v1/diary/plans/{plan_id}/holds"): Rule("owner", body={"step_index": 999, "days": 1}),
    ("GET", "/api/v1/medications"): Rule("public"),
    ("GET", "/api/v1/medications/equivalence"): Rule("public"),
    ("GET", "/{lang}/account/recovery-codes"): Rule("account"),
    ("GET", "/{lang}/account/recovery-codes.txt"): Rule("account"),
    ("POST", "/{lang}/account/recovery-codes/kept"): Rule("account"),
    ("GET", "/{lang}/p/{post_id}/delete"): Rule("owner", {"post_id": "own_post"}),
    ("GET", "/{lang}/diary/entries/{day}/delete"): Rule("account"),
    # ---- research
    ("GET", "/{lang}/account/research"): Rule("account"),
    ("POST", "/{lang}/account/research"): Rule("account"),
    ("POST", "/{lang}/account/research/later"): Rule("account"),
    # Never quoting a post: its author alone; anyone else who can read the post is refused.
    ("POST", "/{lang}/account/research/never-quote/{post_id}"): Rule("owner", {"post_id": "own_post"},
                                                                    exceptions=NOT_THE_AUTHOR),
    ("GET", "/api/v1/me/consent"): Rule("account"),
    ("PUT", "/api/v1/me/consent"): Rule("account", body={"posts": False, "diary": False}),
    ("PUT", "/api/v1/research/posts/{post_id}/never-quote"): Rule("owner", {"post_id": "own_post"},
                                                                 body={"never_quote": True}, exceptions=NOT_THE_AUTHOR),
    ("GET", "/{lang}/research"): Rule("account"),
    ("GET", "/{lang}/research/terms"): Rule("public"),
    ("GET", "/{lang}/research/apply"): Rule("account"),
    ("POST", "/{lang}/research/apply"): Rule("account"),
    ("GET", "/api/v1/research/projects"): Rule("account"),
    ("POST", "/api/v1/research/projects"): Rule("account", body={}),
    ("GET", "/{lang}/research/admin"): Rule("admin"),
    ("GET", "/{lang}/research/projects/{project_id}"): Rule("project"),
    ("GET", "/api/v1/research/projects/{project_id}"): Rule("project"),
    ("POST", "/{lang}/research/projects/{project_id}/terms"): Rule("project"),
    ("POST", "/{lang}/research/projects/{project_id}/members"): Rule("project"),
    # Exports: the project's researchers; the administrators who decide on a project do not take its data.
    ("POST", "/{lang}/research/projects/{project_id}/exports"): Rule("project", exceptions={"admin": FORBIDDEN}),
    ("GET", "/api/v1/research/projects/{project_id}/exports"): Rule("project"),
    ("POST", "/api/v1/research/projects/{project_id}/exports"): Rule("project", body={},
                                                                    exceptions={"admin": FORBIDDEN}),
    ("POST", "/{lang}/research/projects/{project_id}/approve"): Rule("admin"),
    ("POST", "/{lang}/research/projects/{project_id}/decline"): Rule("admin"),
    ("POST", "/api/v1/research/projects/{project_id}/approve"): Rule("admin", body={}),
    ("POST", "/api/v1/research/projects/{project_id}/decline"): Rule("admin", body={}),
    ("GET", "/api/v1/research/exports/{export_id}"): Rule("project"),
    # Downloads: only the project's researchers, never the administrators who approved it.
    ("GET", "/{lang}/research/exports/{export_id}/download"): Rule("project", exceptions={"admin": FORBIDDEN}),
    ("GET", "/api/v1/research/exports/{export_id}/download"): Rule("project", exceptions={"admin": FORBIDDEN}),
    # ---- review: members' side
    ("GET", "/{lang}/account/statements"): Rule("account"),
    ("GET", "/{lang}/account/statements/{statement_id}"): Rule("owner"),
    ("POST", "/{lang}/account/statements/{statement_id}/appeal"): Rule("owner"),
    ("GET", "/api/v1/me/statements"): Rule("account"),
    ("POST", "/api/v1/me/statements/{statement_id}/appeal"): Rule("owner", body={"text": ""}),
    ("GET", "/{lang}/account/inbox"): Rule("account"),
    ("GET", "/{lang}/account/inbox/{conversation_id}"): Rule("owner"),
    ("POST", "/{lang}/account/inbox/{conversation_id}"): Rule("owner"),
    ("GET", "/{lang}/account/reports"): Rule("account"),
    ("GET", "/{lang}/p/{post_id}/report"): Rule("report"),
    ("POST", "/{lang}/p/{post_id}/report"): Rule("report"),
    ("POST", "/api/v1/posts/{post_id}/reports"): Rule("report", body={"reason": "other", "text": ""}),
    ("GET", "/{lang}/reports/{report_id}"): Rule("public", {"report_id": "notice_id"}),
    ("GET", "/{lang}/moderation-log"): Rule("public"),
    # ---- review: moderators
    ("GET", "/{lang}/review"): Rule("moderators"),
    ("GET", "/api/v1/review/queue"): Rule("moderators"),
    ("GET", "/{lang}/review/items/{item_id}"): Rule("french_moderators"),
    ("GET", "/api/v1/review/items/{item_id}"): Rule("french_moderators"),
    ("POST", "/{lang}/review/items/{item_id}/claim"): Rule("french_moderators"),
    ("POST", "/api/v1/review/items/{item_id}/claim"): Rule("french_moderators"),
    ("POST", "/{lang}/review/items/{item_id}/release"): Rule("french_moderators"),
    ("POST", "/{lang}/review/items/{item_id}/decide"): Rule("french_moderators"),
    ("POST", "/{lang}/review/items/{item_id}/close"): Rule("french_moderators"),
    ("POST", "/api/v1/review/items/{item_id}/decision"): Rule("french_moderators",
                                                             body={"action": "approve", "reason": ""}),
    ("POST", "/{lang}/review/items/{item_id}/support"): Rule("french_moderators"),
    ("GET", "/{lang}/review/items/{item_id}/welcome"): Rule("french_moderators"),
    ("POST", "/{lang}/review/items/{item_id}/welcome"): Rule("french_moderators"),
    ("GET", "/{lang}/review/posts/{post_id}"): Rule("french_moderators"),
    ("POST", "/{lang}/review/posts/{post_id}/decide"): Rule("french_moderators"),
    ("GET", "/{lang}/review/members/{user_id}"): Rule("moderators", {"user_id": "author_id"}),
    ("POST", "/{lang}/review/members/{user_id}/act"): Rule("moderators", {"user_id": "author_id"}),
    ("POST", "/{lang}/review/members/{user_id}/notes"): Rule("moderators", {"user_id": "author_id"}),
    ("POST", "/{lang}/review/members/{user_id}/message"): Rule("moderators", {"user_id": "author_id"}),
    ("GET", "/{lang}/review/messages"): Rule("moderators"),
    ("GET", "/{lang}/review/messages/{conversation_id}"): Rule("moderators"),
    ("POST", "/{lang}/review/messages/{conversation_id}"): Rule("moderators"),
    ("GET", "/{lang}/review/canned"): Rule("moderators"),
    ("POST", "/{lang}/review/canned"): Rule("moderators"),
    ("GET", "/{lang}/review/canned/new"): Rule("moderators"),
    ("GET", "/{lang}/review/canned/{reply_id}"): Rule("moderators"),
    ("POST", "/{lang}/review/crisis-pause"): Rule("moderators"),
    ("GET", "/{lang}/review/dashboard"): Rule("moderators"),
    ("GET", "/{lang}/review/guidelines"): Rule("moderators"),
    ("POST", "/{lang}/review/guidelines/{entry_lang}"): Rule("moderators"),
    ("GET", "/{lang}/review/guidelines/{entry_lang}/new"): Rule("moderators"),
    ("GET", "/{lang}/review/guidelines/{entry_lang}/{entry_id}"): Rule("moderators"),
    ("POST", "/{lang}/review/guidelines/{entry_lang}/{entry_id}/switch"): Rule("moderators"),
    # ---- notifications (each member's own)
    ("GET", "/{lang}/notifications"): Rule("account"),
    ("GET", "/{lang}/notifications/{notification_id}/open"): Rule("owner"),
    ("POST", "/{lang}/notifications/read"): Rule("account"),
    ("GET", "/{lang}/notifications/settings"): Rule("account"),
    ("POST", "/{lang}/notifications/settings"): Rule("account"),
    ("GET", "/{lang}/my-threads"): Rule("account"),
    ("POST", "/{lang}/t/{thread_id}/watch"): Rule("account"),
    ("POST", "/{lang}/c/{slug}/watch"): Rule("account"),
    ("GET", "/api/v1/me/notifications"): Rule("account"),
    ("GET", "/api/v1/me/notifications/count"): Rule("account"),
    ("POST", "/api/v1/me/notifications/read"): Rule("account", body={"ids": []}),
    ("GET", "/api/v1/me/notification-preferences"): Rule("account"),
    ("PUT", "/api/v1/me/notification-preferences"): Rule("account", body={"kinds": {}}),
    ("GET", "/api/v1/me/watched-threads"): Rule("account"),
    ("PUT", "/api/v1/threads/{thread_id}/watch"): Rule("account", body={"level": "normal"}),
    ("PUT", "/api/v1/categories/{slug}/watch"): Rule("account", body={"level": "normal"}),
    ("GET", "/api/v1/members/mentionable"): Rule("account"),
    # ---- review: administrators
    ("GET", "/{lang}/admin/audit"): Rule("admin"),
    ("GET", "/{lang}/admin/audit.csv"): Rule("admin"),
    ("GET", "/{lang}/admin/roles"): Rule("admin"),
    ("POST", "/{lang}/admin/roles"): Rule("admin"),
}
# Routes that end the session or change the password run last, so they do not log the others out
# (and forgetting every browser, so that forgetting one finds its browser).
LAST = {"/{lang}/account/devices/forget-all", "/{lang}/account/logout", "/api/v1/session",
        "/{lang}/account/sessions/close-all",
        "/{lang}/account/sessions/close-others", "/{lang}/account/sessions/{session_id}/close",
        "/{lang}/account/delete", "/{lang}/account/password", "/{lang}/account/recover",
        "/{lang}/account/login", "/{lang}/account/signup", "/api/v1/me"}
PSEUDONYMS = {"member": "Membre", "other_lang_moderator": "ModoNL", "moderator": "Modo", "admin": "Admin"}


def test_every_route_has_an_access_rule(app) -> None:  # type: ignore[no-untyped-def]
    served = {(method, route.path) for route in route_table(app) for method in route.methods}
    assert sorted(served - set(ACCESS)) == [], "routes with no entry in ACCESS: say who may use them"
    assert sorted(set(ACCESS) - served) == [], "entries in ACCESS for routes that no longer exist"


@dataclass
class World:
    ids: dict[str, str]


def _world(session: Session, settings: Settings) -> World:
    """One of each thing a route can name, the member role owning its own ones."""
    # Exports requested here are only queued (a worker beside the app would build them), by the fast rules.
    settings.research.worker, settings.research.anonymiser = "external", "rules"
    public = make_category(session, "tapering-now")
    make_category(session, "relatives", visibility=Visibility.members)
    author = make_user(session, "Auteur")
    member = make_user(session, "Membre")
    make_user(session, "ModoNL", role=Role.moderator, moderated_langs="nl")
    modo = make_user(session, "Modo", role=Role.moderator, moderated_langs="fr")
    make_user(session, "Admin", role=Role.admin)
    thread = make_thread(session, category=public, author=author, title="Un fil", body="Bonjour à tous.")
    crisis = make_reply(session, posted=thread, author=author, body=CRISIS)
    own = make_thread(session, category=public, author=member, title="Mon fil", body="Mon premier message.")
    disposable = make_reply(session, posted=own, author=member, body="Un message à supprimer.")
    disposable_api = make_reply(session, posted=own, author=member, body="Un autre message à supprimer.")
    item = open_item(session, crisis.post.id)
    warned = decisions.act(session, settings, target=Target(post=None, thread=None, member=member), actor=modo,
                           data=DecisionInput(action="warn", reason="Un rappel des règles.", rule="respect"))
    assert warned.statement is not None
    conversation = messages.start(session, moderator=modo, member=member, subject="Bonjour", body="Comment ça va ?")
    notification = session.scalar(select(Notification).where(Notification.user_id == member.id))
    assert notification is not None  # the statement above, in the member's notifications
    notice = create_report(session, settings, post=thread.post, reporter=None, location="/fr/p/1",
                           data=ReportInput(reason="illegal", text="Illégal.", good_faith=True))
    for user in session.scalars(select(User)):
        log(session, user, TODAY)
        log(session, user, TODAY - dt.timedelta(days=2))
        log(session, user, TODAY - dt.timedelta(days=3))
    link, token = sharing.create_share_link(session, user=member, label="Médecin")
    project = research_projects.apply(session, applicant=member, title="Sevrage et sommeil", institution="UCLouvain",
                                      purpose="Comprendre.", ethics_ref="CE-2026-01", data_requested="Fils.",
                                      retention="Deux ans.", accept_terms=True)
    research_projects.approve(session, project=project, actor=None, expires_on=TODAY + dt.timedelta(days=365))
    export = Export(project_id=project.id, requested_by_id=member.id, format=ExportFormat.jsonl,
                    status=ExportStatus.ready)
    session.add(export)
    session.flush()
    canned.seed_canned_replies(session)
    plan_id = _plan(session, member)
    devices.issue(session, settings, user=member, presented=devices.read(session, settings, None))
    device_id = session.scalar(select(DeviceCookie.id).where(DeviceCookie.user_id == member.id))
    session.commit()
    assert notice.token is not None
    return World(ids={
        "lang": "fr", "slug": "tapering-now", "resource": "house-rules", "step": "privacy",
        "thread_id": str(thread.thread.id), "post_id": str(thread.post.id), "own_post": str(own.post.id),
        "disposable_post": str(disposable.post.id), "disposable_post_api": str(disposable_api.post.id),
        "item_id": str(item.id), "statement_id": str(warned.statement.id), "conversation_id": str(conversation.id),
        "notice_id": f"{notice.report.id}?token={notice.token}", "report_id": str(notice.report.id),
        "user_id": str(member.id), "member_id": str(member.id), "author_id": str(author.id),
        "reply_id": "1", "entry_lang": "fr", "entry_id": "fr.stigma.toxicos", "session_id": "999999",
        "day": TODAY.isoformat(), "past_day": (TODAY - dt.timedelta(days=2)).isoformat(),
        "past_day_api": (TODAY - dt.timedelta(days=3)).isoformat(), "plan_id": str(plan_id),
        "link_id": str(link.id), "token": token, "project_id": str(project.id), "export_id": str(export.id),
        "notification_id": str(notification.id), "device_id": str(device_id),
    })


def _plan(session: Session, member: Any) -> int:
    plan = plans.create_plan(session, user=member, data=plans.PlanInput(drug="lormetazepam", start_dose_mg=2.0,
                                                                        start_date=TODAY))
    return int(plan.id)


def _path(template: str, rule: Rule, world: World) -> str:
    path = template
    names = {**{k: k for k in world.ids}, **rule.params}
    for name in ("lang", "slug", "thread_id", "post_id", "item_id", "statement_id", "conversation_id", "report_id",
                 "user_id", "reply_id", "entry_lang", "entry_id", "session_id", "day", "plan_id", "link_id", "token",
                 "step", "project_id", "export_id", "notification_id", "device_id"):
        if "{" + name + "}" in path:
            path = path.replace("{" + name + "}", world.ids[names.get(name, name)])
    return path


def _answer(status: int, location: str, api: bool, method: str) -> str:
    if status >= 500:
        return f"server error {status}"
    if status == 401 or (status == 303 and "/account/login" in location and not api and method == "GET"):
        return LOGIN
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    return OK if status in (200, 201, 202, 204, 303, 307, 308, 409, 422, 429) else f"status {status}"


def _login(client: TestClient, role: str) -> str:
    client.cookies.clear()
    if role != "visitor":
        html_login(client, PSEUDONYMS[role])
    return csrf_from(client.get("/fr/account/login" if role == "visitor" else "/fr/account").text)


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(role: str, app, client: TestClient, session: Session,  # type: ignore[no-untyped-def]
                              settings: Settings) -> None:
    world = _world(session, settings)
    routes = sorted(((m, r.path) for r in route_table(app) for m in r.methods),
                    key=lambda mp: (mp[1] in LAST, mp[0] != "GET", mp[1]))
    token = _login(client, role)
    wrong = []
    for method, template in routes:
        rule = ACCESS[(method, template)]
        path = _path(template, rule, world)
        api = path.startswith("/api/")
        headers = {"X-CSRF-Token": token}
        if method == "GET":
            response = client.get(path, follow_redirects=False)
        elif api:
            response = client.request(method, path, json=rule.body if rule.body is not None else {}, headers=headers,
                                      follow_redirects=False)
        else:
            response = client.request(method, path, data=rule.body if rule.body is not None else NO_BODY,
                                      headers=headers, follow_redirects=False)
        expected = rule.exceptions.get(role, EXPECT[rule.access][role])
        got = _answer(response.status_code, response.headers.get("location", ""), api, method)
        if got != expected:
            wrong.append(f"{method} {template} as {role}: expected {expected}, got {got} ({response.status_code})")
        if method != "GET" and role != "visitor" and client.get("/api/v1/me").status_code != 200:
            token = _login(client, role)  # that route ended the session (logout, close sessions)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("with_token", [True, False], ids=["token", "no-token"])
@pytest.mark.parametrize("well_formed", [False, True], ids=["unreadable-body", "well-formed-body"])
@pytest.mark.parametrize("cookie", [None, "a-session-that-is-gone"])
def test_a_logged_out_caller_is_told_401_before_any_csrf_or_validation_answer(
        cookie: str | None, well_formed: bool, with_token: bool, app, client: TestClient,  # type: ignore[no-untyped-def]
        session: Session, settings: Settings) -> None:
    """FastAPI decodes a JSON body before any dependency runs, and the API's CSRF check runs before the route's
    own viewer check: a visitor was told 422 for an unreadable body and 403 for a well-formed one without a
    token (outsider walks). Every member route under /api/v1 says 401 first, whatever was sent."""
    world = _world(session, settings)
    client.cookies.clear()
    if cookie is not None:
        client.cookies.set("tk_session", cookie)
    token = csrf_from(client.get("/fr/account/login").text)  # bound to the cookies as they are
    headers = {"Content-Type": "application/json", **({"X-CSRF-Token": token} if with_token else {})}
    wrong = []
    for route in route_table(app):
        for method in route.methods - {"GET", "HEAD"}:
            rule = ACCESS[(method, route.path)]
            if not route.path.startswith("/api/") or rule.access == "credentials" \
                    or EXPECT[rule.access]["visitor"] != LOGIN:
                continue
            content = json.dumps(rule.body if rule.body is not None else {}).encode() if well_formed \
                else b'{"body": "cut sh'
            response = client.request(method, _path(route.path, rule, world), content=content, headers=headers)
            if response.status_code != 401:
                wrong.append(f"{method} {route.path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
