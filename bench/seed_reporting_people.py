"""Who the reporting bench's learners are: the spread of every profile field reports
disaggregate by, about 300 organisations, and survey wording (bench/seed_reporting.py).

The answer keys are the app's own (lms.accounts.choices, lms.accounts.demographics), and
users.disability is derived by demographics.disability_status, as a profile save does; an
import-time check fails if a key here is not one the app offers.
"""
from __future__ import annotations

import random
from datetime import UTC, datetime

from seed import COUNTRIES, DOMAIN, NAMES, SECTORS

from lms.accounts import choices, demographics

# Weights; None is "never answered" (the column left NULL).
SEXES = {"female": 50, "male": 43, "other": 1, "undisclosed": 4, None: 2}
COUNTRY_W = COUNTRIES | {None: 3}  # the 11 ASEAN states, XX other, ZZ prefer not to say
SECTOR_W = SECTORS | {None: 3}
AGENCY = {"national": 30, "provincial": 34, "local": 24, "undisclosed": 4, None: 8}
AGES = {"under_25": 7, "25_34": 30, "35_44": 31, "45_54": 20, "55_64": 7, "65_over": 1,
        "undisclosed": 3, None: 1}
# Per domain; a lot of difficulty or cannot in any of six gives about 6 % 'yes' overall.
WG_ANSWERS = {"no_difficulty": 830, "some_difficulty": 146, "a_lot": 9, "cannot": 2,
              "undisclosed": 13}
WG_NEVER, WG_PARTLY = 0.10, 0.02  # never answered the six; answered only some of them
COUNTRY_NAMES = {"BN": "Brunei", "KH": "Cambodia", "ID": "Indonesia", "LA": "Lao PDR",
                 "MY": "Malaysia", "MM": "Myanmar", "PH": "the Philippines",
                 "SG": "Singapore", "TH": "Thailand", "TL": "Timor-Leste", "VN": "Viet Nam"}
CITIES = {"BN": "Bandar Seri Begawan|Kuala Belait", "KH": "Phnom Penh|Siem Reap|Battambang",
          "ID": "Jakarta|Surabaya|Medan", "LA": "Vientiane|Luang Prabang|Savannakhet",
          "MY": "Kuala Lumpur|Johor Bahru|Kota Kinabalu", "MM": "Yangon|Mandalay|Myawaddy",
          "PH": "Manila|Cebu|Davao", "SG": "Singapore", "TH": "Bangkok|Chiang Mai|Songkhla",
          "TL": "Dili|Baucau", "VN": "Hanoi|Ho Chi Minh City|Da Nang"}
NATIONAL = {"judiciary": "Supreme Court of {c}|Court of Appeal of {c}",
            "prosecution": "Office of the Attorney General of {c}",
            "police": "{c} National Police, Anti-Trafficking Division",
            "immigration": "{c} Immigration Department", "labour": "{c} Ministry of Labour",
            "social_work": "{c} Ministry of Social Welfare",
            "ngo": "{c} Migrant Workers Network", "other": "{c} Ministry of Foreign Affairs"}
LOCAL = {"judiciary": "{t} Provincial Court|{t} Juvenile and Family Court",
         "prosecution": "{t} Public Prosecution Office", "police": "{t} Police Headquarters",
         "immigration": "{t} Border Checkpoint", "labour": "{t} Labour Inspection Office",
         "social_work": "{t} Victim Shelter", "ngo": "{t} Legal Aid Centre"}
INTERNATIONAL = ["IOM Regional Office", "UNODC Regional Office", "ASEAN Secretariat",
                 "Regional Support Office of the Bali Process", "UN Women Asia-Pacific"]
# Feedback comments in the region's scripts, one starting with "=" (exports neutralise it).
COMMENTS = ["Very useful for my daily work.", "The case studies were the best part.",
            "ขอบคุณมากครับ เนื้อหาใช้ได้จริงในศาล", "เนื้อหายาวไปหน่อย แต่มีประโยชน์",
            "មេរៀននេះមានប្រយោជន៍ណាស់", "သင်ခန်းစာများ အလွန်အသုံးဝင်ပါသည်",
            "Nội dung rất thiết thực cho công tác xét xử.", "Sangat bermanfaat, terima kasih.",
            "More examples from our region, please.", "=Too long; the quiz was hard",
            "Maraming salamat po!", "ຂອບໃຈຫຼາຍໆ"]
USES = ["I screened two presumed victims before charging.", "Shared it with my unit.",
        "Used the checklist in an interview.", "ใช้ในการพิจารณาคดีแล้ว", ""]
USER_COLUMNS = ("id, email, name, role, password_hash, country, organisation, sector, sex, "
                "agency_level, age_band, " + ", ".join(demographics.WG_COLUMNS) + ", "
                "disability, active, session_version, created_at, pending_approval, "
                "reminders_opt_out")

for _weights, _offered in [
        (SEXES, choices.SEXES), (COUNTRY_W, [*choices.COUNTRIES, choices.COUNTRY_UNDISCLOSED]),
        (SECTOR_W, [*choices.SECTORS, choices.SECTOR_UNDISCLOSED]),
        (AGENCY, demographics.AGENCY_LEVELS), (AGES, demographics.AGE_BANDS),
        (WG_ANSWERS, demographics.WG_ANSWERS)]:
    assert set(_weights) - {None} == {key for key, _label in _offered}, _weights


def ts(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat()


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def null(value) -> str:
    return "\\N" if value is None else str(value)


def organisations() -> dict[tuple[str, str], list[str]]:
    """(country, sector) → its organisations, the first the largest: about 300 in all."""
    out: dict[tuple[str, str], list[str]] = {}
    for country, cities in CITIES.items():
        name = COUNTRY_NAMES[country]
        for sector in NATIONAL:
            orgs = [o.format(c=name) for o in NATIONAL[sector].split("|")]
            orgs += [o.format(t=city) for city in cities.split("|")
                     for o in LOCAL.get(sector, "").split("|") if o]
            out[country, sector] = orgs
    out["XX", "ngo"] = INTERNATIONAL
    return out


def person(rng: random.Random, uid: int, i: int, created: float, password_hash: str,
           orgs: dict) -> tuple[str, str | None]:
    """One learner's users row (COPY text) and their country."""
    country, sector = pick(rng, COUNTRY_W), pick(rng, SECTOR_W)
    first, second = NAMES.get(country) or NAMES[rng.choice(list(NAMES))]
    group = orgs.get((country, sector)) or orgs.get((country, "other")) or orgs["XX", "ngo"]
    org = None if rng.random() < 0.12 else group[min(int(rng.paretovariate(1.2)) - 1,
                                                     len(group) - 1)]
    age = pick(rng, AGES)
    answers: dict[str, str | None] = dict.fromkeys(demographics.WG_COLUMNS)
    if rng.random() >= WG_NEVER:
        weights = dict(WG_ANSWERS)
        if age in ("55_64", "65_over"):  # difficulty grows with age
            weights["a_lot"] *= 3
        answered = demographics.WG_COLUMNS[:rng.randint(1, 5)] if rng.random() < WG_PARTLY \
            else demographics.WG_COLUMNS
        answers.update({column: pick(rng, weights) for column in answered})
    row = (uid, f"learner{i}@{DOMAIN}", f"{rng.choice(first)} {rng.choice(second)}".strip(),
           "learner", password_hash, null(country), null(org), null(sector),
           null(pick(rng, SEXES)), null(pick(rng, AGENCY)), null(age),
           *map(null, answers.values()), null(demographics.disability_status(answers)),
           "t", 1, ts(created), "f", "f")
    return "\t".join(map(str, row)) + "\n", country
