"""Flask-Babel wiring: locale choice, the languages offered, locale-aware formatting."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
    get_translations,
    ngettext,
)
from flask_login import current_user

# Languages of the programme's users, by their own names. Only those with a
# compiled catalogue are offered in the switcher; the rest fall back to English.
LANGUAGES = {
    "en": "English",
    "th": "ไทย",
    "km": "ខ្មែរ",
    "lo": "ລາວ",
    "my": "မြန်မာ",
    "vi": "Tiếng Việt",
    "id": "Bahasa Indonesia",
    "ms": "Bahasa Melayu",
    "fil": "Filipino",
}

babel = Babel()


def available_locales(app: Flask) -> dict[str, str]:
    base = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    return {code: name for code, name in LANGUAGES.items()
            if code == "en" or (base / code / "LC_MESSAGES" / "messages.mo").exists()}


# A visitor's choice of language, kept in its own cookie rather than the session: an
# anonymous page then needs no session cookie, and a proxy can cache it.
LANGUAGE_COOKIE = "lms_lang"
LANGUAGE_COOKIE_DAYS = 365


def cookie_locale() -> str | None:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in current_app.extensions["lms_locales"] else None


def remember_locale(response: Response, locale: str) -> None:
    response.set_cookie(LANGUAGE_COOKIE, locale, max_age=LANGUAGE_COOKIE_DAYS * 86400,
                        path="/", httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


def visitor_locale() -> str:
    """The language for someone not signed in: their choice, else their browser's."""
    offered = current_app.extensions["lms_locales"]
    return cookie_locale() or request.accept_languages.best_match(list(offered)) or "en"


def select_locale() -> str:
    """The signed-in person's language, else the visitor's choice, else the browser's."""
    if not has_request_context():  # CLI and jobs speak the default language
        return "en"
    user_locale = getattr(current_user, "locale", None)
    if user_locale in current_app.extensions["lms_locales"]:
        return user_locale
    return visitor_locale()


def select_timezone() -> str | None:
    """The signed-in person's zone (chosen, or their country's); else the default."""
    if not has_request_context():
        return None
    return getattr(current_user, "timezone_name", None)


def plural_count(number: float) -> int:
    """The n a plural form is chosen by: a whole number as itself, a fraction as 2
    ("1.5 hours" takes the plural in English; languages without plurals ignore it)."""
    return int(number) if float(number).is_integer() else 2


def cpd_hours(hours: float) -> str:
    return ngettext("%(hours)s CPD hour", "%(hours)s CPD hours", plural_count(hours),
                    hours=format_decimal(hours))


def _translations():
    """The request's catalogue, looked up once per request and locale.

    Flask-Babel's template gettext finds the domain, the locale and the catalogue again
    on every call (some 20 calls a page, a tenth of its rendering time). The memo is
    keyed by the locale object, so force_locale() still switches catalogues.
    """
    context = g.get("_flask_babel")
    locale = getattr(context, "babel_locale", None)
    memo = g.get("_lms_translations")
    if memo is not None and locale is not None and memo[0] is locale:
        return memo[1]
    translations = get_translations()
    g._lms_translations = (getattr(g.get("_flask_babel"), "babel_locale", None), translations)
    return translations


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.extensions["lms_locales"] = available_locales(app)
    app.jinja_env.globals.update(
        available_languages=lambda: app.extensions["lms_locales"],
        get_locale=get_locale,
        format_date=format_date,
        format_datetime=format_datetime,
        format_time=format_time,
        cpd_hours=cpd_hours,
        format_decimal=format_decimal,
    )
