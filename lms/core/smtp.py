"""SMTP delivery for LMS_MAIL_URL: smtp://[user:pass@]host[:port], smtps:// for TLS."""
# smtp://  port 25 by default (587 for a submission server); STARTTLS whenever the
#          server offers it, and required before a password is sent.
# smtps:// implicit TLS, port 465 by default.
# Certificates are verified against the system's store: smtplib's own default for
# STARTTLS does not verify them, so a context is always passed.
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit


def send_smtp(url: str, message: EmailMessage, timeout: float = 20) -> None:
    """Send one message; raises OSError or smtplib.SMTPException when it was not sent."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise smtplib.SMTPException(f"LMS_MAIL_URL must start with smtp:// or smtps://, "
                                    f"not {parts.scheme}://")
    secure = parts.scheme == "smtps"
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (465 if secure else 25)
    context = ssl.create_default_context()
    if secure:
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        client.ehlo()
        if not secure and (client.has_extn("starttls") or parts.username):
            client.starttls(context=context)  # refused by the server: an error, not plain text
            client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
