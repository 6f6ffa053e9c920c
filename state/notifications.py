"""NotificationsState: the signed-in user's own notifications (newest first, paged, unread ones
marked, marked read one by one or all at once) and how they are told (a parent: the app, email
or SMS for their family's messages, and SMS refused altogether; anyone else: the app or email).
Every handler asks `_actor` and calls one service off the loop; the services keep each user to
their own rows."""

from typing import Any, ClassVar

import reflex as rx

from oneclass.i18n import N_, _
from oneclass.offload import offload
from oneclass.services import notifications
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from state.auth import AuthState
from state.form_values import with_form_error
from state.listing import ExportTable, PagedList

READ_OWN = notifications.READ_OWN
EXPORT_COLUMNS = {"when": N_("When"), "subject": N_("Subject"), "body": N_("Message")}


class NotificationsState(PagedList, AuthState):
    read_permission: ClassVar[str] = READ_OWN
    rows_var: ClassVar[str] = "items"
    per_page: ClassVar[int] = 20
    items: list[dict[str, Any]] = []
    unread: int = 0
    channel: str = ""
    sms_opt_out: bool = False
    is_guardian: bool = False
    channel_errors: dict[str, str] = {}
    channel_saved: str = ""

    async def _fetch(self, user: CurrentUser) -> None:
        found = await self._fetch_page(lambda page: offload(notifications.my_notifications, actor=user, page=page, per_page=self.per_page))
        self.items = found.rows
        self.unread = await offload(notifications.unread_count, actor=user)

    @rx.event
    async def load_notifications(self) -> Any:
        """on_load: the first page, the unread count and the channel chosen."""
        user = await self._actor(READ_OWN)
        if user is not None:
            choice = await offload(notifications.my_channel, actor=user)
            self.channel, self.sms_opt_out, self.is_guardian = choice.channel, choice.sms_opt_out, choice.is_guardian
            self.channel_errors, self.channel_saved = {}, ""
        return await self._load_page()

    @rx.event
    async def mark_read(self, notification_id: str) -> Any:
        user = await self._actor(READ_OWN)
        if user is None:
            return self._refused()
        try:
            await offload(notifications.mark_read, actor=user, notification_id=notification_id)
        except NotFound as missing:
            return rx.toast.error(missing.message)
        await self._fetch(user)
        return None

    @rx.event
    async def mark_all_read(self) -> Any:
        user = await self._actor(READ_OWN)
        if user is None:
            return self._refused()
        await offload(notifications.mark_read, actor=user)
        await self._fetch(user)
        return rx.toast.success(_("Every notification is marked read."))

    @rx.event
    async def save_channel(self, form: dict[str, Any]) -> Any:
        user = await self._actor(READ_OWN)
        if user is None:
            return self._refused()
        try:
            choice = await offload(
                notifications.choose_channel, actor=user, channel=str(form.get("channel", "")), sms_opt_out=bool(form.get("sms_opt_out"))
            )
        except ValidationFailed as refusal:
            self.channel_errors, self.channel_saved = with_form_error(refusal.errors), ""
            return None
        self.channel, self.sms_opt_out, self.channel_errors = choice.channel, choice.sms_opt_out, {}
        self.channel_saved = _("Saved: you will be told this way.")
        return None

    async def _export_table(self) -> ExportTable | None:
        user = await self._actor(READ_OWN)
        if user is None:
            return None
        return "notifications", EXPORT_COLUMNS, await self._every_row_of(notifications.my_notifications, actor=user)
