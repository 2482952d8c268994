"""The embedded profile's outbox for admins: messages newest first, one message's text."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from email import message_from_binary_file, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request

from lms.core.access import roles_required
from lms.core.mail import outbox_in_use
from lms.core.paging import PAGE_SIZE, Page

bp = Blueprint("outbox", __name__)

# The names write_to_outbox gives: nothing else in the folder is ever opened.
NAME = re.compile(r"^\d{20}-[0-9a-f]{8}\.eml$")


@dataclass(frozen=True)
class Summary:
    name: str
    to: str
    subject: str
    sent: datetime | None


def _folder() -> Path:
    if not outbox_in_use():
        abort(404)  # mail goes out by SMTP: there is no outbox to read
    return Path(current_app.config["MAIL_OUTBOX"])


def _read(path: Path) -> EmailMessage:
    with path.open("rb") as fh:
        return message_from_binary_file(fh, policy=policy.default)  # type: ignore[return-value]


def _date(message: EmailMessage) -> datetime | None:
    try:
        return parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        return None


def _names(folder: Path, before: str | None) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            names = [entry.name for entry in entries if NAME.match(entry.name)]
    except FileNotFoundError:
        return []
    names.sort(reverse=True)  # the name starts with the time it was written
    return [name for name in names if before is None or name < before]


def _summary(folder: Path, name: str) -> Summary:
    message = _read(folder / name)
    return Summary(name, str(message["To"] or ""), str(message["Subject"] or ""),
                   _date(message))


@bp.get("/admin/outbox")
@roles_required("admin")
def index():
    folder = _folder()
    after = request.args.get("after")
    after = after if after and NAME.match(after) else None
    names = _names(folder, after)
    shown = names[:PAGE_SIZE]
    page = Page([_summary(folder, name) for name in shown], after,
                shown[-1] if len(names) > PAGE_SIZE else None)
    return render_template("outbox/index.html", page=page, total=len(names) if after is None
                           else None)


@bp.get("/admin/outbox/<name>")
@roles_required("admin")
def message(name: str):
    folder = _folder()
    if not NAME.match(name) or not (folder / name).is_file():
        abort(404)
    message = _read(folder / name)
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return render_template("outbox/message.html", message=message, text=text,
                           sent=_date(message), name=name)
