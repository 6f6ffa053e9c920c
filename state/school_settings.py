"""SchoolSettingsState: the settings a school admin changes for their own school. Every handler
asks `_actor` first and calls `oneclass.services.school_settings` off the loop."""

from typing import Any

import reflex as rx

from oneclass import i18n, routes
from oneclass.i18n import _, format_message
from oneclass.offload import offload
from oneclass.services import online_payments, school_settings
from oneclass.services.errors import ValidationFailed
from state.auth import NO_ACCESS, AuthState
from state.dialogs import ConfirmDialog
from state.students import data_uri

LOGO_UPLOAD_ID = "school_logo"


class SchoolSettingsState(AuthState, ConfirmDialog):
    require_admin_mfa: bool = False
    language: str = i18n.DEFAULT_LANGUAGE  # the school's default: what its people see unless they chose
    show_report_positions: bool = True
    registers_per_lesson: bool = False
    logo_src: str = ""  # a data: URI of the school's logo, "" when it has none
    # Paynow, per currency: the integration id, whether a key is set (the key itself never
    # comes back to the browser), and the last refusal of that currency's form.
    paynow_ids: dict[str, str] = {}
    paynow_keys_set: dict[str, bool] = {}
    paynow_errors: dict[str, str] = {}

    @rx.event
    async def load_settings(self) -> Any:
        user = await self._actor("school.update")
        if user is None:
            return self._refused(NO_ACCESS)
        self.require_admin_mfa = await offload(school_settings.admin_mfa_required, actor=user)
        self.language = await offload(school_settings.school_language, actor=user)
        self.show_report_positions = await offload(school_settings.report_positions_shown, actor=user)
        self.registers_per_lesson = await offload(school_settings.registers_taken_per_lesson, actor=user)
        logo = await offload(school_settings.school_logo, actor=user)
        self.logo_src = data_uri(*logo) if logo else ""
        self._show_paynow(await offload(online_payments.integrations, actor=user))
        return None

    def _show_paynow(self, rows: list[online_payments.IntegrationRow]) -> None:
        self.paynow_ids = {row.currency: row.integration_id for row in rows}
        self.paynow_keys_set = {row.currency: row.key_set for row in rows}

    @rx.event
    async def save_paynow(self, form: dict[str, Any]) -> Any:
        """One currency's integration: its id, and a key (blank keeps the one set)."""
        user = await self._actor("school.update")
        if user is None:
            return self._refused()
        currency = str(form.get("currency", ""))
        try:
            await offload(
                online_payments.save_integration, actor=user, currency=currency, integration_id=str(form.get("integration_id", "")),
                key=str(form.get("key", "")), ip=self._client_ip(),
            )
        except ValidationFailed as refusal:
            self.paynow_errors = {currency: " ".join(refusal.errors.values())}
            return None
        self.paynow_errors = {}
        self._show_paynow(await offload(online_payments.integrations, actor=user))
        return rx.toast.success(format_message("Paynow is set up for {currency}: parents can pay those invoices online.", currency=currency))

    @rx.event
    async def ask_remove_paynow(self, currency: str) -> Any:
        if await self._actor("school.update") is None:
            return self._refused()
        if self.paynow_keys_set.get(currency):
            self._ask(currency)
        return None

    @rx.event
    async def remove_paynow(self) -> Any:
        user = await self._actor("school.update")
        if user is None:
            return self._refused()
        currency, self.confirm_open = self.confirm_name, False
        await offload(online_payments.remove_integration, actor=user, currency=currency, ip=self._client_ip())
        self._show_paynow(await offload(online_payments.integrations, actor=user))
        return rx.toast.success(format_message("Paynow is removed for {currency}: online payment is hidden.", currency=currency))

    @rx.event
    def logo_rejected(self, _rejected: list[dict[str, Any]]) -> Any:
        return rx.toast.error(format_message("Choose one PNG or JPEG image of at most {size} MB.", size=school_settings.MAX_LOGO_BYTES // (1024 * 1024)))

    @rx.event
    async def upload_logo(self, files: list[rx.UploadFile]) -> Any:
        """Read the upload into memory, capped one byte past the limit so the service sees it."""
        user = await self._actor("school.update")
        if user is None:
            return self._refused()
        if len(files) != 1:
            return rx.toast.error(_("Choose one image first."))
        content = await files[0].read(school_settings.MAX_LOGO_BYTES + 1)
        try:
            await offload(school_settings.set_school_logo, actor=user, content=content, ip=self._client_ip())
        except ValidationFailed as refusal:
            return [rx.clear_selected_files(LOGO_UPLOAD_ID), rx.toast.error(" ".join(refusal.errors.values()))]
        logo = await offload(school_settings.school_logo, actor=user)
        self.logo_src = data_uri(*logo) if logo else ""
        return [rx.clear_selected_files(LOGO_UPLOAD_ID), rx.toast.success(_("Logo saved: it is on every report card from now on."))]

    @rx.event
    async def set_show_report_positions(self, shown: bool) -> Any:
        user = await self._actor("school.update")
        if user is None:
            return self._refused()
        await offload(school_settings.set_report_positions, actor=user, shown=bool(shown), ip=self._client_ip())
        self.show_report_positions = bool(shown)
        if shown:
            return rx.toast.success(_("Report cards now show class and level positions."))
        return rx.toast.success(_("Report cards no longer show positions."))

    @rx.event
    async def set_registers_per_lesson(self, per_lesson: bool) -> Any:
        user = await self._actor("school.update")
        if user is None:
            return self._refused()
        await offload(school_settings.set_registers_per_lesson, actor=user, per_lesson=bool(per_lesson), ip=self._client_ip())
        self.registers_per_lesson = bool(per_lesson)
        if per_lesson:
            return rx.toast.success(_("Registers are now taken for each lesson of the timetable."))
        return rx.toast.success(_("Registers are now taken once a day."))

    @rx.event
    async def set_require_admin_mfa(self, enabled: bool) -> Any:
        user = await self._actor("school.update")
        if user is None:
            return self._refused()
        await offload(school_settings.set_require_admin_mfa, actor=user, enabled=enabled, ip=self._client_ip())
        self.require_admin_mfa = enabled
        if not enabled:
            return rx.toast.success(_("Administrators may now sign in with a password alone."))
        # The rule applies to the admin who set it, too: their tokens are read again now.
        if await self._signed_in() and self.must_enrol_totp:
            return [
                rx.toast.warning(_("Two-step sign-in is now required. Set it up for your own account first.")),
                rx.redirect(routes.ACCOUNT_SECURITY),
            ]
        return rx.toast.success(_("Administrators must now use two-step sign-in."))

    @rx.event
    async def set_school_language(self, language: str) -> Any:
        """The school's default language; this page follows it too, unless the admin chose one."""
        user = await self._actor("school.update")
        if user is None:
            return self._refused()
        try:
            language = await offload(school_settings.set_school_language, actor=user, language=language, ip=self._client_ip())
        except ValidationFailed as refusal:
            return rx.toast.error(" ".join(refusal.errors.values()))
        self.language = language
        self._set_if_changed(school_language=language)
        i18n.use_language(self.lang)
        return rx.toast.success(
            format_message("The school's language is now {language}.", language=i18n.LANGUAGES[language])
        )
