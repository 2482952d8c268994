"""The legal instruments a question may cite, so a typo in a reference tag is caught.

Tags name an instrument and, where it has them, an article or principle:
"Palermo Art. 3(c)", "ACTIP Art. 14(7)", "OHCHR Principle 7". Add an instrument
here (with its full title in the course's references page) before citing it.
"""
from __future__ import annotations

import re

KNOWN_INSTRUMENTS: dict[str, str] = {
    r"Palermo Art\. \d+(\([a-z0-9]+\))*": "UN Trafficking in Persons Protocol (2000)",
    r"ACTIP Art\. \d+(\([a-z0-9]+\))*": "ASEAN Convention against Trafficking in Persons, "
                                        "Especially Women and Children (2015)",
    r"OHCHR (Principle|Guideline) \d+": "OHCHR Recommended Principles and Guidelines on "
                                        "Human Rights and Human Trafficking (2002)",
    r"UNODC Model Law Art\. \d+(\([a-z0-9]+\))*": "UNODC Model Law against Trafficking in "
                                                  "Persons (2009)",
    r"ASEAN NPP Guideline 2025": "ASEAN Guideline on the Implementation of the "
                                 "Non-Punishment Principle (2025)",
    r"ACWC Guidelines 2018": "ACWC Regional Guidelines and Procedures to Address the Needs "
                             "of Victims of Trafficking in Persons (2018)",
    r"ACWC Gender Sensitive Guideline": "ACWC Gender Sensitive Guideline",
    r"WHO Interview Recommendations 2003": "WHO Ethical and Safety Recommendations for "
                                           "Interviewing Trafficked Women (2003)",
    r"SAMHSA TIC 2014": "SAMHSA six principles of a trauma-informed approach (2014)",
    r"CACJ Compendium 2024": "CACJ Compendium of Good Practices in Adjudicating TIP Cases "
                             "(2024)",
    r"UNODC Case Digest 2017": "UNODC Case Digest on Evidential Issues in Trafficking in "
                               "Persons Cases (2017)",
    r"ASEAN-ACT Victim-Sensitive Court Indicators": "ASEAN-ACT victim-sensitive court "
                                                    "indicators",
    r"OHCHR Scam Centres Report 2023": "OHCHR report on online scam operations (2023)",
}
_PATTERN = re.compile("|".join(f"(?:{p})" for p in KNOWN_INSTRUMENTS))


def is_known_reference(tag: str) -> bool:
    return _PATTERN.fullmatch(tag) is not None
