"""The school admin's subjects: searched and exported, added one by one or from the ZIMSEC list."""

import reflex as rx

from components import data_table, empty_state, export_buttons, form_dialog, form_field, list_footer, search_input, select_field
from components.i18n import t, t_format
from components.records import action_button, toolbar
from oneclass import routes
from pages.guard import signed_in_page
from state.subjects import SUBJECT_LEVELS, SubjectsState


def subject_row(subject: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.code(subject["code"])),
        rx.table.cell(subject["name"]),
        rx.table.cell(t(subject["level"])),
        align="center",
    )


def subjects_empty() -> rx.Component:
    return rx.cond(
        SubjectsState.search != "",
        empty_state("search-x", t("No subjects match"), t("Try another name or code.")),
        empty_state("library", t("No subjects yet"), t("Start from the ZIMSEC list for your level, or add subjects one by one.")),
    )


def new_subject_dialog() -> rx.Component:
    errors = SubjectsState.errors
    return form_dialog(
        t("Add subject"),
        t("The code is the ZIMSEC code where there is one."),
        form_field(t("Code"), "code", placeholder="4008", error=errors.get("code", "")),
        form_field(t("Name"), "name", placeholder=t("Mathematics"), error=errors.get("name", "")),
        select_field(
            t("Level"), "level", SUBJECT_LEVELS, default_value=SubjectsState.default_level, error=errors.get("level", "")
        ),
        submit_label=t("Add subject"),
        on_submit=SubjectsState.add_subject,
        open=SubjectsState.editor_open,
        on_open_change=SubjectsState.set_editor_open,
        error=errors.get("form", ""),
    )


@signed_in_page(routes.ADMIN_SUBJECTS, "Subjects", permission="subjects.manage", on_load=SubjectsState.load_subjects)
def admin_subjects() -> rx.Component:
    return rx.vstack(
        toolbar(
            search_input(
                SubjectsState.search, SubjectsState.set_search, placeholder=t("Search by name or code"), label=t("Search subjects")
            ),
            rx.spacer(),
            export_buttons(SubjectsState),
            action_button("list-checks", t("Use the ZIMSEC subject list"), SubjectsState.adopt_zimsec, variant="soft"),
            action_button("plus", t("Add subject"), SubjectsState.open_new_subject),
        ),
        data_table([t("Code"), t("Subject"), t("Level")], SubjectsState.rows, subject_row, empty=subjects_empty(), label=t("Subjects")),
        list_footer(
            SubjectsState.total, "", SubjectsState.page, SubjectsState.page_count,
            SubjectsState.previous_page, SubjectsState.next_page,
            summary=t_format("{count} subjects", count=SubjectsState.total),
        ),
        new_subject_dialog(),
        spacing="4",
        width="100%",
    )
