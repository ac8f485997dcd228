"""Research tables: members' consent (current answers and their history), "never quote" marks,
research projects with their members, and export jobs.

Consent rows hang off ``accounts_users`` with ``ON DELETE CASCADE``: deleting an
account deletes its consent and its history, so nothing of the member is
exported afterwards. Export jobs keep no key and no member identifier: the
pseudonym key of an export lives only in the process that builds it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, TimestampMixin, UTCDateTime, utcnow


class ConsentScope(StrEnum):
    posts = "posts"
    diary = "diary"


class Consent(Base):
    """A member's current answers. No row means the default: no consent to anything."""

    __tablename__ = "research_consents"

    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), primary_key=True)
    posts: Mapped[bool] = mapped_column(Boolean, default=False)
    diary: Mapped[bool] = mapped_column(Boolean, default=False)
    # The consent text version each "yes" was given under (None while the answer is "no").
    posts_version: Mapped[int | None] = mapped_column(Integer, default=None)
    diary_version: Mapped[int | None] = mapped_column(Integer, default=None)
    # The newest version this member has been asked about: a new version asks once.
    asked_version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ConsentEvent(TimestampMixin, Base):
    """Append-only history: every grant and every withdrawal, with its date and the text shown."""

    __tablename__ = "research_consent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    scope: Mapped[ConsentScope] = mapped_column(String(8))
    granted: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)
    lang: Mapped[str] = mapped_column(String(2))
    # SHA-256 of the consent text as shown, so the exact wording can be proven later.
    text_sha256: Mapped[str] = mapped_column(String(64))


class NeverQuote(TimestampMixin, Base):
    """A post its author asked never to be quoted, even with permission."""

    __tablename__ = "research_never_quote"

    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)


class ProjectStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    declined = "declined"


class Project(TimestampMixin, Base):
    __tablename__ = "research_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    institution: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    ethics_ref: Mapped[str] = mapped_column(String(120))
    data_requested: Mapped[str] = mapped_column(Text, default="")
    retention: Mapped[str] = mapped_column(Text, default="")
    terms_version: Mapped[int | None] = mapped_column(Integer, default=None)
    status: Mapped[ProjectStatus] = mapped_column(String(16), default=ProjectStatus.pending, index=True)
    expires_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    # Shown to the applicant when a project is declined.
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))

    applicant: Mapped[User | None] = relationship(foreign_keys=[applicant_id], lazy="raise")

    def is_active(self, today: dt.date) -> bool:
        """Approved and not expired: the only state in which exports are made or downloaded."""
        return self.status == ProjectStatus.approved and self.expires_on is not None and self.expires_on >= today


class ProjectRole(StrEnum):
    lead = "lead"
    member = "member"


class ProjectMember(TimestampMixin, Base):
    __tablename__ = "research_project_members"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("research_projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    role: Mapped[ProjectRole] = mapped_column(String(8), default=ProjectRole.member)
    # Each researcher accepts the data-use terms personally before touching any export.
    terms_version: Mapped[int | None] = mapped_column(Integer, default=None)
    terms_accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)

    user: Mapped[User] = relationship(lazy="raise")


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    #: The same CSV for Excel with Belgian settings: a byte-order mark, ";" between cells, decimal commas.
    csv_excel = "csv_excel"
    convokit = "convokit"


class ExportStatus(StrEnum):
    queued = "queued"
    running = "running"
    ready = "ready"
    failed = "failed"
    expired = "expired"  # downloadable period over; the file is deleted


class Export(TimestampMixin, Base):
    """One export job: its options, progress and result. The file itself lives in the export store."""

    __tablename__ = "research_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("research_projects.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    format: Mapped[ExportFormat] = mapped_column(String(10))
    # Scope and content choices (see schemas.ExportOptions).
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[ExportStatus] = mapped_column(String(10), default=ExportStatus.queued, index=True)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    # Touched while the job runs; a running job whose heartbeat stops is taken over.
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None, index=True)
    # Name inside the export store; empty for an export written elsewhere by the CLI.
    file_name: Mapped[str] = mapped_column(String(120), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")

    requested_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.ready:
            return 100
        if not self.progress_total:
            return 0
        return min(99, int(100 * self.progress_done / self.progress_total))
