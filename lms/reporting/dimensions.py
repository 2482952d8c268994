"""What reports disaggregate by: the learner's profile answers, each with every category
shown (an empty row is shown as empty, never dropped: dropping it would reveal it)."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from lms.accounts import choices, demographics

NOT_RECORDED = "missing"  # the column is empty: never asked, or asked before it existed


@dataclass(frozen=True)
class Category:
    key: str
    label: str


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    column: str | None  # on users; None for 'none' (one column, everyone)
    options: tuple[tuple[str, str], ...]

    def categories(self) -> list[Category]:
        if self.column is None:
            return []
        listed = [Category(key, str(label)) for key, label in self.options]
        return [*listed, Category(NOT_RECORDED, str(_l("Not recorded")))]

    def bucket(self, value: str | None) -> str:
        """The category a stored value counts under (an unknown value: not recorded)."""
        value = None if value is None else str(value)  # course ids come back as numbers
        if value is None or value not in {key for key, _label in self.options}:
            return NOT_RECORDED
        return value


def _undisclosed(key: str = "undisclosed") -> tuple[str, str]:
    return (key, _l("Prefer not to say"))


def _options(pairs, *extra) -> tuple[tuple[str, str], ...]:
    seen = {key for key, _label in pairs}
    return (*pairs, *(pair for pair in extra if pair[0] not in seen))


DIMENSIONS: dict[str, Dimension] = {
    "none": Dimension("none", _l("Everyone"), None, ()),
    "sex": Dimension("sex", _l("Sex"), "sex", _options(choices.SEXES, _undisclosed())),
    "country": Dimension("country", _l("Country"), "country",
                         _options(choices.COUNTRIES, choices.COUNTRY_UNDISCLOSED)),
    "sector": Dimension("sector", _l("Sector"), "sector",
                        _options(choices.SECTORS, choices.SECTOR_UNDISCLOSED)),
    "agency_level": Dimension("agency_level", _l("Agency level"), "agency_level",
                              _options(demographics.AGENCY_LEVELS, _undisclosed())),
    "age_band": Dimension("age_band", _l("Age band"), "age_band",
                          _options(demographics.AGE_BANDS, _undisclosed())),
    "disability": Dimension("disability", _l("Disability"), "disability",
                            tuple(demographics.DISABILITY_STATUSES)),
}


COURSE_COLUMN = "course_id"  # on enrolments, not users


def course_dimension() -> Dimension:
    """Enrolments by course: not a choice on the page (a course is a filter), but the
    parts a course filter picks from, so suppression can treat them as one table."""
    from lms.catalog.models import Course
    from lms.core.db import db

    ids = db.session.scalars(db.select(Course.id).order_by(Course.id))
    return Dimension("course", str(_l("Course")), COURSE_COLUMN,
                     tuple((str(course_id), str(course_id)) for course_id in ids))
