"""Pages, one module per area; importing this package registers them all."""

from pages import landing

__all__ = ["landing"]
