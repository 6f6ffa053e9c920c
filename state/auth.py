"""AuthState: who is signed in on this host, the page guard, signing in and out.

Tokens live in cookies of the school's own host. `require_login` style redirects are not how
data is protected: any browser can call any handler by name, so every handler asks
`await self._actor(permission)` for the user (host and tokens checked again on that event),
and the service it calls checks the permission once more and opens the school's transaction.
"""

from typing import Any

import reflex as rx

from models import Role
from oneclass import routes
from oneclass.i18n import N_, _
from oneclass.observability import bind_log_context
from oneclass.offload import offload
from oneclass.permissions import can, role_can
from oneclass.security import ACCESS_COOKIE, REFRESH_COOKIE
from oneclass.services import auth
from oneclass.services.auth import (
    AuthError,
    CurrentUser,
    SecondFactorRequired,
    TokenPair,
)
from oneclass.settings import get_settings
from oneclass.tenancy import HostKind
from state.base import AppState

_REFRESH_MAX_AGE = get_settings().refresh_token_days * 24 * 3600
# The guard and a page's loader say the same words with the same toast id: one message, not two.
# Marked here, translated where shown (`_refused` does it).
NO_ACCESS = N_("You do not have access to that page.")
NO_PERMISSION = N_("You do not have permission to do that.")
# Shown with t() in the browser.
ROLE_LABELS: dict[str, str] = {
    Role.super_admin: N_("Super Admin"),
    Role.school_admin: N_("School Admin"),
    Role.teacher: N_("Teacher"),
    Role.student: N_("Student"),
    Role.parent: N_("Parent"),
    Role.staff: N_("Staff"),
}


class AuthState(AppState):
    access_token: str = rx.Cookie("", name=ACCESS_COOKIE, same_site="strict", max_age=_REFRESH_MAX_AGE)
    refresh_token: str = rx.Cookie("", name=REFRESH_COOKIE, same_site="strict", max_age=_REFRESH_MAX_AGE)

    user_name: str = ""
    user_email: str = ""
    user_role: str = ""
    user_duties: list[str] = []
    must_enrol_totp: bool = False

    # The sign-in form.
    login_error: str = ""
    needs_totp: bool = False
    signing_in: bool = False

    _user: CurrentUser | None = None

    # --- helpers for every feature state ------------------------------------------------------

    def _remember(self, pair: TokenPair) -> None:
        self.access_token = pair.access_token
        self.refresh_token = pair.refresh_token
        self._set_user(pair.user)

    def _set_user(self, user: CurrentUser | None) -> None:
        self._user = user
        self._set_if_changed(
            user_name=user.full_name if user else "",
            user_email=user.email if user else "",
            user_role=user.role if user else "",
            user_duties=list(user.duties) if user else [],
            must_enrol_totp=bool(user and user.must_enrol_totp),
        )

    def _forget(self) -> None:
        self.access_token = ""
        self.refresh_token = ""
        self._set_user(None)

    async def _signed_in(self) -> CurrentUser | None:
        """The user signed in on this event's host: the host is resolved again and the tokens
        verified against its school (refreshed if the access token has lapsed), off the loop."""
        await self._resolve_school_now()
        school = self._school()
        if school is not None:
            bind_log_context(school=school.subdomain)
        if self.host_kind not in (HostKind.school.value, HostKind.platform.value):
            self._forget()
            return None
        if self.access_token:
            try:
                user = await offload(auth.authenticate, token=self.access_token, school=school)
                self._set_user(user)
                bind_log_context(user=str(user.id))
                return user
            except AuthError:
                pass
        if self.refresh_token:
            try:
                self._remember(await offload(auth.refresh, school=school, refresh_token=self.refresh_token, ip=self._client_ip()))
                return self._user
            except AuthError:
                pass
        self._forget()
        return None

    async def _actor(self, permission: str) -> CurrentUser | None:
        """The signed-in user if they may do `permission` now; every handler asks this before it
        calls a service. An admin who still has to enrol a second factor gets nothing until they
        have (the guard sends them to enrol)."""
        user = await self._signed_in()
        return user if self._may(user, permission) and not user.must_enrol_totp else None  # type: ignore[union-attr]

    async def _keep_language_on_account(self, language: str) -> None:
        """The signed-in user's choice, kept on their account (private: no browser calls it; AppState does)."""
        user = await self._signed_in()
        if user:
            await offload(auth.set_language, actor=user, language=language)

    def _may(self, user: CurrentUser | None, permission: str) -> bool:
        """`can`, on this host: `platform.*` permissions are the root domain's and every other one
        a school host's (the page guard's rule), so a super admin's `*` opens no school handler."""
        return can(user, permission) and permission.startswith("platform.") == (self.host_kind == HostKind.platform.value)

    def _refused(self, message: str = NO_PERMISSION) -> Any:
        """What a handler returns when `_actor` said no: a toast for a signed-in user, nothing
        for somebody the guard is sending to sign in or to enrol a second factor. `message` is
        English (a constant marked `N_`), translated here."""
        if self.user_role and not self.must_enrol_totp:
            return rx.toast.error(_(message), id="no-access")
        return None

    @rx.var
    def is_signed_in(self) -> bool:
        return self.user_role != ""

    @rx.var
    def role_label(self) -> str:
        """The role's name in English (a message id): pages show it with `t()`."""
        return ROLE_LABELS.get(self.user_role, self.user_role.replace("_", " ").title())

    @rx.var
    def dashboard_route(self) -> str:
        return routes.dashboard_for(self.user_role)

    @rx.var
    def nav_items(self) -> list[dict[str, str]]:
        if not self.user_role:
            return []
        on_platform = self.host_kind == HostKind.platform.value
        items = [{"label": N_("Dashboard"), "href": routes.dashboard_for(self.user_role), "icon": "layout-dashboard"}]
        for label, href, icon, permission in routes.NAVIGATION:
            if permission and (permission.startswith("platform.") != on_platform or not role_can(self.user_role, permission, self.user_duties)):
                continue
            items.append({"label": label, "href": href, "icon": icon})
        return items

    # --- the page guard -----------------------------------------------------------------------

    @rx.event
    async def guard(self, permission: str = "") -> Any:
        """on_load of every signed-in page: resolve the school, check the user and `permission`.

        `platform.*` permissions belong to the root domain; all others to a school's host.
        """
        user = await self._signed_in()
        if self.host_kind not in (HostKind.school.value, HostKind.platform.value):
            return None  # the page shows "school not found"
        wants_platform = permission.startswith("platform.")
        if wants_platform != (self.host_kind == HostKind.platform.value) and permission:
            return rx.redirect(routes.HOME)
        if user is None:
            return rx.redirect(routes.login_url(self.router.url.path))
        if user.must_enrol_totp and self.router.url.path.rstrip("/") != routes.ACCOUNT_SECURITY:
            return [
                rx.toast.warning(_("Your school requires a second factor for administrators. Set it up first.")),
                rx.redirect(routes.ACCOUNT_SECURITY),
            ]
        if permission and not can(user, permission):
            return [
                rx.toast.error(_(NO_ACCESS), id="no-access"),
                rx.redirect(routes.dashboard_for(user.role)),
            ]
        return None

    @rx.event
    async def check_session(self) -> None:
        """on_load of public pages: resolve the school and notice a signed-in user, no redirect."""
        await self._signed_in()

    # --- signing in and out -------------------------------------------------------------------

    @rx.event
    async def open_login(self) -> Any:
        """on_load of /login: a signed-in user goes straight to their dashboard."""
        self.login_error = ""
        self.needs_totp = False
        if await self._signed_in():
            return rx.redirect(self._next_path())
        return None

    def _next_path(self) -> str:
        return routes.safe_next(self.router.url.query_parameters.get("next", "")) or routes.dashboard_for(self.user_role)

    @rx.event
    async def sign_in(self, form: dict[str, str]) -> Any:
        await self._resolve_school_now()  # now, not at page load: the school may have been suspended since
        self.login_error = ""
        try:
            # Off the loop: the password hash holds a core for a few hundred milliseconds.
            pair = await offload(
                auth.sign_in,
                school=self._school(),
                email=form.get("email", ""),
                password=form.get("password", ""),
                totp_code=form.get("totp_code") or None,
                ip=self._client_ip(),
            )
        except SecondFactorRequired as prompt:
            self.needs_totp = True
            self.login_error = prompt.message if form.get("totp_code") else ""
            return None
        except AuthError as refusal:
            self.login_error = refusal.message
            return None
        self._remember(pair)
        self.needs_totp = False
        if pair.user.language:  # their choice on another browser follows them here
            self._set_if_changed(chosen_language=pair.user.language)
        return rx.redirect(self._next_path())

    @rx.event
    async def sign_out(self) -> Any:
        """End the sign-in, then forget everything this tab loaded, not only the tokens: every
        feature state below this one (their rows and private vars) goes back to its defaults,
        so the next person at this browser sees nothing of the last one's."""
        user = await self._signed_in()
        if user:
            await offload(auth.sign_out, actor=user, ip=self._client_ip())
        self.reset()  # this state (tokens, user) and, recursively, every substate loaded with it
        return rx.redirect(routes.LOGIN)

