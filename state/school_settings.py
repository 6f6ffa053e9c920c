"""SchoolSettingsState: the settings a school admin changes for their own school."""

from typing import Any

import reflex as rx

from oneclass import routes
from oneclass.services import school_settings
from state.admin_users import NO_ACCESS, admin_user, refused
from state.auth import AuthState


class SchoolSettingsState(AuthState):
    require_admin_mfa: bool = False

    @rx.event
    def load_settings(self) -> Any:
        user = admin_user(self, "school.update")
        if user is None:
            return refused(self, NO_ACCESS)
        self.require_admin_mfa = school_settings.admin_mfa_required(actor=user)
        return None

    @rx.event
    def set_require_admin_mfa(self, enabled: bool) -> Any:
        user = admin_user(self, "school.update")
        if user is None:
            return refused(self)
        school_settings.set_require_admin_mfa(actor=user, enabled=enabled, ip=self._client_ip())
        self.require_admin_mfa = enabled
        if not enabled:
            return rx.toast.success("Administrators may now sign in with a password alone.")
        # The rule applies to the admin who set it, too.
        if self._current_user() and self.must_enrol_totp:
            return [
                rx.toast.warning("Two-step sign-in is now required. Set it up for your own account first."),
                rx.redirect(routes.ACCOUNT_SECURITY),
            ]
        return rx.toast.success("Administrators must now use two-step sign-in.")
