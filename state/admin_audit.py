"""AuditLogState: the school's audit trail for its admin, filtered and paged on the server; every
handler asks `_actor` first and reads through `audit.list_events` off the loop."""

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import reflex as rx

from oneclass.i18n import N_, _
from oneclass.offload import offload
from oneclass.services import audit
from oneclass.services.audit import AuditFilter
from oneclass.services.auth import CurrentUser
from state.auth import AuthState
from state.listing import ExportTable, PagedList

# The action filter: a prefix of `audit_events.action`, with what the admin reads (in English,
# message ids: the select shows them translated).
ACTION_CHOICES: dict[str, str] = {
    "all": N_("All actions"),
    "sign_in": N_("Sign-ins"),
    "signed_out": N_("Sign-outs"),
    "account": N_("Lockouts"),
    "password": N_("Passwords"),
    "totp": N_("Two-step sign-in"),
    "user": N_("Users"),
    "school": N_("School settings"),
    "refresh_token": N_("Reused sign-in tokens"),
}
EXPORT_COLUMNS = {
    "when": N_("When"),
    "actor": N_("Who"),
    "action": N_("Action"),
    "action_label": N_("What happened"),
    "target": N_("Target"),
    "ip": N_("IP address"),
}


def _day(value: str) -> datetime | None:
    """A date input's 'YYYY-MM-DD' as the start of that day (UTC), or None when empty or bad."""
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def with_translated_labels(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events for an export, each action's meaning in the reader's language (the rows a page
    gets keep the English message id, which the browser translates)."""
    return [{**row, "action_label": _(row["action_label"]) if row["action_label"] else ""} for row in rows]


class AuditLogState(PagedList, AuthState):
    read_permission: ClassVar[str] = "audit.read"
    rows_var: ClassVar[str] = "events"
    per_page: ClassVar[int] = 50
    events: list[dict[str, str]] = []
    action_filter: str = "all"
    actor_filter: str = ""
    since: str = ""  # YYYY-MM-DD, inclusive
    until: str = ""  # YYYY-MM-DD, inclusive

    def _filters(self) -> AuditFilter:
        since, until = _day(self.since), _day(self.until)
        return AuditFilter(
            action="" if self.action_filter == "all" else self.action_filter,
            actor=self.actor_filter.strip(),
            since=since,
            until=until + timedelta(days=1) if until else None,
        )

    async def _fetch(self, user: CurrentUser) -> None:
        """The list's one loading step: the current page of events for the filters on screen."""
        found = await self._fetch_page(
            lambda page: offload(audit.list_events, actor=user, filters=self._filters(), page=page, per_page=self.per_page)
        )
        self.events = found.rows

    @rx.event
    async def load_events(self) -> Any:
        """on_load: the first page."""
        return await self._load_page()

    async def _export_table(self) -> ExportTable | None:
        user = await self._actor("audit.read")
        if user is None:
            return None
        events = await self._every_row_of(audit.list_events, actor=user, filters=self._filters())
        columns = {key: _(heading) for key, heading in EXPORT_COLUMNS.items()}
        return "audit-log", columns, with_translated_labels(events)

    @rx.event
    async def set_action_filter(self, value: str) -> Any:
        return await self._refilter(action_filter=value if value in ACTION_CHOICES else "all")

    @rx.event
    async def apply_filters(self, form: dict[str, str]) -> Any:
        return await self._refilter(actor_filter=form.get("actor", ""), since=form.get("since", ""), until=form.get("until", ""))
