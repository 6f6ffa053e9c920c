"""AppState: which school this browser session is on, resolved from the page's host."""

import reflex as rx

from oneclass.services.schools import SchoolRoute
from oneclass.tenancy import HostKind, resolve_host


class AppState(rx.State):
    """The base every feature state inherits: the tenant, resolved once per page load."""

    host_kind: str = "loading"  # loading | platform | school | unknown
    school_name: str = ""
    school_level: str = ""
    school_suspended: bool = False
    # Backend-only: never sent to the browser.
    _school_id: str = ""
    _school_route: SchoolRoute | None = None

    @rx.event
    def resolve_school(self) -> None:
        self._resolve_school()

    def _resolve_school(self) -> None:
        """Read the browser's host (not the websocket's) and find its school."""
        resolution = resolve_host(self.router.url.netloc)
        self.host_kind = resolution.kind.value
        school = resolution.school
        self._school_id = str(school.id) if school else ""
        self.school_name = school.name if school else ""
        self.school_level = school.level if school else ""
        self.school_suspended = bool(school and school.status == "suspended")
        self._school_route = school

    def _school(self) -> SchoolRoute | None:
        return self._school_route

    def _client_ip(self) -> str:
        # Reflex applies `trusted_proxy_hops`; a raw X-Forwarded-For could be forged.
        return self.router.session.client_ip or "unknown"

    @rx.var
    def is_school(self) -> bool:
        return self.host_kind == HostKind.school.value

    @rx.var
    def level_label(self) -> str:
        return {"primary": "Primary school", "secondary": "Secondary school", "combined": "Primary and secondary"}.get(
            self.school_level, ""
        )
