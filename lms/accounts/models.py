"""People who use the platform."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from lms.accounts.choices import COUNTRY_TIMEZONES
from lms.core.db import db, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is a unique lower(email).
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    # Exactly as it should be printed on a certificate, in any script.
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20), default="learner")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    sector: Mapped[str | None] = mapped_column(sa.String(40))
    sex: Mapped[str | None] = mapped_column(sa.String(20))
    # Asked for the programme's reports (lms/accounts/demographics.py); all optional.
    agency_level: Mapped[str | None] = mapped_column(sa.String(20))
    age_band: Mapped[str | None] = mapped_column(sa.String(20))
    # The Washington Group Short Set, one answer per domain, and the status derived from
    # them when they are saved (yes, no, undisclosed), which reports group by.
    wg_seeing: Mapped[str | None] = mapped_column(sa.String(20))
    wg_hearing: Mapped[str | None] = mapped_column(sa.String(20))
    wg_walking: Mapped[str | None] = mapped_column(sa.String(20))
    wg_remembering: Mapped[str | None] = mapped_column(sa.String(20))
    wg_selfcare: Mapped[str | None] = mapped_column(sa.String(20))
    wg_communicating: Mapped[str | None] = mapped_column(sa.String(20))
    disability: Mapped[str | None] = mapped_column(sa.String(20))
    # IANA name chosen on the profile; when unset, the zone of the country's capital.
    timezone: Mapped[str | None] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout, password or role change and deactivation: old cookies stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Registration "open with approval": signed up, waiting for an admin (not active).
    pending_approval: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Invited (by a cohort import) and not yet accepted: no password can sign in.
    invited_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    last_active_at: Mapped[datetime | None]
    reminders_opt_out: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (
        sa.CheckConstraint("role IN ('learner', 'instructor', 'admin', 'me_officer')", name="role"),
        # The admin people list pages by id, newest first; each filter has an index that
        # yields its people already in that order, so a page reads ~50 index entries
        # however rare the value (migration 0011).
        sa.Index("ix_users_role_id", "role", "id"),
        sa.Index("ix_users_sector_id", "sector", "id"),
        sa.Index("ix_users_country_id", "country", "id"),
        sa.Index("ix_users_not_active", "id", sqlite_where=sa.text("NOT active"),
                 postgresql_where=sa.text("NOT active")),
        sa.Index("ix_users_invited", "id",
                 sqlite_where=sa.text("invited_at IS NOT NULL AND accepted_at IS NULL"),
                 postgresql_where=sa.text("invited_at IS NOT NULL AND accepted_at IS NULL")),
        # The reports' organisation filter compares the trimmed, lower-cased name
        # (migration 0014; written as PostgreSQL shows it, so the schema check compares
        # like with like). SQLite scans, which is quick at its scale.
        sa.Index("ix_users_organisation_key",
                 sa.text("lower(TRIM(BOTH FROM organisation))")).ddl_if(dialect="postgresql"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def timezone_name(self) -> str:
        """The zone dates and times are shown in (Babel's selector reads it)."""
        return self.timezone or COUNTRY_TIMEZONES.get(self.country or "") or "UTC"

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


# Substring search ("contains", any script) on PostgreSQL: trigram GIN indexes on the
# lower-cased text (pg_trgm). SQLite scans, which is quick at its scale.
for _column in ("name", "email", "organisation"):
    sa.Index(f"ix_users_{_column}_trgm",
             sa.func.lower(User.__table__.c[_column]).label(f"{_column}_lower"),
             postgresql_using="gin", postgresql_ops={f"{_column}_lower": "gin_trgm_ops"},
             ).ddl_if(dialect="postgresql")
del _column
