"""Who may do what with people; also Jinja globals, so templates hide what views forbid."""
from __future__ import annotations

from typing import Any


def has_role(user: Any, *roles: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in roles


def can_manage_people(user: Any) -> bool:
    return has_role(user, "admin")


def can_teach(user: Any) -> bool:
    return has_role(user, "instructor", "admin")
