"""Choices for profile fields used in programme reporting (sex, country, sector)."""
from flask_babel import lazy_gettext as _l

SEXES = [("female", _l("Female")), ("male", _l("Male")), ("other", _l("Another way")),
         ("undisclosed", _l("Prefer not to say"))]

# ASEAN member states and Timor-Leste first, then "other".
COUNTRIES = [("BN", _l("Brunei Darussalam")), ("KH", _l("Cambodia")), ("ID", _l("Indonesia")),
             ("LA", _l("Lao PDR")), ("MY", _l("Malaysia")), ("MM", _l("Myanmar")),
             ("PH", _l("Philippines")), ("SG", _l("Singapore")), ("TH", _l("Thailand")),
             ("TL", _l("Timor-Leste")), ("VN", _l("Viet Nam")), ("XX", _l("Other country"))]

SECTORS = [("judiciary", _l("Judiciary")), ("prosecution", _l("Prosecution")),
           ("police", _l("Police")), ("immigration", _l("Immigration")),
           ("labour", _l("Labour inspection")), ("social_work", _l("Social work")),
           ("ngo", _l("Non-governmental organisation")), ("other", _l("Other"))]

# Registration asks with no answer chosen (a preselected value would skew the programme's
# statistics) and always allows "prefer not to say". ZZ is ISO 3166's "unknown".
CHOOSE = ("", _l("Choose…"))
COUNTRY_UNDISCLOSED = ("ZZ", _l("Prefer not to say"))
SECTOR_UNDISCLOSED = ("undisclosed", _l("Prefer not to say"))

# For dates printed to a learner (e.g. the completion date on a certificate): the
# capital's zone; Indonesia's western zone holds most of its population.
COUNTRY_TIMEZONES = {"BN": "Asia/Brunei", "KH": "Asia/Phnom_Penh", "ID": "Asia/Jakarta",
                     "LA": "Asia/Vientiane", "MY": "Asia/Kuala_Lumpur", "MM": "Asia/Yangon",
                     "PH": "Asia/Manila", "SG": "Asia/Singapore", "TH": "Asia/Bangkok",
                     "TL": "Asia/Dili", "VN": "Asia/Ho_Chi_Minh"}

# Zones offered on the profile: every zone of Southeast Asia, then a few where
# programme staff and partners often work. The default comes from the country.
TIMEZONES = [
    "Asia/Bangkok", "Asia/Brunei", "Asia/Dili", "Asia/Ho_Chi_Minh", "Asia/Jakarta",
    "Asia/Jayapura", "Asia/Kuala_Lumpur", "Asia/Kuching", "Asia/Makassar", "Asia/Manila",
    "Asia/Phnom_Penh", "Asia/Pontianak", "Asia/Singapore", "Asia/Vientiane", "Asia/Yangon",
    "Asia/Dhaka", "Asia/Hong_Kong", "Asia/Kolkata", "Asia/Seoul", "Asia/Shanghai",
    "Asia/Tokyo", "Australia/Sydney", "Europe/Brussels", "Europe/London", "Europe/Vienna",
    "America/New_York", "UTC",
]
