"""AccountState: a user's own password and second factor, and spending a reset link."""

from typing import Any

import reflex as rx

from oneclass import routes
from oneclass.services import auth
from oneclass.services.auth import AuthError
from state.auth import AuthState


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
    def change_password(self, form: dict[str, str]) -> None:
        self.password_error = self.password_notice = ""
        user = self._current_user()
        if user is None:
            self.password_error = "Please sign in again."
            return
        if form.get("new_password") != form.get("confirm_password"):
            self.password_error = "The new passwords do not match."
            return
        try:
            auth.change_password(
                user=user,
                current_password=form.get("current_password", ""),
                new_password=form.get("new_password", ""),
                ip=self._client_ip(),
            )
        except AuthError as refusal:
            self.password_error = refusal.message
            return
        self.password_notice = "Your password has been changed."

    @rx.event
    def load_security(self) -> None:
        self.totp_error = ""
        self.totp_qr = self.totp_secret_display = self._pending_totp_secret = ""
        self.recovery_codes = []
        user = self._current_user()
        self.totp_on = bool(user and auth.totp_enabled(user))

    @rx.event
    def start_totp(self) -> None:
        user = self._current_user()
        if user is None:
            return
        enrolment = auth.begin_totp_enrolment(user)
        self._pending_totp_secret = enrolment.secret
        self.totp_secret_display = " ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4))
        self.totp_qr = enrolment.qr_svg_data_uri
        self.totp_error = ""

    @rx.event
    def confirm_totp(self, form: dict[str, str]) -> Any:
        user = self._current_user()
        if user is None or not self._pending_totp_secret:
            return None
        try:
            self.recovery_codes = auth.confirm_totp_enrolment(
                user=user, secret=self._pending_totp_secret, code=form.get("code", ""), ip=self._client_ip()
            )
        except AuthError as refusal:
            self.totp_error = refusal.message
            return None
        self._pending_totp_secret = ""
        self.totp_qr = self.totp_secret_display = ""
        self.totp_on = True
        self._current_user()  # refresh must_enrol_totp
        return rx.toast.success("Two-step sign-in is on.")

    @rx.event
    def turn_off_totp(self, form: dict[str, str]) -> Any:
        user = self._current_user()
        if user is None:
            return None
        try:
            auth.disable_totp(user=user, code=form.get("code", ""), ip=self._client_ip())
        except AuthError as refusal:
            self.totp_error = refusal.message
            return None
        self.totp_on = False
        self.totp_error = ""
        return rx.toast.success("Two-step sign-in is off.")

    @rx.event
    def open_reset(self) -> None:
        self._resolve_school()
        self.reset_error = ""
        self.reset_done = False

    @rx.event
    def reset_password(self, form: dict[str, str]) -> Any:
        self.reset_error = ""
        school = self._school()
        token = self.router.url.query_parameters.get("token", "")
        if school is None or not token:
            self.reset_error = "This reset link is incomplete. Ask your administrator for a new one."
            return None
        if form.get("new_password") != form.get("confirm_password"):
            self.reset_error = "The new passwords do not match."
            return None
        try:
            auth.reset_password(school=school, token=token, new_password=form.get("new_password", ""), ip=self._client_ip())
        except AuthError as refusal:
            self.reset_error = refusal.message
            return None
        self.reset_done = True
        return rx.toast.success("Password set. Sign in with your new password.")

    @rx.var
    def login_route(self) -> str:
        return routes.LOGIN
