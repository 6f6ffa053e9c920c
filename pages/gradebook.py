"""The gradebook (teachers and admins): a class's assessments in a subject and term, and one
assessment's marks entered as a grid from the keyboard."""

import reflex as rx

from components import confirm_dialog, data_table, empty_state, filter_select, form_dialog, form_error, form_field, form_notice, select_field
from components.i18n import t, t_format
from components.records import action_button, row_button, toolbar
from components.table import VISUALLY_HIDDEN, scroll_region
from oneclass import routes
from oneclass.services.gradebook import ENTER_MARKS, KIND_NAMES
from pages.guard import signed_in_page
from state.gradebook import ABSENT_FIELD, MARK_FIELD, GradebookState

KIND_CHOICES = {kind.value: label for kind, label in KIND_NAMES.items()}


def assessment_row(row: rx.Var) -> rx.Component:
    name = row["name"].to(str)
    return rx.table.row(
        rx.table.row_header_cell(name),
        rx.table.cell(t(row["kind_name"].to(str))),
        rx.table.cell(row["max_mark"]),
        rx.table.cell(row["weight"]),
        rx.table.cell(row["marked"]),
        rx.table.cell(
            rx.hstack(
                row_button(t("Enter marks"), name, GradebookState.open_grid(row["id"])),
                row_button(t("Edit"), name, GradebookState.open_edit_assessment(row["id"])),
                row_button(t("Delete"), name, GradebookState.ask_delete(row["id"]), color_scheme="red"),
                spacing="2",
            )
        ),
        align="center",
    )


def assessments_empty() -> rx.Component:
    return rx.cond(
        GradebookState.class_choices.length() == 0,
        empty_state("notebook-pen", t("No classes to mark"), t("You enter marks for the subjects you teach; ask the school admin to assign them.")),
        empty_state("notebook-pen", t("No assessments yet"), t("Add this term's tests, coursework and exams, then enter their marks.")),
    )


def assessment_dialog() -> rx.Component:
    errors, editing = GradebookState.errors, GradebookState.editing
    return form_dialog(
        rx.cond(GradebookState.editing_id == "", t("New assessment"), t("Edit assessment")),
        t("The weight is the assessment's share of the term: an exam of weight 2 counts twice a test of weight 1."),
        form_field(t("Name"), "name", placeholder=t("Test 1"), default_value=editing["name"], error=errors.get("name", "")),
        select_field(t("Kind"), "kind", KIND_CHOICES, default_value=editing["kind"], error=errors.get("kind", "")),
        form_field(t("Maximum mark"), "max_mark", default_value=editing["max_mark"], error=errors.get("max_mark", "")),
        form_field(t("Weight"), "weight", default_value=editing["weight"], error=errors.get("weight", "")),
        submit_label=t("Save assessment"),
        on_submit=GradebookState.save_assessment,
        open=GradebookState.editor_open,
        on_open_change=GradebookState.set_editor_open,
        error=errors.get("form", ""),
    )


def mark_row(row: rx.Var) -> rx.Component:
    student_id = row["student_id"].to(str)
    name = row["name"].to(str)
    return rx.table.row(
        rx.table.row_header_cell(rx.vstack(rx.text(name), rx.text(row["admission_number"], size="1", color="var(--gray-11)"), spacing="0")),
        rx.table.cell(
            rx.vstack(
                rx.input(
                    name=MARK_FIELD + student_id,
                    id="mark-" + student_id,
                    default_value=row["mark"].to(str),
                    input_mode="decimal",
                    auto_complete="off",
                    aria_label=t_format("Mark for {name}", name=name),
                    width="6em",
                ),
                rx.text("", id="mark-check-" + student_id, size="1", color="var(--red-11)", aria_live="polite"),
                rx.cond(row["error"].to(str) != "", rx.text(row["error"], size="1", color="var(--red-11)", role="alert")),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.el.label(
                rx.el.input(type="checkbox", name=ABSENT_FIELD + student_id, default_checked=row["absent"].to(bool)),
                " ",
                t("Absent"),
                style={"display": "inline-flex", "gap": "var(--space-1)", "alignItems": "center"},
            )
        ),
        rx.table.cell(rx.cond(row["percent"].to(str) != "", row["percent"].to(str) + "%", "–")),
        rx.table.cell(rx.cond(row["grade"].to(str) != "", row["grade"], "–")),
        align="center",
    )


def mark_grid() -> rx.Component:
    grid = GradebookState.grid_assessment
    table = rx.table.root(
        rx.el.caption(t("Marks"), style=VISUALLY_HIDDEN),
        rx.table.header(
            rx.table.row(*[rx.table.column_header_cell(h) for h in (t("Student"), t("Mark"), t("Absent"), t("Term percent"), t("Grade"))])
        ),
        rx.table.body(rx.foreach(GradebookState.grid_rows, mark_row)),
        variant="surface",
        width="100%",
    )
    return rx.cond(
        grid.contains("id"),
        rx.card(
            rx.vstack(
                rx.heading(t_format("Marks: {name}, out of {max}", name=grid["name"], max=grid["max_mark"]), size="4", as_="h2"),
                rx.text(
                    t("Type a mark and press Enter or the arrow keys to move to the next student. Leave a mark blank if it is not in yet; tick Absent for a student who missed it."),
                    size="2",
                    color="var(--gray-11)",
                ),
                form_error(GradebookState.grid_error),
                form_notice(GradebookState.grid_notice),
                rx.cond(
                    GradebookState.grid_rows.length() > 0,
                    rx.el.div(
                        rx.form(
                            rx.vstack(
                                scroll_region(table, t("Marks")),
                                rx.hstack(rx.button(t("Save marks"), type="submit", size="3"), justify="end", width="100%"),
                                spacing="3",
                                width="100%",
                            ),
                            on_submit=GradebookState.save_marks,
                            width="100%",
                        ),
                        key=GradebookState.grid_key,
                        custom_attrs={
                            "data-grid-max": grid["max_mark"],
                            "data-range-message": t_format("A mark is 0 to {max}.", max=grid["max_mark"]),
                            "data-number-message": t("Enter a number, with at most two decimals."),
                        },
                        style={"width": "100%"},
                    ),
                    empty_state("users", t("Nobody is enrolled in this class"), t("Enrol students in the class to enter their marks.")),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


@signed_in_page(routes.GRADEBOOK, "Gradebook", permission=ENTER_MARKS, on_load=GradebookState.load_gradebook)
def gradebook_page() -> rx.Component:
    return rx.vstack(
        rx.script(src="/gradebook.js"),
        toolbar(
            filter_select(GradebookState.class_choices, label=t("Class"), value=GradebookState.class_id, on_change=GradebookState.choose_class),
            filter_select(GradebookState.subject_choices, label=t("Subject"), value=GradebookState.subject_id, on_change=GradebookState.choose_subject),
            filter_select(GradebookState.term_choices, label=t("Term"), value=GradebookState.term_id, on_change=GradebookState.choose_term),
            rx.spacer(),
            action_button("plus", t("New assessment"), GradebookState.open_new_assessment, disabled=GradebookState.subject_id == ""),
        ),
        data_table(
            [t("Assessment"), t("Kind"), t("Out of"), t("Weight"), t("Marked"), t("Actions")],
            GradebookState.assessments,
            assessment_row,
            empty=assessments_empty(),
            label=t("Assessments"),
        ),
        mark_grid(),
        assessment_dialog(),
        confirm_dialog(
            t("Delete this assessment?"),
            t_format("This deletes {name}. It cannot be undone.", name=GradebookState.confirm_name),
            confirm_label=t("Delete"),
            on_confirm=GradebookState.confirm_delete,
            open=GradebookState.confirm_open,
            on_open_change=GradebookState.set_confirm_open,
        ),
        spacing="4",
        width="100%",
    )
