"""Typed answers: short answer (several accepted) and numeric with tolerance."""
from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from lms.assessment.qtypes.base import Fields, InvalidAnswer, QuestionType, single_value

MAX_TEXT = 500
MAX_MAGNITUDE = 1e12
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Phones type curly quotes and special hyphens; compare them as their plain forms.
_PUNCTUATION = {**_ZERO_WIDTH, **{ord(c): "'" for c in "\u2018\u2019\u02bc\u2032"},
                **{ord(c): '"' for c in "\u201c\u201d"},
                **{ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"}}


def normalise_text(text: str) -> str:
    """Compare answers as a person would: Unicode form (so Vietnamese typed with
    combining accents matches precomposed ones), case, zero-width marks some Thai and
    Khmer keyboards insert, and runs of spaces do not matter."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION).casefold()
    return re.sub(r"\s+", " ", text).strip(" .")


class ShortAnswer(QuestionType):
    name = "short_answer"
    template = "assessment/types/text.html"

    def validate(self, raw: dict[str, Any]) -> list[str]:
        answers = raw.get("answers")
        if not isinstance(answers, list) or not answers or not all(
                isinstance(a, str) and normalise_text(a) for a in answers):
            return [_("has no correct answer: list accepted answers in `answers`")]
        return []

    def build_spec(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"answers": list(raw["answers"]), "feedback": str(raw.get("feedback", ""))}

    def present(self, spec: dict[str, Any], order: Any) -> dict[str, Any]:
        return {"inputmode": "text", "maxlength": MAX_TEXT}

    def parse(self, spec: dict[str, Any], fields: Fields, order: Any = None) -> dict[str, Any]:
        value = single_value(fields) or ""
        if len(value) > MAX_TEXT:
            raise InvalidAnswer("answer too long")
        return {"text": value.strip()}

    def grade(self, spec: dict[str, Any], response: dict[str, Any]) -> float:
        given = normalise_text(response.get("text", ""))
        return 1.0 if given and given in {normalise_text(a) for a in spec["answers"]} else 0.0

    def review(self, spec: dict[str, Any], response: dict[str, Any],
               show_key: bool) -> dict[str, Any]:
        return {"given": response.get("text", ""),
                "expected": " / ".join(spec["answers"]) if show_key else None,
                "feedback": spec.get("feedback") or None if show_key else None}


def parse_number(value: str) -> float:
    """A number as people type it: '12.5', '12,5' (decimal comma), '1 250', '1,250.5',
    '1.250,5'. '1,250' is refused as ambiguous (1250 or 1.25?) rather than guessed."""
    text = unicodedata.normalize("NFKC", value).strip()
    text = re.sub(r"[\s\u00a0\u202f']", "", text).replace("\u2212", "-")
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif text.count(",") > 1:
        text = text.replace(",", "")  # 1,250,000
    elif "," in text:
        whole, fraction = text.split(",")
        if len(fraction) == 3 and whole.lstrip("+-") not in ("", "0"):
            raise InvalidAnswer(_("write it without a comma (1250) or with a point (1.25)"))
        text = f"{whole}.{fraction}"
    elif text.count(".") > 1:
        text = text.replace(".", "")  # 1.250.000
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text):
        raise InvalidAnswer(_("enter a number, for example 12 or 12.5"))
    number = float(text)
    if not math.isfinite(number) or abs(number) > MAX_MAGNITUDE:
        raise InvalidAnswer(_("that number is too large"))
    return number


class Numeric(QuestionType):
    name = "numeric"
    template = "assessment/types/text.html"

    def validate(self, raw: dict[str, Any]) -> list[str]:
        answer, tolerance = raw.get("answer"), raw.get("tolerance", 0)
        problems = []
        if not isinstance(answer, int | float) or isinstance(answer, bool):
            problems.append(_("has no correct answer: set answer = <number>"))
        if not isinstance(tolerance, int | float) or isinstance(tolerance, bool) or tolerance < 0:
            problems.append(_("tolerance must be a number of 0 or more"))
        return problems

    def build_spec(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"answer": float(raw["answer"]), "tolerance": float(raw.get("tolerance", 0)),
                "unit": str(raw.get("unit", "")), "feedback": str(raw.get("feedback", ""))}

    def present(self, spec: dict[str, Any], order: Any) -> dict[str, Any]:
        return {"inputmode": "decimal", "maxlength": 40, "unit": spec.get("unit", "")}

    def parse(self, spec: dict[str, Any], fields: Fields, order: Any = None) -> dict[str, Any]:
        value = single_value(fields)
        if value is None or not value.strip():
            return {"text": ""}
        if len(value) > 40:
            raise InvalidAnswer("answer too long")
        return {"text": value.strip(), "value": parse_number(value)}

    def grade(self, spec: dict[str, Any], response: dict[str, Any]) -> float:
        value = response.get("value")
        if value is None:
            return 0.0
        return 1.0 if abs(value - spec["answer"]) <= spec["tolerance"] + 1e-9 else 0.0

    def review(self, spec: dict[str, Any], response: dict[str, Any],
               show_key: bool) -> dict[str, Any]:
        expected = None
        if show_key:
            expected = format_decimal(spec["answer"])
            if spec["tolerance"]:
                expected += f" ± {format_decimal(spec['tolerance'])}"
            if spec.get("unit"):
                expected += f" {spec['unit']}"
        return {"given": response.get("text", ""), "expected": expected,
                "feedback": spec.get("feedback") or None if show_key else None}
