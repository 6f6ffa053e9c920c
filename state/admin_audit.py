"""AuditLogState: the school's audit trail for its admin, filtered and paged on the server."""

from datetime import UTC, datetime, timedelta
from typing import Any

import reflex as rx

from oneclass.db import tenant_session
from oneclass.services import audit, users
from oneclass.services.audit import AuditFilter
from state.admin_users import NO_ACCESS, admin_user, refused
from state.auth import AuthState

PER_PAGE = 50
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


def _day(value: str) -> datetime | None:
    """A date input's 'YYYY-MM-DD' as the start of that day (UTC), or None when empty or bad."""
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


class AuditLogState(AuthState):
    events: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    action_filter: str = "all"
    actor_filter: str = ""
    since: str = ""  # YYYY-MM-DD, inclusive
    until: str = ""  # YYYY-MM-DD, inclusive

    @rx.event
    def load_events(self) -> Any:
        user = admin_user(self, "audit.read")
        if user is None:
            self.events, self.total = [], 0
            return refused(self, NO_ACCESS)
        since, until = _day(self.since), _day(self.until)
        filters = AuditFilter(
            action="" if self.action_filter == "all" else self.action_filter,
            actor=self.actor_filter.strip(),
            since=since,
            until=until + timedelta(days=1) if until else None,
        )
        with tenant_session(user.school_id) as session:
            result = audit.list_events(session, filters, page=self.page, per_page=PER_PAGE)
        self.events, self.total = result.events, result.total
        return None

    @rx.event
    def set_action_filter(self, value: str) -> Any:
        self.action_filter = value if value in ACTION_CHOICES else "all"
        self.page = 1
        return AuditLogState.load_events

    @rx.event
    def apply_filters(self, form: dict[str, str]) -> Any:
        self.actor_filter = form.get("actor", "")
        self.since, self.until = form.get("since", ""), form.get("until", "")
        self.page = 1
        return AuditLogState.load_events

    @rx.event
    def previous_page(self) -> Any:
        self.page = max(1, self.page - 1)
        return AuditLogState.load_events

    @rx.event
    def next_page(self) -> Any:
        self.page = min(self.page + 1, self.page_count)
        return AuditLogState.load_events

    @rx.var
    def page_count(self) -> int:
        return users.page_count(self.total, PER_PAGE)
