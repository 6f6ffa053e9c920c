"""GuardiansState: the school admin's guardians with their children: searched by name or phone,
paged, exported. Every handler asks `_actor` first and calls one service off the loop."""

from typing import Any, ClassVar

import reflex as rx

from oneclass import routes
from oneclass.i18n import N_, _
from oneclass.offload import offload
from oneclass.services import guardians
from oneclass.services.auth import CurrentUser
from state.auth import AuthState
from state.listing import ExportTable, SearchedList

READ = "users.read"
# Headings marked N_; the export translates them (PagedList._download).
GUARDIAN_COLUMNS = {
    "full_name": N_("Name"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "preference": N_("Contact by"),
    "login": N_("Parent login"),
    "children": N_("Children"),
}


class GuardiansState(SearchedList, AuthState):
    read_permission: ClassVar[str] = READ
    rows: list[dict[str, Any]] = []

    async def _fetch(self, user: CurrentUser) -> None:
        """The list's one loading step: the page on screen of what the search matches."""
        found = await self._fetch_page(
            lambda page: offload(guardians.list_guardians, actor=user, search=self.search, page=page, per_page=self.per_page)
        )
        self.rows = [
            {**row, "children": [{**child, "href": routes.student_url(child["id"])} for child in row["children"]]}
            for row in found.rows
        ]

    @rx.event
    async def load_guardians(self) -> Any:
        return await self._load_page()

    async def _export_table(self) -> ExportTable | None:
        """One line per guardian, their children as "Name (relationship)" in one cell."""
        user = await self._actor(READ)
        if user is None:
            return None
        rows = await self._every_row_of(guardians.list_guardians, actor=user, search=self.search)
        return "guardians", GUARDIAN_COLUMNS, [
            {
                **row,
                "login": _("Yes") if row["has_login"] else _("No"),
                "children": "; ".join(f"{child['name']} ({child['relationship']})" for child in row["children"]),
            }
            for row in rows
        ]
