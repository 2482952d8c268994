"""Email: rendered from templates/mail/<name>.{subject,txt,html} in the recipient's
language, sent once the request's transaction commits (never for work rolled back).

Embedded profile (no LMS_MAIL_URL): each message is written to the outbox folder in
instance/, which admins read on a page. Scaled profile: SMTP. No tracking pixels and
no redirecting links: the HTML part is the text part, formatted.
"""
from __future__ import annotations

import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from lms.core.jobs import after_commit


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(template: str, context: dict[str, Any], locale: str | None) -> Rendered:
    with force_locale(locale or "en"):
        subject = render_template(f"mail/{template}.subject", **context).strip()
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    return Rendered(" ".join(subject.split()), text, html)


def build_message(to: str, rendered: Rendered) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="lms.local")
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


def write_to_outbox(message: EmailMessage) -> Path:
    """Atomically: a reader never sees half a message."""
    outbox = Path(current_app.config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.eml"  # in the order written
    handle, temporary = tempfile.mkstemp(dir=outbox, suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        out.write(message.as_bytes())
    target = outbox / name
    os.replace(temporary, target)
    return target


def deliver(message: EmailMessage) -> None:
    """Send one message now (SMTP when configured, else the outbox)."""
    url = current_app.config.get("MAIL_URL")
    if not url:
        write_to_outbox(message)
        return
    from lms.core.smtp import send_smtp

    send_smtp(url, message)


def send_mail(*, to: str, template: str, context: dict[str, Any],
              locale: str | None = None) -> None:
    """Queue one message to `to`, rendered now (in `locale`), sent after commit."""
    message = build_message(to, render(template, context, locale))
    after_commit(lambda: deliver(message))
