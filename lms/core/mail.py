"""Email: templates in the recipient's language, sent by a background task with retries."""
# Rendered from templates/mail/<name>.{subject,txt,html} in the request (the recipient's
# language, the request's data), then handed as a few strings to the `deliver_mail` task
# once the transaction commits (never for work rolled back). The task builds the message
# and sends it; a failure it can recover from (server down, 4xx) is retried with a
# growing delay, a permanent one (5xx: no such mailbox) is logged once and dropped.
#
# Embedded profile (no LMS_MAIL_URL): the task writes each message to the outbox folder
# in instance/, which admins read on a page. Scaled profile: SMTP (lms.core.smtp).
# No tracking pixels, no remote images and no redirecting links: the HTML part says
# what the text part says, formatted.
from __future__ import annotations

import logging
import os
import smtplib
import tempfile
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template
from flask_babel import force_locale

from lms.core.db import db
from lms.core.jobs import after_commit, task, use_storage

log = logging.getLogger(__name__)

# 30 s, 1, 2, 4 … 64 minutes: a mail server down for two hours loses nothing.
MAIL_RETRIES = 8
MAIL_RETRY_DELAY = 30

# Lines up to RFC 5322's 998, not 78: folding a subject splits it between encoded words,
# and readers drop the space there (RFC 2047), so a Thai or Vietnamese subject lost its
# spaces in every mail client.
POLICY = SMTP.clone(max_line_length=998)


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


def link(endpoint: str, **values: Any) -> str:
    """An absolute address for an email, on the configured public BASE_URL (a task has
    no request to take the host from, and a proxy's Host header is not to be trusted)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "application/pdf"
    data: bytes


# A certificate PDF is about 60 KB; a message stays well under what mail servers take.
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


def message_parts(to: str, rendered: Rendered,
                  attachments: tuple[Attachment, ...] = ()) -> dict[str, Any]:
    """What the task needs to build the message: plain strings (the queue pickles them).
    The Message-ID is chosen here, so every retry sends the same message."""
    parts: dict[str, Any] = {
        "from": current_app.config["MAIL_FROM"], "to": to, "subject": rendered.subject,
        "text": rendered.text, "html": rendered.html,
        "date": formatdate(localtime=False), "message_id": make_msgid(domain="lms.local")}
    if attachments:
        if sum(len(a.data) for a in attachments) > MAX_ATTACHMENT_BYTES:
            raise ValueError("attachments larger than an email should carry; send a link")
        parts["attachments"] = [(a.filename, a.content_type, a.data) for a in attachments]
    return parts


def build_message(parts: dict[str, Any]) -> EmailMessage:
    """Plain text first, then HTML; headers folded and encoded by the SMTP policy, which
    refuses a line break in a header (no header injection through a name or address)."""
    message = EmailMessage(policy=POLICY)
    message["From"] = parts["from"]
    message["To"] = parts["to"]
    message["Subject"] = parts["subject"]
    message["Date"] = parts["date"]
    message["Message-ID"] = parts["message_id"]
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to us
    message.set_content(parts["text"])
    message.add_alternative(parts["html"], subtype="html")
    for filename, content_type, data in parts.get("attachments", ()):
        maintype, _slash, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def check_headers(parts: dict[str, Any]) -> None:
    """Raise ValueError for a header the SMTP policy would refuse (a line break in a
    name or address), without building the body: that is the delivery task's work,
    and building it for each of 2,000 reminders in the request took seconds."""
    probe = EmailMessage(policy=POLICY)
    probe["From"], probe["To"], probe["Subject"] = parts["from"], parts["to"], parts["subject"]


def outbox_in_use() -> bool:
    """True in the embedded profile, where messages go to instance/outbox."""
    return not current_app.config.get("MAIL_URL")


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


def is_permanent(error: Exception) -> bool:
    """A 5xx answer (no such mailbox, message refused): sending again cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


@task(retries=MAIL_RETRIES, retry_delay=MAIL_RETRY_DELAY, retry_backoff=2, context=True)
def deliver_mail(parts: dict[str, Any], task: Any = None) -> None:
    """Send one message; raising makes the queue try again later, `retries` times."""
    left = task.retries if task is not None else 0
    try:
        deliver(build_message(parts))
    except (OSError, smtplib.SMTPException) as error:
        if is_permanent(error):
            log.error("email %s to %s refused for good, not retried: %s",
                      parts["message_id"], parts["to"], error)
            return
        if not left:
            log.error("email %s to %s not sent after %d attempts, given up: %s",
                      parts["message_id"], parts["to"], MAIL_RETRIES + 1, error)
        else:
            log.warning("email %s to %s not sent (%s); %d more attempts",
                        parts["message_id"], parts["to"], error, left)
        raise
    log.info("email %s sent to %s", parts["message_id"], parts["to"])


def send_mail(*, to: str, template: str, context: dict[str, Any],
              locale: str | None = None, attachments: tuple[Attachment, ...] = ()) -> None:
    """Queue one message to `to`, rendered now (in `locale`), sent after the caller
    commits, by a background task that retries while the mail server is unreachable."""
    parts = message_parts(to, render(template, context, locale), attachments)
    check_headers(parts)  # a header it refuses fails here, in the caller, not in retries
    app = current_app._get_current_object()
    # A transaction with a connection: its rollback is a real one, which drops the hook
    # (a session that never touched the database would keep it for the next commit).
    db.session.connection()

    def enqueue() -> None:
        use_storage(app)
        deliver_mail(parts)

    after_commit(enqueue)


def init_app(app: Flask) -> None:
    """The admins' outbox page, and whether to link to it."""
    from lms.core.outbox_views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals.update(outbox_in_use=outbox_in_use)
