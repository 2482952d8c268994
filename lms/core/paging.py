"""Keyset paging: each page starts after the last id of the one before.

`LIMIT … OFFSET` reads and throws away every row before the page, so page 2,000 of
the people list would cost as much as listing everyone. Seeking past an id uses
the primary key's index and costs the same on every page.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import request

from lms.core.db import db
from lms.core.requests import parse_id

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    items: list[Any]
    after: int | None  # where this page started (None: the first page)
    next_after: int | None  # where the next page starts (None: this is the last)


def keyset_page(query: sa.Select, key: sa.ColumnElement[int], *, newest_first: bool = False,
                size: int = PAGE_SIZE, scalars: bool = True) -> Page:
    """One page of `query`, ordered by the integer `key`, from the `?after=` argument."""
    after = parse_id(request.args.get("after"))
    if after is not None:
        query = query.where(key < after if newest_first else key > after)
    query = query.order_by(None).order_by(key.desc() if newest_first else key).limit(size + 1)
    result = db.session.scalars(query) if scalars else db.session.execute(query)
    rows = list(result)
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1] if rows else None
    next_after = None
    if more and last is not None:
        next_after = _key_of(last, key)
    return Page(rows, after, next_after)


def _key_of(row: Any, key: sa.ColumnElement[int]) -> int:
    entity = row[0] if isinstance(row, sa.Row) else row
    return getattr(entity, key.key)
