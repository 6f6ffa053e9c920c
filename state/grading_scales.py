"""GradingScalesState: the school admin's grading scales, one per level: each shown as its bands,
and edited whole in a dialog (grades and points are derived from them, never typed per student).
Every handler asks `_actor(school.update)`."""

from typing import Any

import reflex as rx

from oneclass.i18n import N_, _, format_message
from oneclass.offload import offload
from oneclass.services import gradebook
from oneclass.services.errors import ValidationFailed
from oneclass.services.gradebook import MANAGE_SCALES
from oneclass.services.grading import Band, Outcome
from state.auth import NO_ACCESS, AuthState
from state.dialogs import FormDialog
from state.form_values import with_form_error

OUTCOME_NAMES: dict[str, str] = {Outcome.passed: N_("Pass"), Outcome.subsidiary: N_("Subsidiary pass"), Outcome.failed: N_("Fail")}
SPARE_ROWS = 2  # empty rows at the foot of the editor: fill one to add a grade
WHOLE_NUMBER = N_("Use whole numbers: percents 0 to 100, points 0 to 99.")


class GradingScalesState(FormDialog, AuthState):
    scales: list[dict[str, Any]] = []
    editing_level: str = ""
    editing_name: str = ""
    editor_rows: list[dict[str, str]] = []

    async def _fetch(self) -> Any:
        user = await self._actor(MANAGE_SCALES)
        if user is None:
            self.scales = []
            return self._refused(NO_ACCESS)
        self.scales = [
            {**scale, "bands": [{**band, "outcome_name": OUTCOME_NAMES[band["outcome"]]} for band in scale["bands"]]}
            for scale in await offload(gradebook.grading_scales, actor=user)
        ]
        return None

    @rx.event
    async def load_scales(self) -> Any:
        return await self._fetch()

    @rx.event
    async def open_scale(self, level: str) -> Any:
        if await self._actor(MANAGE_SCALES) is None:
            return self._refused()
        scale = next((s for s in self.scales if s["level"] == level), None)
        if scale is None:
            return None
        self.editing_level, self.editing_name = level, scale["name"]
        blank = {"grade": "", "lower": "", "upper": "", "points": "0", "outcome": Outcome.failed.value, "error": ""}
        self.editor_rows = [
            {**{key: str(band[key]) for key in ("grade", "lower", "upper", "points", "outcome")}, "error": ""} for band in scale["bands"]
        ] + [dict(blank) for _row in range(SPARE_ROWS)]
        self._open_editor()
        return None

    @rx.event
    async def save_scale(self, form: dict[str, str]) -> Any:
        user = await self._actor(MANAGE_SCALES)
        if user is None:
            return self._refused()
        bands: list[Band] = []
        rows: list[int] = []  # each band's row on screen
        problems: dict[int, str] = {}
        for index in range(len(self.editor_rows)):
            grade = form.get(f"grade_{index}", "").strip()
            self.editor_rows[index] = {
                key: form.get(f"{key}_{index}", "") for key in ("grade", "lower", "upper", "points", "outcome")
            } | {"error": ""}
            if not grade:
                continue  # an empty row, or a grade cleared to remove it
            try:
                numbers = [int(form.get(f"{key}_{index}", "").strip()) for key in ("lower", "upper", "points")]
                outcome = Outcome(form.get(f"outcome_{index}", ""))
            except ValueError:
                problems[index] = _(WHOLE_NUMBER)
                continue
            bands.append(Band(grade, numbers[0], numbers[1], numbers[2], outcome))
            rows.append(index)
        if problems:
            for index, message in problems.items():
                self.editor_rows[index]["error"] = message
            self.errors = with_form_error({})
            return None
        try:
            saved = await offload(gradebook.save_grading_scale, actor=user, level=self.editing_level, bands=bands)
        except ValidationFailed as refusal:
            for key, message in refusal.errors.items():
                if key.startswith("band") and key[4:].isdigit() and int(key[4:]) < len(rows):
                    self.editor_rows[rows[int(key[4:])]]["error"] = message
            self.errors = with_form_error({"form": refusal.errors.get("scale", _("Please correct the rows marked below."))})
            return None
        self.editor_open = False
        await self._fetch()
        return rx.toast.success(format_message("Saved the {name} scale.", name=_(saved["name"])))
