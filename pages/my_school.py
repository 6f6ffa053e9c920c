"""The role pages: a teacher's classes with their class lists, a student's own record, and a
parent's children."""

import reflex as rx

from components import data_table, empty_state
from components.i18n import t, t_format
from oneclass import routes
from pages.attendance import history_section
from pages.guard import signed_in_page
from pages.report_cards import report_cards_section
from state.attendance import AttendanceHistoryState
from state.my_school import MyChildrenState, MyProfileState, TeacherClassesState
from state.report_cards import MyReportCardsState

# --- a student's record, as a student or their parent sees it ----------------------------


def record_item(label: rx.Var, value: rx.Var) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label),
        rx.data_list.value(rx.cond(value != "", value, rx.text("—", color="var(--gray-11)"))),
    )


def guardian_line(guardian: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.icon("user-round", size=16, color="var(--gray-10)", aria_hidden="true"),
        rx.text(rx.text.strong(guardian["name"]), " (", guardian["relationship"], ")"),
        rx.text(guardian["phone"], color="var(--gray-11)"),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def student_record(profile: rx.Var, guardians: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(profile["name"], as_="h2", size="5"),
            rx.data_list.root(
                record_item(t("Admission number"), profile["admission_number"]),
                record_item(t("Class"), profile["class"]),
                record_item(t("Status"), profile["status"]),
                record_item(t("Date of birth"), profile["date_of_birth"]),
                record_item(t("Gender"), profile["gender"]),
                record_item(t("Home language"), profile["home_language"]),
            ),
            rx.heading(t("Guardians"), as_="h3", size="3"),
            rx.cond(
                guardians.length() > 0,
                rx.vstack(rx.foreach(guardians, guardian_line), spacing="2"),
                rx.text(t("No guardians are recorded."), color="var(--gray-11)"),
            ),
            spacing="4",
        ),
        size="3",
        max_width="40em",
        width="100%",
    )


@signed_in_page(
    routes.MY_PROFILE, "My profile", permission="dashboard.student",
    on_load=[MyProfileState.load_profile, AttendanceHistoryState.load_own_history, MyReportCardsState.load_own_cards],
)
def my_profile() -> rx.Component:
    return rx.cond(
        MyProfileState.profile.length() > 0,
        rx.vstack(
            student_record(MyProfileState.profile, MyProfileState.guardians), report_cards_section(), history_section(), spacing="4", width="100%"
        ),
        empty_state("id-card", t("No record yet"), t("Your login is not linked to a student record yet. Ask the school office.")),
    )


@signed_in_page(routes.MY_CHILDREN, "My children", permission="child.read", on_load=MyChildrenState.load_children)
def my_children() -> rx.Component:
    return rx.cond(
        MyChildrenState.children.length() > 0,
        rx.vstack(
            rx.tabs.root(
                rx.tabs.list(
                    rx.foreach(MyChildrenState.children, lambda child: rx.tabs.trigger(child["name"], value=child["id"])),
                    aria_label=t("Your children"),
                ),
                # The chosen child's record is the tab's panel: the tab names it (aria-controls).
                rx.tabs.content(
                    rx.cond(
                        MyChildrenState.profile.length() > 0,
                        rx.vstack(
                            student_record(MyChildrenState.profile, MyChildrenState.guardians),
                            # Made anew for each child (the key), so each child's cards and history load as they show.
                            rx.box(
                                report_cards_section(),
                                key="cards-" + MyChildrenState.selected_id,
                                on_mount=MyReportCardsState.show_cards(MyChildrenState.selected_id),
                                width="100%",
                            ),
                            rx.box(
                                history_section(),
                                key=MyChildrenState.selected_id,
                                on_mount=AttendanceHistoryState.show_history(MyChildrenState.selected_id),
                                width="100%",
                            ),
                            spacing="4",
                            width="100%",
                        ),
                    ),
                    value=MyChildrenState.selected_id,
                    padding_top="var(--space-4)",
                ),
                value=MyChildrenState.selected_id,
                on_change=MyChildrenState.show_child,
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        empty_state("baby", t("No children linked"), t("Ask the school office to link your login to your children's records.")),
    )


# --- a teacher's classes ------------------------------------------------------------------


def class_card(row: rx.Var) -> rx.Component:
    name = row["name"].to(str)
    selected = TeacherClassesState.selected_id == row["id"]
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(name, as_="h2", size="4"),
                rx.cond(row["is_class_teacher"], rx.badge(t("Class teacher"), color_scheme="teal")),
                justify="between",
                align="center",
                width="100%",
            ),
            rx.text(
                t_format("{grade} · {count} students", grade=t(row["grade_level"]), count=row["enrolled"]), size="2", color="var(--gray-11)"
            ),
            rx.cond(row["subjects"] != "", rx.text(t_format("You teach: {subjects}", subjects=row["subjects"]), size="2")),
            rx.button(
                rx.icon("list", size=16, aria_hidden="true"),
                t("Class list"),
                variant=rx.cond(selected, "solid", "soft"),
                aria_label=t_format("Class list of {name}", name=name),
                aria_pressed=selected,
                on_click=TeacherClassesState.show_class(row["id"]),
            ),
            spacing="2",
            height="100%",
        ),
        border=rx.cond(selected, "2px solid var(--accent-9)", "2px solid transparent"),
    )


def class_list_row(student: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(student["admission_number"]),
        rx.table.row_header_cell(rx.link(student["name"], href=student["href"])),
        rx.table.cell(student["gender"]),
        rx.table.cell(student["status"]),
        align="center",
    )


def class_list() -> rx.Component:
    return rx.cond(
        TeacherClassesState.selected_id != "",
        rx.vstack(
            rx.heading(t_format("Class list: {name}", name=TeacherClassesState.selected_name), as_="h2", size="5"),
            data_table(
                [t("Admission no."), t("Name"), t("Gender"), t("Status")],
                TeacherClassesState.class_list,
                class_list_row,
                empty=empty_state("users", t("Nobody in this class yet"), t("Students appear here once they are enrolled.")),
                label=t("Class list"),
            ),
            spacing="3",
            width="100%",
        ),
    )


@signed_in_page(routes.TEACHER_CLASSES, "My classes", permission="classes.read", on_load=TeacherClassesState.load_classes)
def teacher_classes() -> rx.Component:
    return rx.cond(
        TeacherClassesState.classes.length() > 0,
        rx.vstack(
            rx.grid(
                rx.foreach(TeacherClassesState.classes, class_card),
                columns=rx.breakpoints(initial="1", sm="2", md="3"),
                spacing="3",
                width="100%",
            ),
            class_list(),
            spacing="5",
            width="100%",
        ),
        empty_state(
            "book-open", t("No classes yet"),
            t("Classes you lead or teach a subject in appear here once the school's admin assigns them."),
        ),
    )
