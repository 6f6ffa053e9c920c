"""AuditLogState: the school's audit trail for its admin, filtered and paged on the server."""

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import reflex as rx

from oneclass.db import tenant_session
from oneclass.services import audit
from oneclass.services.audit import AuditFilter
from state.admin_users import NO_ACCESS, admin_user, refused
from state.auth import AuthState
from state.listing import ExportTable, PagedList

# The action filter: a prefix of `audit_events.action`, with what the admin reads.
ACTION_CHOICES: dict[str, str] = {
    "all": "All actions",
    "sign_in": "Sign-ins",
    "signed_out": "Sign-outs",
    "account": "Lockouts",
    "password": "Passwords",
    "totp": "Two-step sign-in",
    "user": "Users",
    "school": "School settings",
    "refresh_token": "Reused sign-in tokens",
}
EXPORT_COLUMNS = {"when": "When", "actor": "Who", "action": "Action", "target": "Target", "ip": "IP address"}


def _day(value: str) -> datetime | None:
    """A date input's 'YYYY-MM-DD' as the start of that day (UTC), or None when empty or bad."""
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


class AuditLogState(PagedList, AuthState):
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

    @rx.event
    def load_events(self) -> Any:
        user = admin_user(self, "audit.read")
        if user is None:
            self.events, self.total = [], 0
            return refused(self, NO_ACCESS)
        with tenant_session(user.school_id) as session:
            result = audit.list_events(session, self._filters(), page=self.page, per_page=self.per_page)
        self.events, self.total = result.rows, result.total
        return None

    def _export_table(self) -> ExportTable | None:
        user = admin_user(self, "audit.read")
        if user is None:
            return None
        filters = self._filters()
        with tenant_session(user.school_id) as session:
            rows = self._every_row(lambda page, per_page: audit.list_events(session, filters, page=page, per_page=per_page))
        return "audit-log", EXPORT_COLUMNS, rows

    def _load_page(self) -> Any:
        return AuditLogState.load_events

    @rx.event
    def set_action_filter(self, value: str) -> Any:
        return self._refilter(action_filter=value if value in ACTION_CHOICES else "all")

    @rx.event
    def apply_filters(self, form: dict[str, str]) -> Any:
        return self._refilter(actor_filter=form.get("actor", ""), since=form.get("since", ""), until=form.get("until", ""))
