"""Attendance pages: taking a class's register (every student present until marked otherwise,
one tap per exception, one Save), and the summaries drawn as charts. A student's history shows
on their own page and their parent's (`history_section`)."""

import reflex as rx

from components import data_table, empty_state, filter_select, form_error
from components.i18n import t, t_format
from components.table import VISUALLY_HIDDEN
from oneclass import routes
from pages.guard import signed_in_page
from state.attendance import STATUS_CHOICES, AttendanceHistoryState, AttendanceSummaryState, DueRegistersState, RegisterState

STATUS_COLOURS = {"present": "green", "absent": "red", "late": "amber", "excused": "blue"}

# --- taking a register ---------------------------------------------------------------------------


def register_row(row: rx.Var) -> rx.Component:
    student_id = row["student_id"].to(str)
    name = row["name"].to(str)
    error = RegisterState.errors.get(student_id, "")
    status = RegisterState.marks[student_id].to(str)
    return rx.table.row(
        rx.table.row_header_cell(name),
        rx.table.cell(
            rx.vstack(
                rx.radio_group.root(
                    # Radios: Tab reaches the student's mark, the arrow keys move between the four.
                    rx.hstack(*[rx.radio_group.item(t(label), value=value) for value, label in STATUS_CHOICES.items()], wrap="wrap", spacing="4"),
                    value=status,
                    on_change=lambda status: RegisterState.mark(student_id, status),
                    aria_label=t_format("Mark for {name}", name=name),
                    color_scheme=rx.match(status, *STATUS_COLOURS.items(), "gray"),
                ),
                rx.cond(
                    status == "excused",
                    rx.input(
                        default_value=RegisterState.reasons.get(student_id, "").to(str),
                        key=student_id + "-" + RegisterState.loaded.to(str),
                        on_blur=lambda reason: RegisterState.note_reason(student_id, reason),
                        placeholder=t("Reason"),
                        aria_label=t_format("Why {name} is excused", name=name),
                        max_length=200,
                        width="100%",
                        max_width="24em",
                    ),
                ),
                rx.cond(error != "", rx.text(error, color="var(--red-11)", size="2", role="alert")),
                spacing="1",
                width="100%",
            )
        ),
        align="center",
    )


def lesson_control() -> rx.Component:
    """A per-lesson school: the day's lessons of the class whose register the reader may take."""
    return rx.vstack(
        rx.text(t("Lesson"), weight="medium", size="2"),
        filter_select(
            RegisterState.lesson_choices, label=t("Lesson"), value=RegisterState.period, on_change=RegisterState.choose_lesson,
            translate=False, placeholder=t("Choose a lesson"),
        ),
        spacing="1",
    )


def choose_a_lesson() -> rx.Component:
    return rx.cond(
        RegisterState.lesson_choices.length() > 0,
        rx.callout(t("Choose one of the day's lessons to take its register."), icon="info", color_scheme="gray", width="100%"),
        empty_state("calendar-clock", t("No lessons to take"), t("None of this class's lessons on this day is yours to take.")),
    )


def register_controls() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(t("Class"), weight="medium", size="2"),
            filter_select(RegisterState.class_choices, label=t("Class"), value=RegisterState.class_id, on_change=RegisterState.choose_class, translate=False),
            spacing="1",
        ),
        rx.vstack(
            rx.el.label(t("Date"), html_for="register-date", style={"fontWeight": "500", "fontSize": "var(--font-size-2)"}),
            rx.input(id="register-date", type="date", value=RegisterState.day, max=RegisterState.today, on_change=RegisterState.choose_day, size="2"),
            spacing="1",
        ),
        rx.cond(RegisterState.per_lesson, lesson_control()),
        rx.cond(RegisterState.term != "", rx.text(t_format("Today's term: {term}", term=RegisterState.term), size="2", color="var(--gray-11)")),
        wrap="wrap",
        spacing="4",
        align="end",
        width="100%",
    )


def register_status() -> rx.Component:
    return rx.cond(
        RegisterState.closed != "",
        rx.callout(RegisterState.closed, icon="calendar-x", color_scheme="gray", width="100%"),
        rx.cond(
            RegisterState.saved,
            rx.callout(t("This register is saved. Change a mark and save again to correct it."), icon="circle-check", color_scheme="green", role="status", width="100%"),
            rx.callout(t("Not saved yet: everyone is marked present until you mark them otherwise."), icon="info", color_scheme="gray", width="100%"),
        ),
    )


def save_bar() -> rx.Component:
    return rx.vstack(
        rx.cond(
            RegisterState.needs_reason,
            rx.vstack(
                rx.el.label(t("Why are you changing a past register?"), html_for="change-reason", style={"fontWeight": "500", "fontSize": "var(--font-size-2)"}),
                rx.input(id="change-reason", value=RegisterState.change_reason, on_change=RegisterState.set_change_reason.debounce(300), max_length=200, width="100%", max_width="32em"),
                rx.cond(RegisterState.errors.get("change_reason", "") != "", rx.text(RegisterState.errors["change_reason"], color="var(--red-11)", size="2", role="alert")),
                spacing="1",
                width="100%",
            ),
        ),
        rx.hstack(
            rx.button(rx.icon("save", size=16, aria_hidden="true"), t("Save register"), on_click=RegisterState.save, size="3", disabled=RegisterState.closed != ""),
            rx.text(t_format("{count} marked absent, late or excused", count=RegisterState.exceptions), size="2", color="var(--gray-11)", role="status"),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        spacing="3",
        width="100%",
    )


def register_sheet() -> rx.Component:
    """The register itself: its state, every student's mark, and the save bar."""
    return rx.vstack(
        register_status(),
        form_error(RegisterState.errors.get("form", "")),
        data_table(
            [t("Student"), t("Mark")],
            RegisterState.rows,
            register_row,
            empty=empty_state("users", t("Nobody in this class yet"), t("Students appear here once they are enrolled.")),
            label=t("Register"),
        ),
        rx.cond(RegisterState.rows.length() > 0, save_bar()),
        spacing="4",
        width="100%",
    )


@signed_in_page(routes.REGISTERS, "Registers", permission="attendance.take", on_load=RegisterState.load_desk)
def registers() -> rx.Component:
    return rx.cond(
        RegisterState.class_choices.length() > 0,
        rx.vstack(
            register_controls(),
            rx.cond(RegisterState.errors.get("date", "") != "", rx.text(RegisterState.errors["date"], color="var(--red-11)", size="2", role="alert")),
            rx.cond(RegisterState.per_lesson & (RegisterState.period == ""), choose_a_lesson(), register_sheet()),
            spacing="4",
            width="100%",
        ),
        empty_state("clipboard-check", t("No classes to take"), t("Registers are taken for the classes you lead or teach this year.")),
    )


# --- the teacher's dashboard card ------------------------------------------------------------------


def due_registers_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("Registers still to take today"), as_="h2", size="4"),
            rx.cond(
                DueRegistersState.due.length() > 0,
                rx.hstack(
                    rx.foreach(
                        DueRegistersState.due,
                        lambda row: rx.link(
                            rx.button(rx.icon("clipboard-check", size=16, aria_hidden="true"), row["name"], variant="soft"),
                            href=row["href"],
                        ),
                    ),
                    wrap="wrap",
                    spacing="2",
                ),
                rx.text(t("None: every register is taken, or the school does not sit today."), color="var(--gray-11)"),
            ),
            spacing="3",
        ),
        max_width="36em",
        width="100%",
    )


# --- a student's history ----------------------------------------------------------------------------


def count_item(label: str, key: str) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(t(label)), rx.data_list.value(AttendanceHistoryState.counts.get(key, 0).to(str)))


def history_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["date"], white_space="nowrap"),
        rx.table.cell(t(row["status"].to(str))),
        rx.table.cell(row["reason"]),
        align="center",
    )


def history_section() -> rx.Component:
    """The student's attendance this term: the rate, the counts, and the days not present."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(t("Attendance this term"), as_="h2", size="4"),
                rx.cond(AttendanceHistoryState.rate != "", rx.badge(t_format("Rate {rate}", rate=AttendanceHistoryState.rate), size="2", color_scheme="teal")),
                justify="between",
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.cond(AttendanceHistoryState.period != "", rx.text(AttendanceHistoryState.period, size="2", color="var(--gray-11)")),
            rx.data_list.root(
                *[count_item(label, value) for value, label in STATUS_CHOICES.items()],
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            ),
            data_table(
                [t("Date"), t("Mark"), t("Reason")],
                AttendanceHistoryState.days,
                history_row,
                empty=rx.text(t("Present on every day recorded."), color="var(--gray-11)"),
                label=t("Days not present"),
            ),
            spacing="3",
            width="100%",
        ),
        size="3",
        max_width="40em",
        width="100%",
    )


# --- summaries -------------------------------------------------------------------------------------


def rate_chart(points: rx.Var, label: rx.Var | str) -> rx.Component:
    """Rates as a line (weeks) with the same figures in a table beneath, for screen readers and
    for anyone who would rather read numbers."""
    return rx.vstack(
        rx.box(
            rx.recharts.line_chart(
                rx.recharts.line(data_key="rate", stroke="var(--accent-9)", is_animation_active=False),
                rx.recharts.x_axis(data_key="label"),
                rx.recharts.y_axis(domain=[0, 100]),
                rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                rx.recharts.graphing_tooltip(),
                data=points,
                width="100%",
                height=240,
                # Hidden from screen readers (the table below says the same), so not in the Tab order either.
                custom_attrs={"accessibilityLayer": False},
            ),
            aria_hidden="true",
            width="100%",
        ),
        rx.el.table(
            rx.el.caption(label),
            rx.el.tbody(rx.foreach(points, lambda p: rx.el.tr(rx.el.th(p["label"], scope="row"), rx.el.td(p["rate"].to(str) + "%")))),
            style=VISUALLY_HIDDEN,
        ),
        width="100%",
    )


def term_rates(points: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.foreach(points, lambda p: rx.badge(p["label"].to(str) + ": " + p["rate"].to(str) + "%", size="2", variant="soft")),
        wrap="wrap",
        spacing="2",
    )


def summary_card(title: rx.Var | str, rate: rx.Var, weeks: rx.Var, terms: rx.Var, chart_label: rx.Var | str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(title, as_="h2", size="4"),
                rx.cond(rate != "", rx.badge(t_format("This year {rate}", rate=rate), size="2", color_scheme="teal")),
                justify="between",
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.cond(
                weeks.length() > 0,
                rx.vstack(rate_chart(weeks, chart_label), term_rates(terms), spacing="3", width="100%"),
                rx.text(t("No registers taken yet this year."), color="var(--gray-11)"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


@signed_in_page(routes.ATTENDANCE_SUMMARY, "Attendance summary", permission="attendance.summary", on_load=AttendanceSummaryState.load_summary)
def attendance_summary() -> rx.Component:
    state = AttendanceSummaryState
    return rx.vstack(
        rx.cond(
            state.class_choices.length() > 0,
            rx.vstack(
                rx.hstack(
                    rx.text(t("Class"), weight="medium", size="2"),
                    filter_select(state.class_choices, label=t("Class"), value=state.class_id, on_change=state.choose_summary_class, translate=False),
                    spacing="3",
                    align="center",
                ),
                summary_card(
                    state.class_choices.get(state.class_id, ""), state.class_rate, state.class_weeks, state.class_terms,
                    t("Class attendance rate by week"),
                ),
                spacing="3",
                width="100%",
            ),
            empty_state("chart-line", t("No classes yet"), t("Summaries appear for the classes you lead or teach this year.")),
        ),
        rx.cond(
            state.sees_school,
            summary_card(t("Whole school"), state.school_rate, state.school_weeks, state.school_terms, t("School attendance rate by week")),
        ),
        spacing="4",
        width="100%",
    )
