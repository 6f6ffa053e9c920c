"""Checks of Zimbabwean identifiers and contact details, each returning a normalised value or
raising `InvalidValue` with a message fit to show beside the field.

Formats:
- Phone: +263 then 9 digits for mobiles (+263 77 123 4567) or 8-9 for landlines; local forms
  (0771234567, 263771234567, spaces/dashes) are accepted and normalised to +263....
- National ID (and the ID number on a birth certificate): two-digit district of registration,
  six or seven digits, a check letter, two-digit district of origin: 63-123456A75 (dashes and
  spaces optional; stored as NN-NNNNNNLNN).
- ZIMSEC candidate number: six-digit centre number and four-digit candidate number,
  stored as 123456/0001.
"""

import re
from datetime import date

from oneclass.i18n import _, format_message

PHONE_LOCAL = re.compile(r"^0(\d{8,9})$")
PHONE_INTERNATIONAL = re.compile(r"^(?:\+|00)?263(\d{8,9})$")
NATIONAL_ID = re.compile(r"^(\d{2})(\d{6,7})([A-Z])(\d{2})$")
ZIMSEC_CANDIDATE = re.compile(r"^(\d{6})(\d{4})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidValue(ValueError):
    """The message is for the user, made in the request's language."""


def _compact(value: str) -> str:
    return re.sub(r"[\s\-/().]", "", value.strip())


def phone(value: str) -> str:
    compact = _compact(value)
    match = PHONE_INTERNATIONAL.match(compact) or PHONE_LOCAL.match(compact)
    if not match:
        raise InvalidValue(_("Enter a Zimbabwean number, e.g. +263 77 123 4567 or 0771234567."))
    digits = match.group(1)
    if len(digits) == 9 and digits[0] == "7" and digits[1] not in "1378":
        raise InvalidValue(_("That is not a Zimbabwean mobile number (they start 071, 073, 077 or 078)."))
    return f"+263{digits}"


def national_id(value: str) -> str:
    match = NATIONAL_ID.match(_compact(value).upper())
    if not match:
        raise InvalidValue(_("Enter the ID number as on the document, e.g. 63-123456A75."))
    district, number, letter, origin = match.groups()
    return f"{district}-{number}{letter}{origin}"


def zimsec_candidate_number(value: str) -> str:
    match = ZIMSEC_CANDIDATE.match(_compact(value))
    if not match:
        raise InvalidValue(_("Enter the centre and candidate numbers, e.g. 123456/0001."))
    return f"{match.group(1)}/{match.group(2)}"


def email(value: str) -> str:
    cleaned = value.strip().lower()
    if not EMAIL.match(cleaned) or len(cleaned) > 254:
        raise InvalidValue(_("Enter an email address like name@example.com."))
    return cleaned


def required_text(value: str, *, label: str, max_length: int = 200) -> str:
    """`value` tidied; `label` is the field's English name marked `N_("First name")`, which the
    message shows in the reader's language."""
    cleaned = " ".join(value.replace("\x00", "").split())
    if not cleaned:
        raise InvalidValue(format_message("{label} is required.", label=_(label)))
    if len(cleaned) > max_length:
        raise InvalidValue(format_message("{label} must be at most {max_length} characters.", label=_(label), max_length=max_length))
    return cleaned


def date_of_birth(value: str | date, *, today: date | None = None) -> date:
    today = today or date.today()
    try:
        born = value if isinstance(value, date) else date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidValue(_("Enter the date as YYYY-MM-DD.")) from None
    if born >= today:
        raise InvalidValue(_("The date of birth must be in the past."))
    if born.year < today.year - 30:
        raise InvalidValue(_("That date of birth is too long ago for a student."))
    return born
