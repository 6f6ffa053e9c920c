"""EditorDialog, FormDialog and ConfirmDialog: the open/close flags, error reset and
confirmation every records state's dialogs share. A state mixes them in and keeps its own
fields; the pages bind `editor_open`/`set_editor_open` and `confirm_open`/`set_confirm_open`."""

import reflex as rx


class EditorDialog(rx.State, mixin=True):
    """An add/edit dialog's open flag, bound to the dialog's `open`/`on_open_change`."""

    editor_open: bool = False

    @rx.event
    def set_editor_open(self, is_open: bool) -> None:
        self.editor_open = is_open


class FormDialog(EditorDialog, mixin=True):
    """An EditorDialog whose refusals land in one dict of messages by field ("form": the line
    above the fields)."""

    errors: dict[str, str] = {}

    def _open_editor(self) -> None:
        """Show the dialog with no message left from the last time."""
        self.errors = {}
        self.editor_open = True


class ConfirmDialog(rx.State, mixin=True):
    """An "are you sure?" dialog naming what it is about."""

    confirm_open: bool = False
    confirm_name: str = ""

    def _ask(self, name: str) -> None:
        self.confirm_name = name
        self.confirm_open = True

    @rx.event
    def set_confirm_open(self, is_open: bool) -> None:
        self.confirm_open = is_open
