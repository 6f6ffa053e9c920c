"""What the records pages' forms and buttons send, read for the services: ids, optional
choices, dates, and a refusal's messages laid out for a form."""

from collections.abc import Mapping
from datetime import date
from uuid import UUID

from oneclass.i18n import N_, _

FIX_FIELDS = N_("Please correct the fields marked below.")
NONE = "none"  # a select cannot offer an empty value: "no class teacher", "no department"


def browser_id(value: str) -> UUID:
    """An id sent by the browser; a malformed one becomes an id that matches nothing."""
    try:
        return UUID(value)
    except ValueError:
        return UUID(int=0)


def optional_id(value: str) -> UUID | None:
    """A select's id, where "" or NONE means none chosen."""
    return None if value in ("", NONE) else browser_id(value)


def with_form_error(errors: Mapping[str, str]) -> dict[str, str]:
    """A refusal's field errors, and the line above the form that points at them."""
    return {"form": _(FIX_FIELDS), **errors}


def form_date(form: Mapping[str, str], name: str, problems: dict[str, str], error_key: str) -> date:
    """A date input's YYYY-MM-DD; a missing or bad one is noted in `problems` under `error_key`
    (and the form is refused, so the placeholder returned for it is never used)."""
    try:
        return date.fromisoformat(form.get(name, "").strip())
    except ValueError:
        problems.setdefault(error_key, _("Choose a date."))
        return date.min
