from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, TimestampMixin, UTCDateTime
from app.i18n import LOCALES


class Role(StrEnum):
    member = "member"
    moderator = "moderator"
    admin = "admin"


class UserStatus(StrEnum):
    active = "active"
    deleted = "deleted"


class Restriction(StrEnum):
    """What a moderator's sanction currently takes away (the sanction's record lives in review)."""

    silenced = "silenced"  # read-only in the forum for a while
    suspended = "suspended"  # for a while: no writing, and the forum shows no more than to a visitor
    banned = "banned"  # as suspended, with no end



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
    # Posts of theirs that went out, at once or after a moderator's welcome. Never
    # decreases (deleting a post does not take trust back): it decides pre-moderation
    # of first posts and when a new member graduates to ordinary limits.
    approved_posts: Mapped[int] = mapped_column(Integer, default=0)
    # Comma-separated languages a moderator moderates ("fr,nl"); admins moderate all.
    moderated_langs: Mapped[str] = mapped_column(String(16), default="")
    # The member's current restriction, set and lifted by review's sanctions.
    restriction: Mapped[str] = mapped_column(String(16), default="")
    restricted_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Statements of reasons and moderators' messages the member has not opened yet: shown on
    # every page from the viewer row itself, so no page pays a query for it.
    moderation_unread: Mapped[int] = mapped_column(Integer, default=0)
    # Account deletion asked for: final at this time unless the member logs in before (GDPR art. 17).
    erase_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None, index=True)
    erase_keep_posts: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    @property
    def posts_withdrawn(self) -> bool:
        """Erasure asked for with the posts' text: until it is final, their words and name are shown nowhere."""
        return self.erase_at is not None and not self.erase_keep_posts

    @property
    def public_pseudonym(self) -> str | None:
        """The name shown with what they wrote; None: shown as "former member" (see posts_withdrawn)."""
        return None if self.posts_withdrawn else self.pseudonym

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.moderator, Role.admin)

    @property
    def moderated_lang_list(self) -> list[str]:
        """The thread languages this member moderates (every language for admins)."""
        if self.is_admin:
            return list(LOCALES)
        if self.role != Role.moderator:
            return []
        return [code for code in (self.moderated_langs or "").split(",") if code]

    def moderates(self, lang: str) -> bool:
        return lang in self.moderated_lang_list

    def active_restriction(self, now: dt.datetime | None = None) -> Restriction | None:
        """The restriction in force now, if any (an ended one no longer counts, lifted or not)."""
        if not self.restriction:
            return None
        if self.restricted_until is not None and self.restricted_until <= (now or dt.datetime.now(dt.UTC)):
            return None
        return Restriction(self.restriction)

    @property
    def can_write(self) -> bool:
        """May post, reply, edit and react in the forum (not silenced, suspended or banned)."""
        return self.active_restriction() is None

    @property
    def has_member_access(self) -> bool:
        """Sees what members see; a suspended or banned account sees what a visitor sees."""
        return self.active_restriction() not in (Restriction.suspended, Restriction.banned)

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


class Reveal(Base):
    """A secret waiting to be shown once (recovery codes, a share link), sealed, bound to one session.

    See app/accounts/reveal.py: AES-GCM under a key the database does not hold.
    """

    __tablename__ = "accounts_reveals"
    __table_args__ = (UniqueConstraint("session_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("accounts_sessions.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(16))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    shown_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)


class ThrottleBucket(Base):
    """Failed attempts per key and window. Keys are keyed hashes, never addresses."""

    __tablename__ = "accounts_throttle"
    __table_args__ = (UniqueConstraint("key", "window_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    # The latest counted attempt: progressive delays run from it.
    last_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)


class DeviceCookie(Base):
    """A browser a member logged in from (OWASP's device cookies): its log-in attempts have a budget of their own.

    The browser holds a random nonce and its signature (app/accounts/devices.py);
    only a keyed hash of the nonce is stored. No address, no fingerprint: which
    member it belongs to, when they first and last logged in with it, and when it
    expires, nothing else.
    """

    __tablename__ = "accounts_device_cookies"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first log-in from this browser (kept when a new log-in renews the token) and the latest one:
    # what the member's list of browsers shows them (accounts.devices), nothing about the browser itself.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
