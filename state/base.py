"""AppState: which school this browser session is on, resolved from the page's host."""

import reflex as rx

from oneclass.offload import offload
from oneclass.tenancy import HostKind, HostResolution, SchoolRoute, resolve_host


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
    async def resolve_school(self) -> None:
        await self._resolve_school_now()

    async def _resolve_school_now(self) -> None:
        """Read the browser's host (not the websocket's) and find its school, on every event
        that needs it: a tab that reconnects with another host is another school's tab."""
        self._show_school(await offload(resolve_host, self.router.url.netloc))

    def _resolve_school(self) -> None:
        self._show_school(resolve_host(self.router.url.netloc))

    def _show_school(self, resolution: HostResolution) -> None:
        school = resolution.school
        # Assigned only when changed: every assignment is sent to the browser again.
        self._set_if_changed(
            host_kind=resolution.kind.value,
            school_name=school.name if school else "",
            school_level=school.level if school else "",
            school_suspended=bool(school and school.status == "suspended"),
        )
        self._school_id = str(school.id) if school else ""
        self._school_route = school

    def _set_if_changed(self, **values: object) -> None:
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

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
