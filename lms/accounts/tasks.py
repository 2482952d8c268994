"""Background tasks of accounts: the reset link is looked up and sent outside the request."""
from __future__ import annotations

from flask import current_app

from lms.accounts import recovery
from lms.core.db import db
from lms.core.jobs import after_commit, task, use_storage


@task(retries=3, retry_delay=10)
def send_reset_link(email: str, ip: str | None = None) -> None:
    """Whether the address has an account is decided here, not in the request, so the
    request answers alike (and as fast) for every address."""
    recovery.send_reset_link(email, ip=ip)
    db.session.commit()


def queue_reset_link(email: str, ip: str | None) -> None:
    """Start `send_reset_link` once the request commits."""
    app = current_app._get_current_object()

    def enqueue() -> None:
        use_storage(app)
        send_reset_link(email, ip)

    after_commit(enqueue)
