"""The timetable: the admin's grid of a class's week and the periods of the day; the reader's own
week (a teacher's lessons, a student's or a parent's child's class); the teacher's lessons today
(a dashboard card). The grid is a table in a scroll region, so a phone scrolls it sideways."""

from collections.abc import Callable

import reflex as rx

from components import dialog_buttons, empty_state, filter_select, form_error, form_field, select_field
from components.dialogs import RETURN_FOCUS
from components.i18n import t, t_format
from components.records import action_button, toolbar
from components.table import VISUALLY_HIDDEN, scroll_region
from oneclass import routes
from oneclass.services.timetable import DAYS
from pages.guard import signed_in_page
from state.timetable import MyTimetableState, PeriodsState, TimetableEditorState, TodayLessonsState

# --- the week grid, shared by the editor and the readers ------------------------------------


def _when(cell: rx.Var) -> rx.Component:
    """Which period of which day a cell is, for screen readers (the headers show it)."""
    return rx.el.span(" ", t_format("{day}, period {number}", day=t(cell["day_name"]), number=cell["period"]), style=VISUALLY_HIDDEN)


def lesson_text(cell: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(cell["subject"], weight="medium", size="2"),
        rx.text(cell["detail"], size="1", color="var(--gray-11)"),
        rx.cond(cell["room"] != "", rx.text(cell["room"], size="1", color="var(--gray-11)")),
        spacing="0",
        align="start",
    )


def reader_cell(cell: rx.Var) -> rx.Component:
    return rx.table.cell(
        rx.cond(cell["subject"] != "", lesson_text(cell), rx.text(rx.el.span("—", aria_hidden="true"), rx.el.span(t("Free"), style=VISUALLY_HIDDEN), color="var(--gray-11)")),
        min_width="8em",
    )


def editor_cell(cell: rx.Var) -> rx.Component:
    """A button that opens the lesson dialog; its name starts with what it shows (WCAG 2.5.3)."""
    return rx.table.cell(
        rx.button(
            rx.cond(
                cell["subject"] != "",
                rx.vstack(
                    rx.text(cell["subject"], weight="medium", size="2"),
                    rx.text(cell["detail"], size="1"),
                    rx.cond(cell["room"] != "", rx.text(cell["room"], size="1")),
                    spacing="0",
                    align="start",
                ),
                rx.text(t("Add lesson"), size="2"),
            ),
            _when(cell),
            variant=rx.cond(cell["subject"] != "", "soft", "outline"),
            color_scheme="gray",
            on_click=TimetableEditorState.open_slot(cell["day"], cell["period"]),
            height="auto",
            min_height="3.5em",
            width="100%",
            justify="start",
            padding="var(--space-2)",
            white_space="normal",
            text_align="left",
        ),
        min_width="9em",
    )


def week_grid(rows: rx.Var, render_cell: Callable[[rx.Var], rx.Component], label: rx.Var | str) -> rx.Component:
    """Periods down, Monday to Friday across."""
    table = rx.table.root(
        rx.el.caption(label, style=VISUALLY_HIDDEN),
        rx.table.header(
            rx.table.row(rx.table.column_header_cell(t("Period")), *[rx.table.column_header_cell(t(name)) for name in DAYS.values()])
        ),
        rx.table.body(
            rx.foreach(
                rows,
                lambda row: rx.table.row(
                    rx.table.row_header_cell(
                        rx.vstack(
                            rx.text(row["number"], weight="bold"),
                            rx.text(row["starts"], "–", row["ends"], size="1", color="var(--gray-11)", white_space="nowrap"),
                            spacing="0",
                        )
                    ),
                    rx.foreach(row["cells"].to(list[dict[str, str]]), render_cell),
                ),
            )
        ),
        variant="surface",
        width="100%",
    )
    return scroll_region(table, label)


def no_periods(*actions: rx.Component) -> rx.Component:
    return empty_state("clock", t("No periods yet"), t("The school's periods of the day come first."), *actions)


# --- the admin's grid -----------------------------------------------------------------------


def lesson_form() -> rx.Component:
    state = TimetableEditorState
    errors = state.errors
    return rx.form(
        rx.vstack(
            form_error(errors.get("form", "")),
            rx.cond(
                state.subject_choices.length() > 0,
                select_field(t("Subject"), "subject", state.subject_choices, default_value=state.slot_subject, error=errors.get("subject", "")),
                rx.callout(t("This class has no subjects yet: assign its teachers on the Classes page."), icon="info", width="100%"),
            ),
            select_field(t("Teacher"), "teacher", state.teacher_choices, default_value=state.slot_teacher, error=errors.get("teacher", "")),
            form_field(t("Room"), "room", required=False, default_value=state.slot_room, placeholder=t("Optional"), error=errors.get("room", "")),
            rx.cond(
                state.slot_filled,
                rx.button(t("Clear lesson"), type="button", variant="soft", color_scheme="red", on_click=state.ask_clear),
            ),
            dialog_buttons(rx.button(t("Save lesson"), type="submit")),
            spacing="4",
            width="100%",
        ),
        on_submit=state.save_slot,
        width="100%",
    )


def clear_question() -> rx.Component:
    return rx.vstack(
        rx.text(t_format("Clear the lesson on {day}, period {number}?", day=t(TimetableEditorState.slot_day_name), number=TimetableEditorState.slot_period), weight="medium"),
        dialog_buttons(rx.button(t("Clear lesson"), color_scheme="red", on_click=TimetableEditorState.clear_slot)),
        spacing="4",
        width="100%",
    )


def lesson_dialog() -> rx.Component:
    """One period of a day: the lesson's subject, teacher and room; a clash is shown here and
    what was chosen stays. Clearing asks first, in the same dialog."""
    state = TimetableEditorState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t_format("{day}, period {number}", day=t(state.slot_day_name), number=state.slot_period)),
            rx.dialog.description(
                rx.cond(
                    state.confirming_clear,
                    t_format("{name} will have no lesson in that period.", name=state.title),
                    t_format("A lesson for {name}.", name=state.title),
                ),
                size="2",
                margin_bottom="var(--space-3)",
            ),
            rx.cond(state.confirming_clear, clear_question(), lesson_form()),
            max_width="30em",
            **RETURN_FOCUS,
        ),
        open=state.editor_open,
        on_open_change=state.set_editor_open,
    )


@signed_in_page(routes.ADMIN_TIMETABLE, "Timetable", permission="timetable.manage", on_load=TimetableEditorState.load_editor)
def admin_timetable() -> rx.Component:
    state = TimetableEditorState
    return rx.vstack(
        toolbar(
            rx.text(t("Class"), weight="medium", size="2"),
            filter_select(state.class_choices, label=t("Class"), value=state.class_id, on_change=state.choose_class),
            rx.spacer(),
            rx.link(rx.button(rx.icon("clock", size=16, aria_hidden="true"), t("Periods of the day"), variant="soft"), href=routes.ADMIN_PERIODS),
        ),
        rx.cond(
            state.class_choices.length() == 0,
            empty_state("school", t("No classes this year"), t("Add the year's classes first."),
                        rx.link(rx.button(t("Go to Classes"), variant="soft"), href=routes.ADMIN_CLASSES)),
            rx.cond(
                state.rows.length() > 0,
                week_grid(state.rows, editor_cell, t_format("The week of {name}", name=state.title)),
                no_periods(rx.link(rx.button(t("Set the periods"), variant="soft"), href=routes.ADMIN_PERIODS)),
            ),
        ),
        lesson_dialog(),
        spacing="4",
        width="100%",
    )


# --- the periods of the day -------------------------------------------------------------------


def time_input(edge: str, row: rx.Var, label: rx.Var) -> rx.Component:
    """A period's start or end; named by its row's key, which stays while the rows change."""
    return rx.input(type="time", name=f"{edge}-" + row["key"].to(str), default_value=row[edge].to(str), aria_label=label, required=True, size="3")


def period_row(row: rx.Var) -> rx.Component:
    number = row["number"].to(str)
    return rx.table.row(
        rx.table.row_header_cell(number),
        rx.table.cell(time_input("starts", row, t_format("Period {number} starts", number=number))),
        rx.table.cell(time_input("ends", row, t_format("Period {number} ends", number=number))),
        rx.table.cell(
            rx.vstack(
                rx.button(
                    t("Remove"), rx.el.span(" ", t_format("period {number}", number=number), style=VISUALLY_HIDDEN),
                    type="button", size="1", variant="soft", color_scheme="red", on_click=PeriodsState.remove_period(row["key"]),
                ),
                rx.cond(row["error"] != "", rx.text(row["error"], color="var(--red-11)", size="2", role="alert")),
                spacing="1",
            )
        ),
        key=row["key"],
        align="center",
    )


@signed_in_page(routes.ADMIN_PERIODS, "Periods of the day", permission="timetable.manage", on_load=PeriodsState.load_periods)
def admin_periods() -> rx.Component:
    table = rx.table.root(
        rx.el.caption(t("Periods of the day"), style=VISUALLY_HIDDEN),
        rx.table.header(
            rx.table.row(*[rx.table.column_header_cell(h) for h in (t("Period"), t("Starts"), t("Ends"), t("Actions"))])
        ),
        rx.table.body(rx.foreach(PeriodsState.rows, period_row)),
        variant="surface",
        width="100%",
    )
    return rx.vstack(
        rx.text(
            t("Every school day has these periods; breaks are simply not periods. Changes are kept when you save; "
              "a period that has lessons cannot be removed until they are cleared."),
            color="var(--gray-11)",
            max_width="48em",
        ),
        rx.form(
            rx.vstack(
                form_error(PeriodsState.form_error),
                rx.cond(PeriodsState.rows.length() > 0, scroll_region(table, t("Periods of the day")), no_periods()),
                toolbar(
                    action_button("plus", t("Add period"), PeriodsState.add_period, type="button", variant="soft"),
                    rx.spacer(),
                    rx.link(t("Back to the timetable"), href=routes.ADMIN_TIMETABLE),
                    rx.button(t("Save periods"), type="submit"),
                ),
                spacing="4",
                width="100%",
            ),
            on_submit=PeriodsState.save_periods,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


# --- the reader's week ------------------------------------------------------------------------


@signed_in_page(routes.MY_TIMETABLE, "Timetable", permission="timetable.own", on_load=MyTimetableState.load_timetable)
def my_timetable() -> rx.Component:
    state = MyTimetableState
    return rx.vstack(
        rx.cond(
            state.class_choices.length() > 1,
            toolbar(
                rx.text(t("Class"), weight="medium", size="2"),
                filter_select(state.class_choices, label=t("Class"), value=state.class_id, on_change=state.choose_class),
            ),
        ),
        rx.cond(state.title != "", rx.heading(state.title, as_="h2", size="5")),
        rx.cond(
            state.rows.length() > 0,
            week_grid(state.rows, reader_cell, t_format("The week of {name}", name=state.title)),
            empty_state("calendar-days", t("No timetable yet"), t("The school has not set its timetable yet.")),
        ),
        spacing="4",
        width="100%",
    )


# --- the teacher's dashboard card -------------------------------------------------------------


def lesson_line(lesson: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(lesson["starts"], "–", lesson["ends"], weight="medium", white_space="nowrap"),
        rx.text(lesson["subject"], " · ", lesson["class_name"]),
        rx.cond(lesson["room"] != "", rx.text(lesson["room"], color="var(--gray-11)")),
        spacing="3",
        wrap="wrap",
    )


def todays_lessons_card() -> rx.Component:
    state = TodayLessonsState
    return rx.card(
        rx.vstack(
            rx.heading(t("Today's lessons"), as_="h2", size="4"),
            rx.cond(
                ~state.school_day,
                rx.text(t("No lessons today: the school does not sit."), color="var(--gray-11)"),
                rx.cond(
                    state.lessons.length() > 0,
                    rx.el.ul(rx.foreach(state.lessons, lambda lesson: rx.el.li(lesson_line(lesson))), style={"listStyle": "none", "padding": 0}),
                    rx.text(t("You have no lessons today."), color="var(--gray-11)"),
                ),
            ),
            rx.link(t("Your week"), href=routes.MY_TIMETABLE),
            spacing="3",
        ),
        max_width="36em",
        width="100%",
    )
