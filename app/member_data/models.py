"""A member's data download, prepared in the background and kept a short while."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class ExportStatus(StrEnum):
    pending = "pending"
    ready = "ready"


class DataExport(Base):
    """One per member: the latest download they asked for (asking again replaces it)."""

    __tablename__ = "member_data_exports"

    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[ExportStatus] = mapped_column(String(16), default=ExportStatus.pending)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ready_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Deleted by housekeeping after this: the zip holds health data.
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None, index=True)
    archive: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
