"""The interface's three languages: catalogues, the request's language, and locale formatting.

Words come from gettext catalogues (`oneclass/locales/<lang>/LC_MESSAGES/messages.po`) whose
message ids are the English text. Page text is translated in the browser (components/i18n.py
ships the catalogues once as a static script, so no state update carries page words); messages a
handler or service makes (refusals, notices) are translated here, in the language of the request
that caused them, which the state layer and the API set with `use_language`.

A translation a native speaker should check carries the `review` flag; it is used all the same
(never left in English) and `oneclass messages --review` lists it.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

DEFAULT_LANGUAGE = "en"
# Each language named in itself: a reader picks the name they can read.
LANGUAGES: dict[str, str] = {"en": "English", "sn": "chiShona", "nd": "isiNdebele"}
TRANSLATED_LANGUAGES = ("sn", "nd")
LOCALES_DIR = Path(__file__).parent / "locales"
REVIEW_FLAG = "review"

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def normalise_language(code: str | None) -> str:
    """A language we speak, from a stored choice, a query parameter or a header ('sn-ZW' → 'sn')."""
    code = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else ""


def language_from_header(accept_language: str | None) -> str:
    """The first language of an Accept-Language header that we speak, else the default."""
    for part in (accept_language or "").split(","):
        language = normalise_language(part.split(";")[0])
        if language:
            return language
    return DEFAULT_LANGUAGE


def use_language(language: str) -> None:
    """Make `language` the current request's (a handler's task, an API request's context);
    `offload` carries it to the service threads."""
    _language.set(normalise_language(language) or DEFAULT_LANGUAGE)


@contextmanager
def language(code: str) -> Iterator[None]:
    """Within the block, messages are made in `code` (a mail to someone who reads another one)."""
    token = _language.set(normalise_language(code) or DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def current_language() -> str:
    return _language.get()


def catalogue_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"


@lru_cache
def load_catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as file:
        return read_po(file, locale=language)


@lru_cache
def _translations(language: str) -> dict[str, str]:
    """msgid → msgstr for every translated entry, review-flagged ones included (they are used)."""
    if language not in TRANSLATED_LANGUAGES:
        return {}
    return {
        str(message.id): str(message.string)
        for message in load_catalogue(language)
        if message.id and isinstance(message.id, str) and message.string
    }


def gettext(message: str) -> str:
    """`message` (English, as written in the code) in the current request's language."""
    return _translations(_language.get()).get(message, message)


_ = gettext


def N_(message: str) -> str:  # gettext's own name for "mark, translate later"
    """Marks a string for the catalogues that is translated where it is shown (a navigation
    label kept in state and translated in the browser)."""
    return message


def format_message(message: str, **values: object) -> str:
    """`_(message)` with its `{name}` placeholders filled: the words move, the values do not."""
    return gettext(message).format(**values)


def _locale() -> Locale:
    return Locale.parse(_language.get())


def format_date(value: date | datetime | None) -> str:
    """A date as the reader's language writes it (12 Feb 2026, 12 Kukadzi 2026)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return babel_format_date(value, format="medium", locale=_locale())


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return babel_format_datetime(value, format="medium", locale=_locale())


def format_number(value: int | Decimal) -> str:
    return format_decimal(value, locale=_locale())


def format_money(amount: Decimal, currency: str) -> str:
    """Money in its currency (USD, ZWG) with the reader's separators; never through float."""
    return format_currency(amount, currency, locale=_locale())


def browser_catalogue() -> str:
    """The catalogues as the browser's script module imports them: {language: {msgid: msgstr}}."""
    data = {language: _translations(language) for language in TRANSLATED_LANGUAGES}
    return "// Generated from oneclass/locales by oneclass.i18n: do not edit.\nexport const catalogue = " + (
        json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + ";\n"
    )
