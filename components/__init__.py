"""Reusable UI: the app shell, forms, and empty/error states."""

from components.forms import form_error, form_field, form_notice, narrow_card, submit_button
from components.layout import app_shell, nav_link
from components.states import empty_state, loading_state, not_found_state

__all__ = [
    "app_shell",
    "empty_state",
    "form_error",
    "form_field",
    "form_notice",
    "loading_state",
    "nav_link",
    "narrow_card",
    "not_found_state",
    "submit_button",
]
