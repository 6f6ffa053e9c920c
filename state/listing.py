"""PagedList and SearchedList: the paging, filtering and search every list page's state shares.
A state mixes one in, keeps its own rows and filters, and says how its current page is loaded."""

from collections.abc import Callable
from typing import Any, ClassVar

import reflex as rx

from oneclass.services import paging
from oneclass.services.paging import Page


class PagedList(rx.State, mixin=True):
    """Previous/Next over a list paged on the server, `per_page` rows at a time.

    A state using it defines `_load_page()`: load page `page` (checking the user, unless
    `_refusal` has) and return what the browser should get (None, a toast, or the state's load
    event). It may define `_refusal()` to refuse a user before a handler changes anything."""

    page: int = 1
    total: int = 0
    per_page: ClassVar[int] = 25

    @rx.var
    def page_count(self) -> int:
        return paging.page_count(self.total, self.per_page)

    def _load_page(self) -> Any:
        raise NotImplementedError

    def _refusal(self) -> Any:
        """What a paging or filter handler returns instead, to a user who may not see the list
        (None: go on). By default `_load_page` checks the user."""
        return None

    def _fetch_page(self, fetch: Callable[[int], Page]) -> Page:
        """What `fetch(page)` finds, its total kept in `total`; when the list has shrunk under
        `page` (after a deactivation, say), its last page instead."""
        found = fetch(self.page)
        if not found.rows and self.page > 1:
            self.page = paging.page_count(found.total, self.per_page)
            found = fetch(self.page)
        self.total = found.total
        return found

    def _go_to_page(self, page: int) -> Any:
        refusal = self._refusal()
        if refusal is not None:
            return refusal
        self.page = min(max(page, 1), self.page_count)
        return self._load_page()

    def _refilter(self, **filters: Any) -> Any:
        """Set the named filter vars, then show the first page of what they match."""
        refusal = self._refusal()
        if refusal is not None:
            return refusal
        for name, value in filters.items():
            setattr(self, name, value)
        self.page = 1
        return self._load_page()

    @rx.event
    def previous_page(self) -> Any:
        return self._go_to_page(self.page - 1)

    @rx.event
    def next_page(self) -> Any:
        return self._go_to_page(self.page + 1)


class SearchedList(PagedList, mixin=True):
    """A PagedList with a search box."""

    search: str = ""

    @rx.event
    def set_search(self, value: str) -> Any:
        return self._refilter(search=value)
