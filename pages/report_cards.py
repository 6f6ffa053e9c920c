"""Report cards: the comments the class teacher and the head write on each student's card, a
card to check before it goes out, and (administrators) publishing a class's or a level's cards
with a progress bar, ending in one ZIP; and the published cards a student or parent downloads
(`report_cards_section`, on their own pages)."""

import reflex as rx

from components import confirm_dialog, data_table, empty_state, export_buttons, filter_select, form_dialog, list_footer, search_input
from components.forms import text_area_field
from components.i18n import t, t_format
from components.progress import job_progress
from components.records import muted, row_button, toolbar
from oneclass import routes
from oneclass.services.report_cards import COMMENT, MAX_COMMENT
from pages.guard import signed_in_page
from state.report_cards import MyReportCardsState, ReportCardsState

# --- publishing -------------------------------------------------------------------------------------


def publication_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["name"]),
        rx.table.cell(row["students"]),
        rx.table.cell(
            rx.cond(
                row["published"].to(bool),
                rx.badge(t("Published"), color_scheme="green"),
                rx.badge(t("Not published"), color_scheme="gray"),
            )
        ),
        align="center",
    )


def publish_section() -> rx.Component:
    state = ReportCardsState
    return rx.card(
        rx.vstack(
            rx.heading(t("Publish report cards"), as_="h2", size="4"),
            rx.text(
                t("Publishing makes every card of the class or level, puts them in one ZIP file, and lets the students and their parents download their own."),
                size="2",
                color="var(--gray-11)",
            ),
            toolbar(
                filter_select(state.scope_choices, label=t("Class or level"), value=state.scope, on_change=state.choose_scope),
                rx.button(
                    rx.icon("send", size=16, aria_hidden="true"), t("Publish"), on_click=state.ask_publish,
                    disabled=state.job_active | (state.scope == ""),
                ),
            ),
            job_progress(
                active=state.job_active, percent=state.job_percent, label=t("Making report cards"), status=state.job_status, failure=state.job_failure,
            ),
            # The page follows the job it started: a new job id mounts this again.
            rx.cond(state.job_id != "", rx.box(key=state.job_id, on_mount=state.follow_publishing)),
            rx.cond(
                state.zip_job_id != "",
                rx.callout(
                    rx.hstack(
                        rx.text(state.job_done),
                        rx.button(rx.icon("download", size=16, aria_hidden="true"), t("Download the ZIP"), on_click=state.download_zip, size="2"),
                        align="center",
                        wrap="wrap",
                        spacing="3",
                    ),
                    icon="circle-check",
                    color_scheme="green",
                    role="status",
                    width="100%",
                ),
            ),
            data_table(
                [t("Class"), t("Students"), t("Status")],
                state.publications,
                publication_row,
                empty=empty_state("school", t("No classes this year"), t("Classes appear here once the school's admin sets them up.")),
                label=t("Classes"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


# --- comments -----------------------------------------------------------------------------------------


def comment_row(row: rx.Var) -> rx.Component:
    name = row["name"].to(str)
    return rx.table.row(
        rx.table.row_header_cell(rx.vstack(rx.text(name), rx.text(row["admission_number"], size="1", color="var(--gray-11)"), spacing="0")),
        rx.table.cell(muted(row["teacher_comment"].to(str))),
        rx.table.cell(muted(row["head_comment"].to(str))),
        rx.table.cell(
            rx.hstack(
                row_button(t("Write comments"), name, ReportCardsState.open_comment(row["student_id"])),
                row_button(t("Preview card"), name, ReportCardsState.download_card(row["student_id"]), color_scheme="gray"),
                spacing="2",
            )
        ),
        align="center",
    )


def comments_empty() -> rx.Component:
    return rx.cond(
        ReportCardsState.class_choices.length() == 0,
        empty_state("message-square", t("No classes to comment on"), t("Class teachers write comments for the class they lead; ask the school admin to name you.")),
        rx.cond(
            ReportCardsState.search != "",
            empty_state("search-x", t("No students match"), t("Search by name or admission number.")),
            empty_state("users", t("Nobody is enrolled in this class"), t("Students appear here once they are enrolled.")),
        ),
    )


def comment_dialog() -> rx.Component:
    state = ReportCardsState
    editing, errors = state.editing, state.errors
    head = rx.cond(
        state.may_publish,
        text_area_field(t("Head's comment"), "head_comment", default_value=editing["head_comment"], error=errors.get("head_comment", "")),
        rx.vstack(rx.text(t("Head's comment"), weight="medium", size="2"), muted(editing["head_comment"].to(str)), spacing="1", width="100%"),
    )
    return form_dialog(
        t_format("Comments for {name}", name=editing["name"]),
        t_format("What the report card says this term. At most {count} characters each.", count=MAX_COMMENT),
        text_area_field(t("Class teacher's comment"), "teacher_comment", default_value=editing["teacher_comment"], error=errors.get("teacher_comment", "")),
        head,
        submit_label=t("Save comments"),
        on_submit=state.save_comment,
        open=state.editor_open,
        on_open_change=state.set_editor_open,
        error=errors.get("form", ""),
    )


def comments_section() -> rx.Component:
    state = ReportCardsState
    return rx.vstack(
        rx.heading(t("Comments"), as_="h2", size="4"),
        toolbar(
            filter_select(state.class_choices, label=t("Class"), value=state.class_id, on_change=state.choose_class),
            search_input(state.search, state.set_search, placeholder=t("Search by name or admission number"), label=t("Search students")),
            rx.spacer(),
            export_buttons(state),
        ),
        data_table(
            [t("Student"), t("Class teacher's comment"), t("Head's comment"), t("Actions")],
            state.rows,
            comment_row,
            empty=comments_empty(),
            label=t("Comments"),
        ),
        list_footer(
            state.total, t("students"), state.page, state.page_count, state.previous_page, state.next_page,
            summary=t_format("{count} students", count=state.total),
        ),
        spacing="3",
        width="100%",
    )


@signed_in_page(routes.REPORT_CARDS, "Report cards", permission=COMMENT, on_load=ReportCardsState.load_report_cards)
def report_cards_page() -> rx.Component:
    state = ReportCardsState
    return rx.cond(
        state.term_choices.length() > 0,
        rx.vstack(
            toolbar(filter_select(state.term_choices, label=t("Term"), value=state.term_id, on_change=state.choose_term)),
            rx.cond(state.may_publish, publish_section()),
            comments_section(),
            comment_dialog(),
            confirm_dialog(
                t("Publish these report cards?"),
                t_format("This publishes the report cards of {name}: students and parents can download them at once.", name=state.confirm_name),
                confirm_label=t("Publish"),
                on_confirm=state.publish,
                open=state.confirm_open,
                on_open_change=state.set_confirm_open,
                color_scheme="teal",
            ),
            spacing="4",
            width="100%",
        ),
        empty_state("calendar", t("No term has started yet"), t("Report cards are written for a term once it has started.")),
    )


# --- a student's own cards --------------------------------------------------------------------------------


def card_line(card: rx.Var) -> rx.Component:
    label = card["label"].to(str)
    return rx.hstack(
        rx.icon("file-text", size=16, aria_hidden="true"),
        rx.text(label),
        row_button(t("Download report card"), label, MyReportCardsState.download(card["term_id"])),
        align="center",
        spacing="3",
    )


def report_cards_section() -> rx.Component:
    """The published report cards of the student on screen (their own, or the parent's child)."""
    return rx.card(
        rx.vstack(
            rx.heading(t("Report cards"), as_="h2", size="4"),
            rx.cond(
                MyReportCardsState.cards.length() > 0,
                rx.vstack(rx.foreach(MyReportCardsState.cards, card_line), spacing="2"),
                rx.text(t("No report cards are published yet."), color="var(--gray-11)"),
            ),
            spacing="3",
        ),
        width="100%",
        max_width="40em",
    )
