from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, TimestampMixin, UTCDateTime


class Role(StrEnum):
    member = "member"
    moderator = "moderator"
    admin = "admin"


class UserStatus(StrEnum):
    active = "active"
    deleted = "deleted"


class User(TimestampMixin, Base):
    __tablename__ = "accounts_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(30))
    # Case-folded pseudonym and its confusable skeleton: both unique, so neither
    # "Marie"/"marie" nor "Marie"/"Mаrie" (Cyrillic а) can coexist.
    pseudonym_folded: Mapped[str] = mapped_column(String(120), unique=True)
    pseudonym_skeleton: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(16), default=Role.member)
    status: Mapped[UserStatus] = mapped_column(String(16), default=UserStatus.active)
    locale: Mapped[str] = mapped_column(String(2), default="fr")
    # Comma-separated thread languages this member reads, e.g. "fr,nl".
    read_langs: Mapped[str] = mapped_column(String(16), default="fr")
    # Comma-separated content notes this member wants expanded by default.
    expand_notes: Mapped[str] = mapped_column(String(255), default="")
    published_posts: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.moderator, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def read_lang_list(self) -> list[str]:
        return [code for code in self.read_langs.split(",") if code]

    @property
    def expand_note_list(self) -> list[str]:
        return [code for code in self.expand_notes.split(",") if code]


class RecoveryCode(Base):
    __tablename__ = "accounts_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)


class AuthSession(TimestampMixin, Base):
    """A logged-in browser or client. Only the token's hash is stored."""

    __tablename__ = "accounts_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    # Browser and OS family only ("Firefox on Android"): enough to recognise a device.
    device: Mapped[str] = mapped_column(String(80), default="")

    user: Mapped[User] = relationship(lazy="raise")


class ThrottleBucket(Base):
    """Failed attempts per key and window. Keys are keyed hashes, never addresses."""

    __tablename__ = "accounts_throttle"
    __table_args__ = (UniqueConstraint("key", "window_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
