"""Profile answers the programme's reports are disaggregated by: agency level, age band and
the Washington Group Short Set on functioning, with why each is asked and who sees it."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.core.errors import DomainError

UNDISCLOSED = "undisclosed"

AGENCY_LEVELS = [("national", _l("National")), ("provincial", _l("Provincial or state")),
                 ("local", _l("Local (district, city or municipality)")),
                 (UNDISCLOSED, _l("Prefer not to say"))]

AGE_BANDS = [("under_25", _l("Under 25")), ("25_34", _l("25 to 34")),
             ("35_44", _l("35 to 44")), ("45_54", _l("45 to 54")),
             ("55_64", _l("55 to 64")), ("65_over", _l("65 and over")),
             (UNDISCLOSED, _l("Prefer not to say"))]

# The Washington Group Short Set: the wording, the order of the questions and the four
# answers are the standard's own, so figures compare with censuses and other programmes.
# Do not reword the English; translations should follow the WG's published versions.
WG_QUESTIONS = [
    ("wg_seeing", _l("Do you have difficulty seeing, even if wearing glasses?")),
    ("wg_hearing", _l("Do you have difficulty hearing, even if using a hearing aid?")),
    ("wg_walking", _l("Do you have difficulty walking or climbing steps?")),
    ("wg_remembering", _l("Do you have difficulty remembering or concentrating?")),
    ("wg_selfcare", _l("Do you have difficulty with self-care, such as washing all over "
                       "or dressing?")),
    ("wg_communicating", _l("Using your usual language, do you have difficulty "
                            "communicating, for example understanding or being "
                            "understood?")),
]
WG_COLUMNS = tuple(column for column, _label in WG_QUESTIONS)
WG_ANSWERS = [("no_difficulty", _l("No – no difficulty")),
              ("some_difficulty", _l("Yes – some difficulty")),
              ("a_lot", _l("Yes – a lot of difficulty")),
              ("cannot", _l("Cannot do at all")),
              (UNDISCLOSED, _l("Prefer not to say"))]
# The WG's disability cut-off: at least one domain "a lot of difficulty" or "cannot do".
WG_DISABILITY = frozenset({"a_lot", "cannot"})
WG_NO_DISABILITY = frozenset({"no_difficulty", "some_difficulty"})

DISABILITY_STATUSES = [("yes", _l("With a disability")), ("no", _l("Without a disability")),
                       (UNDISCLOSED, _l("Not disclosed"))]

# Every optional answer this module owns, with the values it may take.
ALLOWED = {"agency_level": frozenset(key for key, _label in AGENCY_LEVELS),
           "age_band": frozenset(key for key, _label in AGE_BANDS),
           **{column: frozenset(key for key, _label in WG_ANSWERS) for column in WG_COLUMNS}}
FIELDS = tuple(ALLOWED)


def disability_status(answers: Mapping[str, str | None]) -> str | None:
    """'yes', 'no', 'undisclosed' or None (nothing answered), from the six answers keyed
    by column (wg_seeing…). A disability shows through whatever else is withheld; "no"
    needs all six answered, since a missing domain could be the one with difficulty."""
    values = [answers.get(column) or None for column in WG_COLUMNS]
    if any(value in WG_DISABILITY for value in values):
        return "yes"
    if all(value in WG_NO_DISABILITY for value in values):
        return "no"
    if all(value is None for value in values):
        return None
    return UNDISCLOSED


def checked_answers(values: Mapping[str, str | None]) -> dict[str, str | None]:
    """Every field of FIELDS with its value ("" or missing: not answered, None), or a
    DomainError if any value is not one of the listed answers (nothing is applied)."""
    answers = {}
    for name, allowed in ALLOWED.items():
        value = values.get(name) or None
        if value is not None and value not in allowed:
            raise DomainError(_("Choose one of the listed answers; “Prefer not to say” "
                                "is fine."))
        answers[name] = value
    return answers


def apply_answers(user, values: Mapping[str, str | None]) -> None:
    """Check, then store the answers and the disability status derived from them (reports
    group by users.disability, so it is written whenever the answers are)."""
    answers = checked_answers(values)
    for name, value in answers.items():
        setattr(user, name, value)
    user.disability = disability_status(answers)


def answers_of(user) -> dict[str, str | None]:
    return {name: getattr(user, name) for name in FIELDS}


# Shown beside the fields on registration and the profile: why each is asked.
WHY = {
    "sex": _l("So the programme can report how many women, men and others it trains."),
    "country": _l("So the programme can report how many officials it trains in each "
                  "country."),
    "sector": _l("So the programme can report which parts of the response to trafficking "
                 "its training reaches."),
    "organisation": _l("So the programme can see which agencies its training reaches."),
    "agency_level": _l("So the programme can see whether training reaches national, "
                       "provincial and local officials."),
    "age_band": _l("So the programme can see whether training reaches officials of every "
                   "age."),
    "disability": _l("These six questions are the Washington Group Short Set, the "
                     "international standard for counting people with a disability. They "
                     "ask about difficulties with everyday activities, not about a "
                     "condition or diagnosis, and show whether the training is inclusive."),
}


def consent_text(min_cell: int) -> str:
    """Who sees the answers: said once above the fields, in the words of the privacy
    promise the reports keep (lms/reporting suppresses cells under `min_cell`)."""
    return _("Every question here offers “Prefer not to say”, and agency level, age band "
             "and the six questions on everyday activities may be left blank. The "
             "answers are used only for the programme's reports to ASEAN bodies and to "
             "its funder. Reports show them only as counts of at least %(num)d people, "
             "never with your name or email. The platform's administrators can see your "
             "individual answers; nobody else can. You can see and change them at any "
             "time on your profile.", num=min_cell)
