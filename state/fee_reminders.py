"""FeeRemindersState: who a fee reminder would reach (each family owing something, paged, with
the channel each would go by), and sending it once confirmed. The admin's or the bursar's
(`fees.manage`); the service checks it again and reminds each family at most once a day."""

from typing import Any, ClassVar

import reflex as rx

from oneclass.i18n import N_, _, format_message
from oneclass.offload import offload
from oneclass.services import notifications
from oneclass.services.auth import CurrentUser
from oneclass.services.paging import Page
from state.auth import AuthState
from state.dialogs import ConfirmDialog
from state.listing import ExportTable, PagedList

SEND_REMINDERS = notifications.SEND_REMINDERS
EXPORT_COLUMNS = {"guardian": N_("Guardian"), "channel": N_("Told by"), "children": N_("Children"), "owed": N_("Owed")}


class FeeRemindersState(ConfirmDialog, PagedList, AuthState):
    read_permission: ClassVar[str] = SEND_REMINDERS
    rows_var: ClassVar[str] = "families"
    families: list[dict[str, str]] = []
    to_remind: int = 0
    already_reminded: int = 0
    unreachable: int = 0
    done_message: str = ""

    async def _preview(self, user: CurrentUser, page: int) -> Page:
        preview = await offload(notifications.preview_fee_reminders, actor=user, page=page, per_page=self.per_page)
        self.to_remind = preview.families - preview.already_reminded - preview.unreachable
        self.already_reminded, self.unreachable = preview.already_reminded, preview.unreachable
        return Page([dict(row) for row in preview.rows], preview.families)

    async def _fetch(self, user: CurrentUser) -> None:
        found = await self._fetch_page(lambda page: self._preview(user, page))
        self.families = found.rows

    @rx.event
    async def load_reminders(self) -> Any:
        """on_load: the first page of families and the counts."""
        self.done_message = ""
        return await self._load_page()

    @rx.event
    async def ask_send(self) -> Any:
        if await self._actor(SEND_REMINDERS) is None:
            return self._refused()
        self._ask(str(self.to_remind))
        return None

    @rx.event
    async def send(self) -> Any:
        user = await self._actor(SEND_REMINDERS)
        if user is None:
            return self._refused()
        self.confirm_open = False
        sent = await offload(notifications.send_fee_reminders, actor=user)
        self.done_message = format_message("{count} families reminded.", count=sent)
        await self._fetch(user)
        return rx.toast.success(self.done_message)

    async def _export_table(self) -> ExportTable | None:
        user = await self._actor(SEND_REMINDERS)
        if user is None:
            return None
        rows = await self._every_row_of(notifications.families_owing, actor=user)
        return "fee-reminders", EXPORT_COLUMNS, [{**row, "channel": _(row["channel"])} for row in rows]
