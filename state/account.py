"""AccountState: a user's own password and second factor, and spending a reset link.

Every handler acts on the signed-in user's own account only, so it asks for the user and no
permission: every role may manage its own sign-in, including an admin who still has to enrol a
second factor (the guard sends them here to do it). Services run off the event loop.
"""

from typing import Any

import reflex as rx

from oneclass import routes
from oneclass.i18n import N_, _
from oneclass.offload import offload
from oneclass.services import auth
from oneclass.services.auth import AuthError
from state.auth import AuthState

SIGN_IN_AGAIN = N_("Please sign in again.")


class AccountState(AuthState):
    password_error: str = ""
    password_notice: str = ""

    totp_on: bool = False
    totp_qr: str = ""  # an SVG data URI drawn on the server
    totp_secret_display: str = ""
    totp_error: str = ""
    recovery_codes: list[str] = []
    _pending_totp_secret: str = ""

    reset_error: str = ""
    reset_done: bool = False

    @rx.event
    async def change_password(self, form: dict[str, str]) -> None:
        self.password_error = self.password_notice = ""
        if form.get("new_password") != form.get("confirm_password"):
            self.password_error = _("The new passwords do not match.")
            return
        user = await self._signed_in()
        if user is None:
            self.password_error = _(SIGN_IN_AGAIN)
            return
        try:
            await offload(
                auth.change_password,
                actor=user,
                current_password=form.get("current_password", ""),
                new_password=form.get("new_password", ""),
                ip=self._client_ip(),
            )
        except AuthError as refusal:
            self.password_error = refusal.message
            return
        self.password_notice = _("Your password has been changed. You are signed out everywhere else.")

    @rx.event
    async def load_security(self) -> None:
        self.totp_error = ""
        self.totp_qr = self.totp_secret_display = self._pending_totp_secret = ""
        self.recovery_codes = []
        user = await self._signed_in()
        self.totp_on = bool(user and await offload(auth.totp_enabled, actor=user))

    @rx.event
    async def start_totp(self) -> None:
        """Show a new secret to scan: the first one, or (with proof, at confirmation) a new phone's."""
        user = await self._signed_in()
        if user is None:
            return
        enrolment = await offload(auth.begin_totp_enrolment, actor=user)
        self._pending_totp_secret = enrolment.secret
        self.totp_secret_display = " ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4))
        self.totp_qr = enrolment.qr_svg_data_uri
        self.totp_error = ""

    @rx.event
    async def confirm_totp(self, form: dict[str, str]) -> Any:
        user = await self._signed_in()
        if user is None or not self._pending_totp_secret:
            return None
        try:
            self.recovery_codes = await offload(
                auth.confirm_totp_enrolment,
                actor=user,
                secret=self._pending_totp_secret,
                code=form.get("code", ""),
                current_code=form.get("current_code", ""),
                current_password=form.get("current_password", ""),
                ip=self._client_ip(),
            )
        except AuthError as refusal:
            self.totp_error = refusal.message
            return None
        replaced = self.totp_on
        self._pending_totp_secret = ""
        self.totp_qr = self.totp_secret_display = self.totp_error = ""
        self.totp_on = True
        await self._signed_in()  # must_enrol_totp is over now
        return rx.toast.success(_("Two-step sign-in moved to your new app.") if replaced else _("Two-step sign-in is on."))

    @rx.event
    async def turn_off_totp(self, form: dict[str, str]) -> Any:
        user = await self._signed_in()
        if user is None:
            return None
        try:
            await offload(auth.disable_totp, actor=user, code=form.get("code", ""), ip=self._client_ip())
        except AuthError as refusal:
            self.totp_error = refusal.message
            return None
        self.totp_on = False
        self.totp_error = ""
        return rx.toast.success(_("Two-step sign-in is off."))

    @rx.event
    async def open_reset(self) -> None:
        await self._resolve_school_now()
        self.reset_error = ""
        self.reset_done = False

    @rx.event
    async def reset_password(self, form: dict[str, str]) -> Any:
        self.reset_error = ""
        await self._resolve_school_now()
        school = self._school()
        token = self.router.url.query_parameters.get("token", "")
        if school is None or not token:
            self.reset_error = _("This reset link is incomplete. Ask your administrator for a new one.")
            return None
        if form.get("new_password") != form.get("confirm_password"):
            self.reset_error = _("The new passwords do not match.")
            return None
        try:
            await offload(
                auth.reset_password, school=school, token=token, new_password=form.get("new_password", ""), ip=self._client_ip()
            )
        except AuthError as refusal:
            self.reset_error = refusal.message
            return None
        self.reset_done = True
        return rx.toast.success(_("Password set. Sign in with your new password."))

    @rx.var
    def login_route(self) -> str:
        return routes.LOGIN
