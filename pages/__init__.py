"""Pages, one module per area; importing this package registers them all."""

from pages import auth, dashboard, landing

__all__ = ["auth", "dashboard", "landing"]
