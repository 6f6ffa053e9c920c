"""Paged lists: one page of rows and how many match in all, how many pages that makes, and the
substring pattern a list's search matches with."""

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


def like_pattern(text: str) -> str:
    """`text` as a substring pattern for `ilike(..., escape="\\")`, its own `%` and `_` taken
    literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
