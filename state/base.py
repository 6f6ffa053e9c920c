"""AppState: which school this browser session is on, resolved from the page's host."""

import reflex as rx

from oneclass import i18n
from oneclass.offload import offload
from oneclass.tenancy import HostKind, HostResolution, SchoolRoute, resolve_host


class AppState(rx.State):
    """The base every feature state inherits: the tenant, resolved once per page load."""

    host_kind: str = "loading"  # loading | platform | school | unknown
    school_name: str = ""
    school_level: str = ""
    school_suspended: bool = False
    school_language: str = i18n.DEFAULT_LANGUAGE
    # The reader's own choice, kept by the browser (and, once signed in, on their account); it
    # lives here, above AuthState, so signing out does not forget it.
    chosen_language: str = rx.LocalStorage("", name="oneclass_language", sync=True)
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
        self._set_if_changed(school_language=school.language if school else i18n.DEFAULT_LANGUAGE)
        # Messages this event makes (refusals, notices) are in the reader's language.
        i18n.use_language(self.lang)

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
    def lang(self) -> str:
        """The language the page is shown in: the reader's choice, else the school's."""
        return i18n.normalise_language(self.chosen_language) or self.school_language

    @rx.event
    async def choose_language(self, language: str) -> None:
        """Switch the interface's language (the sign-in page's and the account menu's picker)."""
        await self._switch_language(language)

    async def _switch_language(self, language: str) -> None:
        language = i18n.normalise_language(language)
        if language:
            self._set_if_changed(chosen_language=language)
            i18n.use_language(language)
            await self._remember_language(language)

    async def _remember_language(self, language: str) -> None:
        """Signed-in readers keep their choice on their account. Reflex runs an inherited handler
        on the state that defines it, this one, whichever subclass a page names; the account is
        AuthState's, so ask it (imported here: AuthState's module builds on this one)."""
        from state.auth import AuthState

        signed_in = await self.get_state(AuthState)
        await signed_in._keep_language_on_account(language)

    @rx.event
    async def apply_language_query(self) -> None:
        """`?lang=sn|nd|en` on any page switches the language, as the picker would."""
        language = self.router.url.query_parameters.get("lang", "")
        if i18n.normalise_language(language):
            await self._switch_language(language)

    @rx.var
    def is_school(self) -> bool:
        return self.host_kind == HostKind.school.value

    @rx.var
    def level_label(self) -> str:
        """The school's level in English (a message id): pages show it with `t()`."""
        return {
            "primary": i18n.N_("Primary school"),
            "secondary": i18n.N_("Secondary school"),
            "combined": i18n.N_("Primary and secondary"),
        }.get(self.school_level, "")
