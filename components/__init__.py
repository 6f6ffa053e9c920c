"""Reusable UI: the app shell, navigation, and empty/error states."""

from components.layout import app_shell, nav_link
from components.states import empty_state, loading_state

__all__ = ["app_shell", "empty_state", "loading_state", "nav_link"]
