"""PagedList and SearchedList: the paging, filtering, search and export (CSV and Excel) every
list page's state shares. A state mixes one in, keeps its own rows and filters, says how its
current page is loaded and what its export holds."""

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

import reflex as rx

from oneclass.current_user import CurrentUser
from oneclass.i18n import _
from oneclass.offload import offload
from oneclass.services import audit, exports, paging
from oneclass.services.paging import Page
from state.auth import NO_ACCESS, NO_PERMISSION

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An export's filename stem, the headings by row key, and every row matching the filters.
ExportTable = tuple[str, dict[str, str], list[dict[str, Any]]]


class PagedList(rx.State, mixin=True):
    """Previous/Next over a list paged on the server, `per_page` rows at a time.

    A state using it (always beside AuthState) names `read_permission`, who may see the list,
    and defines `async _fetch(user)`: load page `page` for that user. Paging, filters and the
    search box reload the rows in the same event, with no event sent back to the browser; a
    refused user gets no rows. It defines `_export_table()` to offer the list as a download
    (`export_csv`, `export_xlsx`)."""

    page: int = 1
    total: int = 0
    per_page: ClassVar[int] = 25
    export_batch: ClassVar[int] = 100  # rows per query while exporting (services cap pages at 100)
    read_permission: ClassVar[str] = ""
    rows_var: ClassVar[str] = "rows"  # the var that holds the page's rows
    # Every download is put on the audit trail here, unless the list's own export service does it.
    EXPORT_AUDITED_BY_SERVICE: ClassVar[bool] = False

    if TYPE_CHECKING:  # AuthState's, which every list state inherits beside this mixin

        async def _actor(self, permission: str) -> CurrentUser | None: ...

        async def _signed_in(self) -> CurrentUser | None: ...

        def _client_ip(self) -> str: ...

        def _refused(self, message: str = NO_PERMISSION) -> Any: ...

    @rx.var
    def page_count(self) -> int:
        return paging.page_count(self.total, self.per_page)

    async def _fetch(self, user: CurrentUser) -> None:
        """Load the current page of rows for `user`, who may see the list."""
        raise NotImplementedError

    async def _load_page(self) -> Any:
        """The list's one loading step: the user of this event, then their current page."""
        user = await self._actor(self.read_permission)
        if user is None:
            setattr(self, self.rows_var, [])
            self.total = 0
            return self._refused(NO_ACCESS)
        await self._fetch(user)
        return None

    async def _fetch_page(self, fetch: Callable[[int], Awaitable[Page]]) -> Page:
        """What `fetch(page)` finds (a service call off the loop), its total kept in `total`;
        when the list has shrunk under `page` (after a deactivation, say), its last page instead."""
        found = await fetch(self.page)
        if not found.rows and self.page > 1:
            self.page = paging.page_count(found.total, self.per_page)
            found = await fetch(self.page)
        self.total = found.total
        return found

    async def _go_to_page(self, page: int) -> Any:
        self.page = min(max(page, 1), self.page_count)
        return await self._load_page()

    async def _refilter(self, **filters: Any) -> Any:
        """Set the named filter vars, then show the first page of what they match."""
        for name, value in filters.items():
            setattr(self, name, value)
        self.page = 1
        return await self._load_page()

    @rx.event
    async def previous_page(self) -> Any:
        return await self._go_to_page(self.page - 1)

    @rx.event
    async def next_page(self) -> Any:
        return await self._go_to_page(self.page + 1)

    # --- export ---------------------------------------------------------------------------

    async def _export_table(self) -> ExportTable | None:
        """The filename stem, the columns (row key: heading) and every row matching the current
        filters, fetched with `_every_row_of` from the service the list pages through; None when
        the user may not export. Checks the user itself."""
        raise NotImplementedError

    async def _every_row_of(self, service: Callable[..., Page], **arguments: Any) -> list[dict[str, Any]]:
        """The whole filtered list, not just the page on screen, off the loop, from the public
        service the list pages through: `service(page=..., per_page=..., **arguments)`, a batch
        at a time."""

        def fetch(page: int, per_page: int) -> Page:
            return service(page=page, per_page=per_page, **arguments)

        return await offload(paging.every_row, fetch, self.export_batch)

    async def _download(self, extension: str, render: Callable[[str, dict[str, str], list[dict[str, Any]]], bytes], mime_type: str) -> Any:
        table = await self._export_table()
        if table is None:
            return rx.toast.error(_(NO_PERMISSION))
        stem, columns, rows = table
        if not self.EXPORT_AUDITED_BY_SERVICE:
            user = await self._signed_in()
            if user is not None:
                await offload(audit.record_export, actor=user, what=stem, rows=len(rows), file_format=extension, ip=self._client_ip())
        # Headings are English, marked `N_` where each list names them; the file is in the reader's language.
        columns = {key: _(heading) for key, heading in columns.items()}
        return rx.download(
            data=render(stem, columns, rows),
            filename=f"{stem}-{date.today().isoformat()}.{extension}",
            mime_type=mime_type,
        )

    @rx.event
    async def export_csv(self) -> Any:
        return await self._download("csv", lambda _stem, columns, rows: exports.rows_to_csv(columns, rows), "text/csv")

    @rx.event
    async def export_xlsx(self) -> Any:
        return await self._download(
            "xlsx",
            lambda stem, columns, rows: exports.rows_to_xlsx(columns, rows, sheet=stem.replace("-", " ").capitalize()),
            XLSX_MIME,
        )


class SearchedList(PagedList, mixin=True):
    """A PagedList with a search box."""

    search: str = ""

    @rx.event
    async def set_search(self, value: str) -> Any:
        return await self._refilter(search=value)

