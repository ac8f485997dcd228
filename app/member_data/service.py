"""Export and erasure of a member's data. Each domain contributes through its own service.

This package sits above every domain it gathers from: the domains never import
it, and it never touches their tables itself (its own download table aside).

- Download (GDPR arts. 15 and 20): asked for, then prepared in the background
  (`build_pending`), kept EXPORT_KEEP_DAYS, then deleted by housekeeping.
- Erasure (art. 17): asked for with the password; final after ERASURE_GRACE_DAYS
  unless the member logs in before; then done by housekeeping (`erase_due`),
  posts' text erased or kept under "former member" as chosen, the search index
  following through the outbox. When the member chose to erase their posts'
  text, it is withheld from everyone at once (forum/erasure.py) and comes back
  if they log in before the end. From the request on, no research export holds
  them (research.service.consenting_members).
- The pseudonym: once the account is deleted nothing keeps it (keeping it, even
  hashed, would keep a trace of the member), so anyone may sign up with it or a
  look-alike at once. Before that, `erase_now` turns every @mention of the member
  in others' posts, their earlier versions and thread titles into a neutral "@…"
  (forum.quotes.erase_mentions_of), their HTML rendered again and their search
  documents and cached pages following as after an edit: an old mention never
  points at the newcomer.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import logging
import zipfile
from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import i18n, idempotency
from app.accounts import service as accounts
from app.accounts.models import User
from app.db import Database, after_commit, serialize, utcnow
from app.diary import export as diary_export
from app.diary import service as diary
from app.errors import NotFound, Problems, ValidationFailed
from app.forum import erasure as forum_erasure
from app.forum import service as forum
from app.i18n_markers import N_
from app.member_data.models import DataExport, ExportStatus
from app.notifications import service as notifications
from app.research import service as research
from app.review import personal as review
from app.search import documents as search_documents
from app.settings import Settings

log = logging.getLogger("forum.member_data")
ERASURE_GRACE_DAYS = 7
EXPORT_KEEP_DAYS = 7

# Each domain's part of the download, under its own key.
EXPORTERS: dict[str, Callable[[Session, User], object]] = {
    "account": lambda session, user: accounts.export_account(session, user=user),
    "forum": lambda session, user: forum.export_member_content(session, user=user),
    "diary": lambda session, user: diary_export.export_member_diary(session, user=user),
    "research": lambda session, user: research.export_member_research(session, user=user),
    "moderation": lambda session, user: review.export_member(session, user=user),
    "notifications": lambda session, user: notifications.export_member_notifications(session, user=user),
    "api_requests": lambda session, user: idempotency.export_member(session, user_id=user.id),
}


def export_member_data(session: Session, *, user: User) -> dict[str, object]:
    """Everything the forum keeps about the member, as one JSON-ready mapping."""
    return {"exported_at": utcnow().isoformat(), **{key: export(session, user) for key, export in EXPORTERS.items()}}


# ---------------------------------------------------------------- the download, prepared in the background
def request_export(session: Session, *, user: User) -> DataExport:
    """Ask for a fresh download; it is prepared right after this transaction commits.

    Asked twice at once (a double click, two tabs), the second waits for the first and replaces its
    download, instead of inserting the member's one row a second time (a 500 on PostgreSQL).
    """
    serialize(session, "member-data-export", user.id)
    session.execute(delete(DataExport).where(DataExport.user_id == user.id))
    export = DataExport(user_id=user.id, status=ExportStatus.pending, requested_at=utcnow())
    session.add(export)
    session.flush()
    db = session.info.get("db")
    if isinstance(db, Database):
        after_commit(session, lambda: start_building(db), key="member-data-export")
    return export


def current_export(session: Session, *, user: User) -> DataExport | None:
    """The member's download, pending or ready; None when there is none or it has expired (awaiting housekeeping)."""
    export = session.get(DataExport, user.id)
    if export is None or (export.expires_at is not None and export.expires_at <= utcnow()):
        return None
    return export


def get_export(session: Session, *, user: User) -> DataExport:
    export = current_export(session, user=user)
    if export is None:
        raise NotFound(N_("You have not asked for a download yet, or it has expired: ask for a new one."))
    return export


def start_building(db: Database) -> None:
    import threading

    threading.Thread(target=build_pending, args=(db,), name="member-data-export", daemon=True).start()


def build_pending(db: Database) -> int:
    """Prepare every download asked for (also run by housekeeping, should a process stop first)."""
    with db.session(write=False) as session:
        pending = list(session.scalars(select(DataExport.user_id).where(DataExport.status == ExportStatus.pending)))
    built = 0
    for user_id in pending:
        with db.session() as session:
            export = session.get(DataExport, user_id)
            user = session.get(User, user_id)
            if export is None or user is None or export.status != ExportStatus.pending:
                continue
            export.archive = build_archive(session, user=user)
            export.status, export.ready_at = ExportStatus.ready, utcnow()
            export.expires_at = export.ready_at + dt.timedelta(days=EXPORT_KEEP_DAYS)
            session.commit()
            built += 1
    return built


def build_archive(session: Session, *, user: User) -> bytes:
    """The zip: profile and sessions, posts in Markdown and HTML, diary in CSV and JSON, moderation, research.

    What a person reads (README.txt, posts.md, posts.html, the CSV's header row)
    is in the member's language; the JSON files keep their fixed keys and values
    for other programs (the README says so).
    """
    data = export_member_data(session, user=user)
    account = dict(data["account"])  # type: ignore[call-overload]
    sessions = account.pop("sessions", [])
    forum_part = data["forum"]
    posts = forum_part["posts"] if isinstance(forum_part, dict) else []
    locale = user.locale if user.locale in i18n.LOCALES else "fr"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, i18n.using_locale(locale):
        def add(name: str, text: str) -> None:
            archive.writestr(name, text.encode("utf-8"))

        add("README.txt", _readme(str(data["exported_at"]), locale))
        add("profile.json", _json({"exported_at": data["exported_at"], **account,
                                   "api_requests": data["api_requests"]}))
        add("sessions.json", _json(sessions))
        add("posts.md", _posts_markdown(posts, locale))
        add("posts.html", _posts_html(posts, locale))
        add("posts.json", _json(forum_part))
        add("diary.json", _json(data["diary"]))
        add("diary.csv", diary_export.export_csv(session, user=user))
        add("moderation.json", _json(data["moderation"]))
        add("research.json", _json(data["research"]))
        add("notifications.json", _json(data["notifications"]))
    return buffer.getvalue()


SITE_NAME = "Trèfle · Klaver"
# The files of the zip, as README.txt lists them.
ARCHIVE_FILES = {
    "profile.json": N_("your account: pseudonym, role, languages and settings, recognised devices, and the "
                       "answers kept for a day so that an app's retried request does not post twice"),
    "sessions.json": N_("your sessions: the devices where you are logged in"),
    "posts.md": N_("your posts, as you wrote them (Markdown)"),
    "posts.html": N_("your posts, as a page any browser opens"),
    "posts.json": N_("your posts and reactions, with their ids"),
    "diary.csv": N_("your diary, one line per day: it opens in a spreadsheet"),
    "diary.json": N_("your diary: days, taper plans and share links"),
    "moderation.json": N_("moderation: statements, appeals, your reports, messages with moderators, "
                          "sanctions and notes about you"),
    "research.json": N_("your research consent and its history"),
    "notifications.json": N_("your notifications and the threads you follow"),
}
# A post's status in the member's words (forum.models.PostStatus values).
POST_STATUSES = {"published": N_("Published"), "held": N_("Waiting for a moderator"),
                 "hidden": N_("Hidden by the moderators"), "removed": N_("Removed by the moderators"),
                 "deleted": N_("Deleted by you")}


def _readme(exported_at: str, locale: str) -> str:
    when = i18n.format_day_and_time(dt.datetime.fromisoformat(exported_at), locale)
    lines = [
        i18n.gettext("%(site)s: all the data this forum keeps about you, as of %(date)s.", site=SITE_NAME,
                     date=when),
        "",
        i18n.gettext("Every file is UTF-8 text:"),
        *["- " + i18n.gettext("%(file)s: %(content)s", file=name, content=i18n.gettext(what))
          for name, what in ARCHIVE_FILES.items()],
        "",
        i18n.gettext("In diary.csv, symptoms are rated from 0 (none) to 3 (severe) and mood from 1 (very low) to "
                     "5 (very good); an empty cell was not filled in. Numbers use a decimal point."),
        i18n.gettext("The .json files use fixed English names and values, so that other programs can read them "
                     "whatever your language; diary.csv has the same columns in the same order as the days "
                     "in diary.json."),
    ]
    return "\n".join(lines) + "\n"


def _status(status: object) -> str:
    label = POST_STATUSES.get(str(status))
    return i18n.gettext(label) if label else str(status)


def _posted(post: dict[str, object], locale: str) -> str:
    return i18n.format_day_and_time(dt.datetime.fromisoformat(str(post["created_at"])), locale)


def _posts_markdown(posts: list[dict[str, object]], locale: str) -> str:
    return "\n\n---\n\n".join(
        f"## {p['thread_title']}\n\n*{_posted(p, locale)} · {_status(p['status'])}*\n\n{p['body']}" for p in posts)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)


def _posts_html(posts: list[dict[str, object]], locale: str) -> str:
    # Built from the Markdown the member typed, escaped: the file opens in any browser and runs nothing.
    items = "\n".join(
        f"<article><h2>{html.escape(str(p['thread_title']))}</h2>"
        f"<p><time datetime=\"{html.escape(str(p['created_at']))}\">{html.escape(_posted(p, locale))}</time>"
        f" · {html.escape(_status(p['status']))}</p>"
        f"<pre>{html.escape(str(p['body']))}</pre></article>" for p in posts
    )
    title = html.escape(i18n.gettext("Your posts"))
    head = (f'<!doctype html>\n<html lang="{locale}"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body>\n<h1>{title}</h1>")
    return f"{head}\n{items}\n</body></html>\n"


def purge_expired_exports(session: Session) -> int:
    result = session.execute(delete(DataExport).where(DataExport.expires_at.is_not(None),
                                                      DataExport.expires_at <= utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- erasure after a grace period
def request_erasure(session: Session, settings: Settings, *, user: User, password: str, confirmed: bool,
                    keep_posts: bool, client_key: str) -> dt.datetime:
    """Schedule the account's erasure after the member confirmed with their password; returns when it is final.

    Every session is closed; logging in again before that date cancels it.
    """
    problems = Problems()  # both fields' problems at once, in the form's order
    # Counted as a log-in attempt, refused (RateLimited) as one: no more guesses here than at the log-in form.
    problems.check(accounts.confirm_password, session, settings, user=user, password=password,
                   field="delete_password", client_key=client_key)
    if not confirmed:
        problems.errors.append(
            ValidationFailed(N_("Tick the box to confirm that you want to delete your account."), field="confirm"))
    problems.raise_any()
    final = utcnow() + dt.timedelta(days=ERASURE_GRACE_DAYS)
    accounts.schedule_erasure(session, user=user, at=final, keep_posts=keep_posts)
    if not keep_posts:  # health data the member takes back: out of everyone's sight now, erased at `final`
        forum_erasure.withdraw_member_posts(session, user=user)
        # Others' posts that mention them: their documents leave the name out meanwhile (search.documents).
        search_documents.queue_mentions_of(session, user.pseudonym)
    return final


def _restore(session: Session, user: User) -> None:
    forum_erasure.restore_member_posts(session, user=user)
    if not user.erase_keep_posts:  # the mentions of them come back into others' posts' documents
        search_documents.queue_mentions_of(session, user.pseudonym)


def connect() -> None:
    """Logging in during the grace period cancels the erasure: the posts withheld come back (app/wiring.py)."""
    accounts.on_erasure_cancelled(_restore)


def withdraw_pending(db: Database) -> int:
    """Housekeeping: make sure every account awaiting erasure with its posts' text shows none of it.

    `request_erasure` withdraws at once; this covers requests made before that
    existed. One transaction per member, under the account row's lock, so a
    log-in that cancels the erasure at the same moment is never undone.
    """
    with db.session(write=False) as session:
        pending = [u.id for u in accounts.list_pending_erasures(session, keep_posts=False)]
    withdrawn = 0
    for user_id in pending:
        with db.session() as session:
            user = session.get(User, user_id, with_for_update=True)
            if user is None or not user.posts_withdrawn:
                continue  # logged in meanwhile, or erased
            newly = forum_erasure.withdraw_member_posts(session, user=user)
            if newly:  # a request made before it withdrew at once: the mentions' documents were not redone either
                search_documents.queue_mentions_of(session, user.pseudonym)
            withdrawn += len(newly)
            session.commit()
    return withdrawn


def erase_now(session: Session, *, user: User, remove_posts: bool) -> None:
    """The final erasure: the diary and research consent always go; posts' text too when the member chose so."""
    naming = forum_erasure.posts_naming_member(session, user=user)  # read before quotes and mentions are rewritten
    if remove_posts:
        erased = forum_erasure.erase_member_posts(session, user=user)  # through the ORM: the search outbox follows
        review.forget_posts(session, post_ids=erased)
    forum_erasure.erase_mentions_of_member(session, user=user, naming=naming)  # the name is free from now on
    idempotency.erase_member(session, user_id=user.id, naming_post_ids=naming)  # answers kept for retries
    diary.erase_member_diary(session, user=user)
    research.erase_member_research(session, user=user)
    notifications.erase_member(session, user=user)
    accounts.delete_account(session, user=user)


def erase_due(db: Database) -> int:
    """Housekeeping: erase every account whose grace period is over, one transaction each."""
    with db.session(write=False) as session:
        due = [u.id for u in accounts.list_due_erasures(session, now=utcnow())]
    for user_id in due:
        with db.session() as session:
            user = session.get(User, user_id)
            if user is None or user.erase_at is None or user.erase_at > utcnow():
                continue  # logged in meanwhile
            erase_now(session, user=user, remove_posts=not user.erase_keep_posts)
            session.commit()
    return len(due)
