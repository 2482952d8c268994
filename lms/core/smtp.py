"""SMTP delivery for LMS_MAIL_URL (smtp://user:pass@host:port, smtps:// for TLS)."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit


def send_smtp(url: str, message: EmailMessage, timeout: float = 20) -> None:
    parts = urlsplit(url)
    secure = parts.scheme == "smtps"
    port = parts.port or (465 if secure else 25)
    client_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
    with client_class(parts.hostname or "127.0.0.1", port, timeout=timeout) as client:
        if not secure and parts.username:
            client.starttls()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
