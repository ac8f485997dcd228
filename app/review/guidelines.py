"""The wording guidelines edited from the web: versioned entries layered over the lexicon files.

Each change is a new `GuidelineRevision` (author, reason, the full entry), so
the history is complete and nothing is overwritten. The newest revision of
each entry forms a `moderation.Overlay` that the engine applies over its
files. Every app process installs a new overlay within seconds: the process
that saved it right after the commit, the others when their watcher sees the
revision count move (`GuidelinesWatcher`).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import moderation
from app.accounts.models import User
from app.db import Database, after_commit, utcnow
from app.errors import NotFound, ValidationFailed
from app.i18n import LOCALES
from app.i18n_markers import N_
from app.plain_text import quoted, refuse_bidi_overrides, strip_controls
from app.review import audit
from app.review.models import GuidelineRevision

log = logging.getLogger("forum.guidelines")
FIELD_MAX = 40  # patterns, suggestions and examples per entry
# Ordinary sentences no guideline should catch: an entry that matches one would flag every post.
NEUTRAL = {
    "fr": ("Bonjour à toutes et à tous, je m'appelle Marie et j'habite près de Namur.",
           "Merci pour vos messages, ils m'ont fait du bien aujourd'hui.",
           "J'ai vu mon médecin ce matin et nous avons parlé de mon sommeil."),
    "nl": ("Hallo allemaal, ik ben Jan en ik woon in de buurt van Gent.",
           "Bedankt voor jullie berichten, ze deden me vandaag goed.",
           "Ik ben vanmorgen bij mijn huisarts geweest en we hebben over mijn slaap gepraat."),
    "en": ("Hello everyone, my name is Sam and I live near Brussels.",
           "Thank you for your messages, they helped me today.",
           "I saw my doctor this morning and we talked about my sleep."),
}


@dataclass(frozen=True)
class EntryView:
    """One entry as the editor lists it: in force now, where it comes from, and its latest web revision."""

    entry: moderation.Entry
    origin: str  # "file", "changed" (a file entry edited from the web) or "web"
    enabled: bool
    revision: GuidelineRevision | None


@dataclass
class EntryInput:
    category: str
    severity: str
    patterns: list[str]
    suggestions: list[str]
    explanation: str
    examples: list[str]
    reason: str
    enabled: bool = True


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()][:FIELD_MAX]


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:40]


def _latest(session: Session, lang: str | None = None) -> list[GuidelineRevision]:
    newest = select(GuidelineRevision.lang, GuidelineRevision.entry_id,
                    func.max(GuidelineRevision.version).label("version")).group_by(
        GuidelineRevision.lang, GuidelineRevision.entry_id)
    if lang:
        newest = newest.where(GuidelineRevision.lang == lang)
    sub = newest.subquery()
    return list(session.scalars(select(GuidelineRevision).join(
        sub, (sub.c.lang == GuidelineRevision.lang) & (sub.c.entry_id == GuidelineRevision.entry_id)
        & (sub.c.version == GuidelineRevision.version)).order_by(GuidelineRevision.id)))


def _raw(revision: GuidelineRevision | EntryInput, entry_id: str) -> dict[str, Any]:
    return {"id": entry_id, "category": revision.category, "severity": revision.severity,
            "patterns": list(revision.patterns), "suggestions": list(revision.suggestions),
            "explanation": revision.explanation, "examples": list(revision.examples), "source": "web"}


def overlay_version(session: Session) -> str:
    newest = session.scalar(select(func.max(GuidelineRevision.id)))
    return f"db-{newest}" if newest else ""


def build_overlay(session: Session) -> moderation.Overlay:
    """The engine's overlay from the newest revision of each entry."""
    entries, disabled = [], []
    for revision in _latest(session):
        if not revision.enabled:
            disabled.append(revision.entry_id)
            continue
        try:
            entries.append(moderation.build_entry(_raw(revision, revision.entry_id), revision.lang))
        except ValueError:  # saved under older rules that it no longer passes: keep the rest working
            log.exception("guideline revision %s no longer loads; skipped", revision.id)
    return moderation.make_overlay(overlay_version(session), entries, disabled)


def refresh(session: Session) -> bool:
    """Install the database's overlay if it is not the one in use; True when it changed."""
    version = overlay_version(session)
    if version == moderation.current_overlay().version:
        return False
    moderation.install_overlay(build_overlay(session))
    return True


def list_entries(session: Session, lang: str) -> list[EntryView]:
    """Every entry of a language: the files' (as changed from the web), then those added from the web."""
    revisions = {r.entry_id: r for r in _latest(session, lang)}
    views = []
    for entry in moderation.load_lexicon(lang).entries:
        revision = revisions.pop(entry.id, None)
        shown = _entry_of(revision, lang) if revision is not None else entry
        views.append(EntryView(entry=shown or entry, origin="changed" if revision else "file",
                               enabled=revision.enabled if revision else True, revision=revision))
    for revision in revisions.values():
        shown = _entry_of(revision, lang)
        if shown is not None:
            views.append(EntryView(entry=shown, origin="web", enabled=revision.enabled, revision=revision))
    return views


def _entry_of(revision: GuidelineRevision, lang: str) -> moderation.Entry | None:
    try:
        return moderation.build_entry(_raw(revision, revision.entry_id), lang)
    except ValueError:
        return None


def get_entry(session: Session, lang: str, entry_id: str) -> EntryView:
    for view in list_entries(session, lang):
        if view.entry.id == entry_id:
            return view
    raise NotFound()


def history(session: Session, lang: str, entry_id: str) -> list[GuidelineRevision]:
    return list(session.scalars(select(GuidelineRevision).where(
        GuidelineRevision.lang == lang, GuidelineRevision.entry_id == entry_id).order_by(
        GuidelineRevision.version.desc())))


def new_entry_id(lang: str, category: str, name: str) -> str:
    slug = _slug(name)
    if not slug:
        raise ValidationFailed(N_("Give the entry a short name (letters or digits)."), field="name")
    return f"{lang}.{category}.web-{slug}"


def save(session: Session, *, editor: User, lang: str, entry_id: str, data: EntryInput,
         new: bool = False) -> GuidelineRevision:
    """Add a revision (a new entry, a change, or switching one off or on), checked as the files are."""
    if lang not in LOCALES:
        raise NotFound()
    reason = refuse_bidi_overrides(strip_controls(data.reason).strip(), field="reason")
    if not reason:
        raise ValidationFailed(N_("Say why you make this change: it stays in the history."), field="reason")
    views = {view.entry.id: view for view in list_entries(session, lang)}
    known = set(views)
    # A raw regular expression runs on every post: one written badly could take the server's time
    # (catastrophic backtracking). They come only from the lexicon files, reviewed with the code;
    # an entry edited here may keep the ones it has.
    kept = set(views[entry_id].entry.patterns) if entry_id in views else set()
    if any(p.strip().lstrip("=").startswith("re:") and p.strip() not in kept for p in data.patterns):
        raise ValidationFailed(N_("Regular expressions (\"re:\") come only from the reviewed lexicon files: write this "
                                  "pattern with the pattern syntax described on this page."), field="patterns")
    if new and entry_id in known:
        raise ValidationFailed(N_("An entry with this name already exists."), field="name")
    if not new and entry_id not in known:
        raise NotFound()
    if not data.explanation.strip():
        raise ValidationFailed(N_("Explain the guideline: members read this next to their words."),
                               field="explanation")
    raw = _raw(data, entry_id)
    try:
        entry = moderation.build_entry(raw, lang)
    except ValueError as exc:
        raise ValidationFailed(N_("This entry cannot be used as it is: %(detail)s"), field="patterns",
                               detail=quoted(str(exc), 200)) from exc  # it quotes the pattern, of any length
    caught = [s for s in NEUTRAL.get(lang, ()) if moderation.entry_matches(entry, s)]
    if data.enabled and caught:
        raise ValidationFailed(N_("These patterns would flag ordinary sentences, such as: %(example)s"),
                               field="patterns", example=caught[0])
    version = (session.scalar(select(func.max(GuidelineRevision.version)).where(
        GuidelineRevision.lang == lang, GuidelineRevision.entry_id == entry_id)) or 0) + 1
    revision = GuidelineRevision(
        lang=lang, entry_id=entry_id, version=version, enabled=data.enabled, category=entry.category,
        severity=entry.severity, patterns=list(entry.patterns), suggestions=list(entry.suggestions),
        explanation=data.explanation.strip(), examples=list(data.examples), author_id=editor.id,
        author_name=editor.pseudonym, reason=reason, created_at=utcnow())
    session.add(revision)
    session.flush()
    audit.record(session, actor=editor, action="guidelines.save", target_type="guideline", target_id=revision.id,
                 reason=reason, details={"lang": lang, "entry": entry_id, "version": version,
                                         "enabled": data.enabled})
    overlay = build_overlay(session)
    after_commit(session, lambda: moderation.install_overlay(overlay), key="guidelines-overlay")
    return revision


def input_from(view: EntryView, *, reason: str, enabled: bool) -> EntryInput:
    """The entry as it is, to switch it off or on with a reason."""
    entry = view.entry
    return EntryInput(category=entry.category, severity=entry.severity, patterns=list(entry.patterns),
                      suggestions=list(entry.suggestions), explanation=entry.explanation,
                      examples=list(entry.examples), reason=reason, enabled=enabled)


class GuidelinesWatcher:
    """Per app process: installs the database's overlay at start and whenever another process saved a change."""

    def __init__(self, db: Database, interval: float) -> None:
        self.db = db
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="guidelines-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def check(self) -> bool:
        with self.db.session(write=False) as session:
            return refresh(session)

    def _loop(self) -> None:
        while True:
            try:
                self.check()
            except Exception:  # the database may be busy, down or not migrated yet: try again soon
                log.warning("guidelines refresh failed", exc_info=True)
            if self._stop.wait(self.interval):
                return
