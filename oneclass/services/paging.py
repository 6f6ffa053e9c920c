"""Paged lists: one page of rows and how many match in all, how many pages that makes, every
row of a list fetched a page at a time, and the substring pattern a list's search matches with."""

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Page:
    """One page of a list, as plain dicts the UI can hold, and how many rows match in all."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0


def page_count(total: int, per_page: int) -> int:
    """Pages needed for `total` rows; an empty list is still one (empty) page."""
    return max(1, -(-total // per_page))


def every_row(fetch: Callable[[int, int], Page], batch: int) -> list[dict[str, Any]]:
    """All the rows `fetch(page, per_page)` pages through, `batch` at a time. Stops on the first
    empty page or once `total` rows are in, so a service that caps `per_page` below `batch`
    still gives every row."""
    rows: list[dict[str, Any]] = []
    for number in itertools.count(1):
        found = fetch(number, batch)
        rows += found.rows
        if not found.rows or len(rows) >= found.total:
            break
    return rows


def like_pattern(text: str) -> str:
    """`text` as a substring pattern for `ilike(..., escape="\\")`, its own `%` and `_` taken
    literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
