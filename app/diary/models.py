"""Diary tables: settings, daily entries, versioned taper plans, share links, taper lines.

Everything a member writes here is health data and belongs to them: every row
hangs off ``accounts_users`` with ``ON DELETE CASCADE``, so deleting the account
deletes the diary in the same statement. Nothing here is ever queued for the
search index.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, TimestampMixin, UTCDateTime, utcnow


class DiaryVisibility(StrEnum):
    private = "private"  # the default: only the member (and their share links)
    members = "members"  # logged-in members may read the summary


class DiarySettings(Base):
    """One row per member who changed a setting; a missing row means the defaults."""

    __tablename__ = "diary_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), primary_key=True)
    visibility: Mapped[DiaryVisibility] = mapped_column(String(16), default=DiaryVisibility.private)
    taper_line: Mapped[bool] = mapped_column(Boolean, default=False)
    # Questions the member wants to ask at the next consultation (printed with the summary).
    questions: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Entry(TimestampMixin, Base):
    """One day of the diary; a second entry for the same day updates this one."""

    __tablename__ = "diary_entries"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    # Sum of the medications' diazepam equivalents at the time of saving. None: no
    # medication logged that day; 0: the member logged that they took none.
    diazepam_mg: Mapped[float | None] = mapped_column(Float, default=None)
    symptoms: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    sleep_hours: Mapped[float | None] = mapped_column(Float, default=None)
    mood: Mapped[int | None] = mapped_column(Integer, default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    medications: Mapped[list[EntryMedication]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="EntryMedication.position",
        back_populates="entry", passive_deletes=True,
    )

    @property
    def symptom_score(self) -> int:
        return sum(self.symptoms.values())


class EntryMedication(Base):
    __tablename__ = "diary_entry_medications"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("diary_entries.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    drug: Mapped[str] = mapped_column(String(80))  # as the member typed it (brand or molecule)
    molecule: Mapped[str] = mapped_column(String(40))
    dose_mg: Mapped[float] = mapped_column(Float)
    diazepam_mg: Mapped[float] = mapped_column(Float)

    entry: Mapped[Entry] = relationship(lazy="raise", back_populates="medications")


class TaperPlan(TimestampMixin, Base):
    """One version of a member's plan. Changing a plan adds a version; old ones stay.

    The computed steps are stored with the parameters, so the plan a member
    discussed with their doctor never changes under them when the reference
    data is updated.
    """

    __tablename__ = "diary_plans"
    __table_args__ = (
        UniqueConstraint("user_id", "version"),
        # One current plan per member, held by the database itself (issue 9: plans saved at once
        # left several "current" ones).
        Index("uq_diary_plans_current_per_member", "user_id", unique=True,
              postgresql_where=text("superseded_at IS NULL"), sqlite_where=text("superseded_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    drug: Mapped[str] = mapped_column(String(80))
    molecule: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(16))  # percent | end_date | fixed
    start_date: Mapped[dt.date] = mapped_column(Date)
    start_dose_mg: Mapped[float] = mapped_column(Float)
    interval_days: Mapped[int] = mapped_column(Integer)
    percent: Mapped[float | None] = mapped_column(Float, default=None)
    amount_mg: Mapped[float | None] = mapped_column(Float, default=None)
    end_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    ceiling_percent: Mapped[float] = mapped_column(Float)
    # [[step_index, days], ...] in the order the member asked for them.
    holds: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The member confirmed on the form that their pharmacy has the tablets (and
    # splits) the medication reference could not verify in a Belgian text.
    tablets_confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class ShareLink(TimestampMixin, Base):
    """A revocable read-only link to the diary summary. Only the token's hash is stored."""

    __tablename__ = "diary_share_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(80), default="")
    # What the link opens; only "summary" exists, and the route checks it.
    scope: Mapped[str] = mapped_column(String(16), default="summary")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)


class TaperLine(Base):
    """The opt-in line under a member's forum posts, denormalised from the diary.

    Kept so that a thread page reads every author's line in one query. A row
    exists only while the member has opted in and has logged a dose; the day
    count is computed when the page is shown, in the reader's language.
    """

    __tablename__ = "diary_taper_lines"

    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), primary_key=True)
    # A molecule key, or "" when the diary mixes medications (the line then
    # speaks in diazepam equivalents).
    molecule: Mapped[str] = mapped_column(String(40), default="")
    first_dose_mg: Mapped[float] = mapped_column(Float)
    latest_dose_mg: Mapped[float] = mapped_column(Float)
    started_on: Mapped[dt.date] = mapped_column(Date)
    stopped_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    members_can_view: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class MedicationDataReport(TimestampMixin, Base):
    """A member's report of an error in the medication reference (a strength, a break line, an equivalent).

    It concerns the shared reference data, not the member's diary: it goes to
    the moderators, who pass confirmed errors to the maintainers. The form asks
    for no personal health details; the report outlives the account (the
    reporter becomes "former member"), like reports on posts.
    """

    __tablename__ = "diary_medication_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"),
                                                    index=True)
    lang: Mapped[str] = mapped_column(String(2))
    # The molecule key when the medication was recognised, else "".
    molecule: Mapped[str] = mapped_column(String(40), default="")
    # What the member named: "Temesta 2,5 mg".
    product: Mapped[str] = mapped_column(String(120), default="")
    text: Mapped[str] = mapped_column(Text)
    # Where the right value can be read: a leaflet, an SmPC section, the package.
    evidence: Mapped[str] = mapped_column(String(500), default="")
    # The diary page it was sent from ("plan", "plan_form", ...).
    page: Mapped[str] = mapped_column(String(20), default="")
    # open, then what the moderators made of it: passed_on | no_error.
    status: Mapped[str] = mapped_column(String(16), default="open")
    # Its item in the moderators' queue, set by the review domain's listener (no foreign key: the
    # diary knows nothing of the review tables, which are built on top of it).
    queue_item_id: Mapped[int | None] = mapped_column(Integer, index=True, default=None)
