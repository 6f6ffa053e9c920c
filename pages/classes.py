"""The school admin's classes of a year: a new class, who teaches what in a class, and promoting
a class at year end."""

import reflex as rx

from components import data_table, dialog_buttons, empty_state, filter_select, form_dialog, form_error, form_field, labelled, select_field
from components.records import action_button, row_button, toolbar
from oneclass import routes
from pages.guard import signed_in_page
from state.classes import ClassesState


def class_row(row: rx.Var) -> rx.Component:
    name = row["name"].to(str)
    return rx.table.row(
        rx.table.row_header_cell(name),
        rx.table.cell(row["grade_level"]),
        rx.table.cell(rx.cond(row["class_teacher"] != "", row["class_teacher"], rx.text("None", color="var(--gray-11)"))),
        rx.table.cell(row["enrolled"], " / ", row["capacity"]),
        rx.table.cell(
            rx.hstack(
                row_button("Assign teacher", name, ClassesState.open_assign(row["id"], name)),
                row_button("Promote class", name, ClassesState.open_promotion(row["id"], name)),
                spacing="2",
            )
        ),
        align="center",
    )


def classes_empty() -> rx.Component:
    return rx.cond(
        ClassesState.year_id == "",
        empty_state(
            "calendar", "Add a year first", "Classes belong to a school year.",
            rx.link(rx.button("Go to Years and terms", variant="soft"), href=routes.ADMIN_YEARS),
        ),
        empty_state("school", "No classes this year", "Add the year's classes, or choose another year."),
    )


def new_class_dialog() -> rx.Component:
    errors = ClassesState.errors
    return form_dialog(
        "New class",
        "For the year " + ClassesState.year_name + ".",
        select_field("Grade level", "grade_level", ClassesState.grade_choices, error=errors.get("grade_level", "")),
        form_field("Name", "name", placeholder="Grade 3 Blue", error=errors.get("name", "")),
        form_field("Capacity", "capacity", type_="number", default_value="40", error=errors.get("capacity", "")),
        select_field(
            "Class teacher", "class_teacher", ClassesState.class_teacher_choices, default_value="none",
            error=errors.get("class_teacher", ""),
        ),
        submit_label="Add class",
        on_submit=ClassesState.create_class,
        open=ClassesState.editor_open,
        on_open_change=ClassesState.set_editor_open,
        error=errors.get("form", ""),
    )


def current_teaching() -> rx.Component:
    return rx.cond(
        ClassesState.assign_current.length() > 0,
        rx.data_list.root(
            rx.foreach(
                ClassesState.assign_current,
                lambda a: rx.data_list.item(rx.data_list.label(a["subject"]), rx.data_list.value(a["teacher"])),
            ),
            size="1",
        ),
        rx.text("Nobody teaches this class a subject yet.", size="2", color="var(--gray-11)"),
    )


def assign_dialog() -> rx.Component:
    errors = ClassesState.assign_errors
    return form_dialog(
        "Assign a teacher in " + ClassesState.assign_class_name,
        "Choosing a subject that already has a teacher hands it to the new one.",
        current_teaching(),
        select_field("Subject", "subject", ClassesState.subject_choices, error=errors.get("subject", "")),
        select_field("Teacher", "teacher", ClassesState.teacher_choices, error=errors.get("teacher", "")),
        submit_label="Assign",
        on_submit=ClassesState.assign_teacher,
        open=ClassesState.assign_open,
        on_open_change=ClassesState.set_assign_open,
        error=errors.get("form", ""),
    )


def names_box(names: rx.Var) -> rx.Component:
    return rx.scroll_area(
        rx.vstack(rx.foreach(names, lambda name: rx.text(name, size="2")), spacing="1"),
        type="auto",
        scrollbars="vertical",
        max_height="14em",
        border="1px solid var(--gray-5)",
        border_radius="var(--radius-2)",
        padding="var(--space-2)",
    )


def promotion_plan() -> rx.Component:
    moving, graduating = ClassesState.plan_moving, ClassesState.plan_graduating
    return rx.vstack(
        rx.cond(
            graduating.length() > 0,
            rx.vstack(
                rx.text("This is the final class of its level. These ", graduating.length(), " students will be marked graduated:"),
                names_box(graduating),
                width="100%",
            ),
        ),
        rx.cond(
            moving.length() > 0,
            rx.vstack(
                rx.text(
                    "These ", moving.length(), " students move up",
                    rx.cond(ClassesState.plan_to != "", rx.fragment(" to ", rx.text.strong(ClassesState.plan_to)), ""), ":",
                ),
                names_box(moving),
                width="100%",
            ),
        ),
        rx.cond(
            (moving.length() == 0) & (graduating.length() == 0),
            rx.text("Nobody is enrolled in this class.", color="var(--gray-11)"),
        ),
        spacing="3",
        width="100%",
    )


def target_select() -> rx.Component:
    return rx.cond(
        ClassesState.plan_graduating.length() == 0,
        rx.cond(
            ClassesState.target_choices.length() > 0,
            labelled(
                "Move up to",
                "field-target",
                rx.select.root(
                    rx.select.trigger(id="field-target", placeholder="Choose a class in a later year", width="100%"),
                    rx.select.content(
                        rx.foreach(ClassesState.target_choices, lambda c: rx.select.item(c[1], value=c[0])), position="popper"
                    ),
                    on_change=ClassesState.choose_target,
                    size="3",
                ),
            ),
            rx.callout(
                "There is no class of the next grade in a later year yet. Add next year and its classes first.",
                icon="info",
                width="100%",
            ),
        ),
    )


def promotion_dialog() -> rx.Component:
    nobody = (ClassesState.plan_moving.length() == 0) & (ClassesState.plan_graduating.length() == 0)
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Promote ", ClassesState.promote_class_name),
            rx.dialog.description(
                "Check who moves where before you confirm; it happens all at once.", size="2", margin_bottom="var(--space-3)"
            ),
            rx.vstack(
                target_select(),
                form_error(ClassesState.plan_problem),
                promotion_plan(),
                dialog_buttons(
                    rx.button(
                        rx.cond(ClassesState.plan_graduating.length() > 0, "Confirm graduation", "Confirm promotion"),
                        disabled=(ClassesState.plan_problem != "") | nobody,
                        on_click=ClassesState.promote,
                    )
                ),
                spacing="4",
                width="100%",
            ),
            max_width="34em",
        ),
        open=ClassesState.promote_open,
        on_open_change=ClassesState.set_promote_open,
    )


@signed_in_page(routes.ADMIN_CLASSES, "Classes", permission="classes.manage", on_load=ClassesState.load_classes)
def admin_classes() -> rx.Component:
    return rx.vstack(
        toolbar(
            rx.text("Year", weight="medium", size="2"),
            filter_select(ClassesState.year_choices, label="Year", value=ClassesState.year_id, on_change=ClassesState.set_year),
            rx.spacer(),
            action_button("plus", "New class", ClassesState.open_new_class, disabled=ClassesState.year_id == ""),
        ),
        data_table(
            ["Class", "Grade level", "Class teacher", "Enrolled", "Actions"],
            ClassesState.rows,
            class_row,
            empty=classes_empty(),
            label="Classes",
        ),
        new_class_dialog(),
        assign_dialog(),
        promotion_dialog(),
        spacing="4",
        width="100%",
    )
