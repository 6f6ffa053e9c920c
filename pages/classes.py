"""The school admin's classes of a year: a new class, who teaches what in a class, and promoting
a class at year end."""

import reflex as rx

from components import data_table, dialog_buttons, empty_state, filter_select, form_dialog, form_error, form_field, labelled, select_field
from components.i18n import t, t_format
from components.records import action_button, row_button, toolbar
from oneclass import routes
from pages.guard import signed_in_page
from state.classes import ClassesState


def class_row(row: rx.Var) -> rx.Component:
    name = row["name"].to(str)
    return rx.table.row(
        rx.table.row_header_cell(name),
        rx.table.cell(t(row["grade_level"])),
        rx.table.cell(rx.cond(row["class_teacher"] != "", row["class_teacher"], rx.text(t("None"), color="var(--gray-11)"))),
        rx.table.cell(row["enrolled"], " / ", row["capacity"]),
        rx.table.cell(
            rx.hstack(
                row_button(t("Assign teacher"), name, ClassesState.open_assign(row["id"], name)),
                row_button(t("Promote class"), name, ClassesState.open_promotion(row["id"], name)),
                spacing="2",
            )
        ),
        align="center",
    )


def classes_empty() -> rx.Component:
    return rx.cond(
        ClassesState.year_id == "",
        empty_state(
            "calendar", t("Add a year first"), t("Classes belong to a school year."),
            rx.link(rx.button(t("Go to Years and terms"), variant="soft"), href=routes.ADMIN_YEARS),
        ),
        empty_state("school", t("No classes this year"), t("Add the year's classes, or choose another year.")),
    )


def new_class_dialog() -> rx.Component:
    errors = ClassesState.errors
    return form_dialog(
        t("New class"),
        t_format("For the year {year}.", year=ClassesState.year_name),
        select_field(t("Grade level"), "grade_level", ClassesState.grade_choices, error=errors.get("grade_level", ""), translate=True),
        form_field(t("Name"), "name", placeholder=t("Grade 3 Blue"), error=errors.get("name", "")),
        form_field(t("Capacity"), "capacity", type_="number", default_value="40", error=errors.get("capacity", "")),
        select_field(
            t("Class teacher"), "class_teacher", ClassesState.class_teacher_choices, default_value="none",
            error=errors.get("class_teacher", ""),
        ),
        submit_label=t("Add class"),
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
        rx.text(t("Nobody teaches this class a subject yet."), size="2", color="var(--gray-11)"),
    )


def assign_dialog() -> rx.Component:
    errors = ClassesState.assign_errors
    return form_dialog(
        t_format("Assign a teacher in {name}", name=ClassesState.assign_class_name),
        t("Choosing a subject that already has a teacher hands it to the new one."),
        current_teaching(),
        select_field(t("Subject"), "subject", ClassesState.subject_choices, error=errors.get("subject", "")),
        select_field(t("Teacher"), "teacher", ClassesState.teacher_choices, error=errors.get("teacher", "")),
        submit_label=t("Assign"),
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
                rx.text(
                    t_format(
                        "This is the final class of its level. These {count} students will be marked graduated:",
                        count=graduating.length(),
                    )
                ),
                names_box(graduating),
                width="100%",
            ),
        ),
        rx.cond(
            moving.length() > 0,
            rx.vstack(
                rx.text(
                    rx.cond(
                        ClassesState.plan_to != "",
                        t_format("These {count} students move up to {name}:", count=moving.length(), name=ClassesState.plan_to),
                        t_format("These {count} students move up:", count=moving.length()),
                    )
                ),
                names_box(moving),
                width="100%",
            ),
        ),
        rx.cond(
            (moving.length() == 0) & (graduating.length() == 0),
            rx.text(t("Nobody is enrolled in this class."), color="var(--gray-11)"),
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
                t("Move up to"),
                "field-target",
                rx.select.root(
                    rx.select.trigger(id="field-target", placeholder=t("Choose a class in a later year"), width="100%"),
                    rx.select.content(
                        rx.foreach(ClassesState.target_choices, lambda c: rx.select.item(c[1], value=c[0])), position="popper"
                    ),
                    on_change=ClassesState.choose_target,
                    size="3",
                ),
            ),
            rx.callout(
                t("There is no class of the next grade in a later year yet. Add next year and its classes first."),
                icon="info",
                width="100%",
            ),
        ),
    )


def promotion_dialog() -> rx.Component:
    nobody = (ClassesState.plan_moving.length() == 0) & (ClassesState.plan_graduating.length() == 0)
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t_format("Promote {name}", name=ClassesState.promote_class_name)),
            rx.dialog.description(
                t("Check who moves where before you confirm; it happens all at once."), size="2", margin_bottom="var(--space-3)"
            ),
            rx.vstack(
                target_select(),
                form_error(ClassesState.plan_problem),
                promotion_plan(),
                dialog_buttons(
                    rx.button(
                        rx.cond(ClassesState.plan_graduating.length() > 0, t("Confirm graduation"), t("Confirm promotion")),
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
            rx.text(t("Year"), weight="medium", size="2"),
            filter_select(ClassesState.year_choices, label=t("Year"), value=ClassesState.year_id, on_change=ClassesState.set_year),
            rx.spacer(),
            action_button("plus", t("New class"), ClassesState.open_new_class, disabled=ClassesState.year_id == ""),
        ),
        data_table(
            [t("Class"), t("Grade level"), t("Class teacher"), t("Enrolled"), t("Actions")],
            ClassesState.rows,
            class_row,
            empty=classes_empty(),
            label=t("Classes"),
        ),
        new_class_dialog(),
        assign_dialog(),
        promotion_dialog(),
        spacing="4",
        width="100%",
    )
