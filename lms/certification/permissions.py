"""Who may issue, revoke and download certificates."""
from __future__ import annotations

from typing import Any

from lms.accounts.permissions import has_role
from lms.certification.models import Certificate


def can_issue_certificates(user: Any) -> bool:
    return has_role(user, "admin")


def can_see_certificate(user: Any, certificate: Certificate) -> bool:
    """The holder or an admin; everyone else is told it does not exist."""
    return has_role(user, "admin") or certificate.user_id == getattr(user, "id", None)


def can_download_certificate(user: Any, certificate: Certificate) -> bool:
    """A revoked certificate is handed out only to admins (for the record); a renewed or
    expired one is still the holder's record of what they did."""
    return can_see_certificate(user, certificate) and (
        certificate.status in ("issued", "renewed") or has_role(user, "admin"))
