"""A cohort CSV uploaded for its preview, then the record of what its import did."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from lms.core.db import db, utcnow


class CohortImport(db.Model):
    __tablename__ = "cohort_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(sa.String(255))  # the file's name, or "pasted"
    encoding: Mapped[str | None] = mapped_column(sa.String(20))  # None: found from bytes
    # The file as uploaded (at most 20 MB), read again on every preview page and at
    # confirmation; emptied once applied (people's data is kept in one place only).
    content: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary, nullable=False))
    rows: Mapped[int] = mapped_column(default=0)
    applied_at: Mapped[datetime | None]
    # After applying: whom to email (an invitation or a notice) and how many are sent.
    invite_ids: Mapped[list] = mapped_column(default=list)
    notice_ids: Mapped[list] = mapped_column(default=list)
    mailed: Mapped[int] = mapped_column(default=0)
    summary: Mapped[dict] = mapped_column(default=dict)
