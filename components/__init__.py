"""Reusable UI: the app shell, forms, and empty/error states."""

from components.dialogs import confirm_dialog, dialog_buttons, form_dialog
from components.forms import (
    filter_select,
    form_error,
    form_field,
    form_notice,
    labelled,
    narrow_card,
    select_field,
    submit_button,
    text_area_field,
)
from components.layout import app_shell, nav_link
from components.lists import export_buttons, list_footer, search_input
from components.progress import job_progress
from components.states import empty_state, loading_state, not_found_state
from components.table import data_table, pagination

__all__ = [
    "app_shell",
    "confirm_dialog",
    "data_table",
    "dialog_buttons",
    "empty_state",
    "export_buttons",
    "filter_select",
    "form_dialog",
    "form_error",
    "form_field",
    "form_notice",
    "job_progress",
    "labelled",
    "list_footer",
    "loading_state",
    "narrow_card",
    "nav_link",
    "not_found_state",
    "pagination",
    "search_input",
    "select_field",
    "submit_button",
    "text_area_field",
]
