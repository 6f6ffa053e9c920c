"""OutgoingLogState: the school's outgoing log for its admins: the mail and SMS written there
while no mail server or SMS gateway is configured, newest first and paged, above how many of the
school's notifications wait, went, were logged or failed."""

from typing import Any, ClassVar

import reflex as rx

from oneclass.i18n import N_
from oneclass.offload import offload
from oneclass.services import notifications
from oneclass.services.auth import CurrentUser
from state.auth import AuthState
from state.listing import ExportTable, PagedList

READ_LOG = notifications.READ_LOG
EXPORT_COLUMNS = {"when": N_("When"), "channel": N_("Channel"), "recipient": N_("To"), "subject": N_("Subject"), "body": N_("Message")}


class OutgoingLogState(PagedList, AuthState):
    read_permission: ClassVar[str] = READ_LOG
    rows_var: ClassVar[str] = "messages"
    per_page: ClassVar[int] = 25
    messages: list[dict[str, str]] = []
    counts: dict[str, int] = {}

    async def _fetch(self, user: CurrentUser) -> None:
        found = await self._fetch_page(lambda page: offload(notifications.outgoing_log, actor=user, page=page, per_page=self.per_page))
        self.messages = found.rows
        self.counts = await offload(notifications.delivery_counts, actor=user)

    @rx.event
    async def load_outgoing(self) -> Any:
        """on_load: the first page and the delivery counts."""
        return await self._load_page()

    async def _export_table(self) -> ExportTable | None:
        user = await self._actor(READ_LOG)
        if user is None:
            return None
        return "outgoing-messages", EXPORT_COLUMNS, await self._every_row_of(notifications.outgoing_log, actor=user)
