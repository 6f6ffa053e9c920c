"""The Import page: students with their guardians, staff, or users, from a CSV or Excel file."""

import reflex as rx

from components import data_table, form_notice, job_progress
from components.dropzone import file_dropzone
from components.i18n import t, t_format
from components.text_table import text_table
from oneclass import routes
from oneclass.services import imports
from oneclass.services.users import ROLE_LABELS
from pages.guard import signed_in_page
from state.imports import ACCEPT, SHOWN_ERRORS, UPLOAD_ID, ImportState


def kind_choice() -> rx.Component:
    return rx.vstack(
        rx.text(t("What are you importing?"), weight="medium", size="2", id="import-kind-label"),
        rx.radio_group.root(
            rx.hstack(
                *[
                    rx.text(rx.hstack(rx.radio_group.item(value=kind), t(label), spacing="2", align="center"), as_="label", size="2")
                    for kind, label in imports.KINDS.items()
                ],
                spacing="5",
            ),
            value=ImportState.kind,
            on_change=ImportState.set_kind,
            disabled=ImportState.importing,
            aria_labelledby="import-kind-label",
        ),
        spacing="2",
    )


def column_help(kind: str) -> rx.Component:
    """The columns a file of `kind` has. Their names (and the role values a file holds) are data
    read the same in every language, so they are shown as they are; the words around them are
    translated."""
    required, optional = imports.REQUIRED[kind], [c for c in imports.COLUMNS[kind] if c not in imports.REQUIRED[kind]]
    notes = {
        imports.STUDENTS: t(
            "Dates as YYYY-MM-DD (or Excel dates). The class is a class of the current year, as on the Classes page. "
            "Siblings with the same guardian phone number share one guardian; a guardian with an email gets a parent login."
        ),
        imports.STAFF: t(
            "Role is teacher or staff. The department must be one of your school's departments. "
            "New staff sign in once you send them a password reset link from Users."
        ),
        imports.USERS: t_format(
            "Role is one of: {roles}. A password, when given, is their initial one and must follow the password rules; "
            "without one they sign in once you send them a reset link from Users.",
            roles=", ".join(ROLE_LABELS.values()),
        ),
    }
    return rx.vstack(
        rx.text(t("Required columns:"), " ", *code_list(required), size="2"),
        rx.text(t("Optional:"), " ", *code_list(optional), size="2"),
        rx.text(notes[kind], size="2", color="var(--gray-11)"),
        spacing="2",
        width="100%",
    )


def code_list(names: list[str] | tuple[str, ...]) -> list[rx.Component | str]:
    """Column names as code, with spaces between them so that a long list wraps."""
    items: list[rx.Component | str] = []
    for name in names:
        items += [rx.code(name), " "]
    return items


def upload_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                kind_choice(),
                rx.spacer(),
                rx.button(
                    rx.icon("download", size=16, aria_hidden="true"), t("Download template"),
                    type="button", variant="soft", on_click=ImportState.download_template,
                ),
                align="end",
                wrap="wrap",
                width="100%",
            ),
            rx.match(ImportState.kind, *[(kind, column_help(kind)) for kind in imports.KINDS], rx.fragment()),
            file_dropzone(
                UPLOAD_ID,
                accept=ACCEPT,
                max_size=imports.MAX_BYTES,
                hint=t_format(
                    "Drag a .csv or .xlsx file here, or click to choose one (at most {size} MB).", size=imports.MAX_BYTES // (1024 * 1024)
                ),
                on_drop_rejected=ImportState.file_rejected,
            ),
            rx.button(
                rx.icon("file-search", size=16, aria_hidden="true"), t("Check file"),
                type="button",
                disabled=(rx.selected_files(UPLOAD_ID).length() == 0) | ImportState.importing,
                loading=ImportState.checking,
                on_click=ImportState.check_file(rx.upload_files(upload_id=UPLOAD_ID)),
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def error_row(error: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(error["row"]),
        rx.table.cell(rx.code(error["column"])),
        rx.table.cell(rx.text(error["message"], color="var(--red-11)")),
    )


def problems_section() -> rx.Component:
    return rx.cond(
        ImportState.error_count > 0,
        rx.vstack(
            rx.callout(
                t("Fix the rows listed below in your file and upload it again: nothing is imported while any row has a problem."),
                icon="circle-alert", color_scheme="red", role="alert", width="100%",
            ),
            data_table(
                [t("Row"), t("Column"), t("Problem")], ImportState.errors, error_row, empty=rx.fragment(), label=t("Problems")
            ),
            rx.hstack(
                rx.cond(
                    ImportState.more_errors > 0,
                    rx.text(t_format("Showing the first {shown} problems; {more} more.", shown=SHOWN_ERRORS, more=ImportState.more_errors), size="2"),
                ),
                rx.button(
                    rx.icon("download", size=16, aria_hidden="true"), t("Download all problems (CSV)"),
                    type="button", variant="soft", size="1", on_click=ImportState.download_problems,
                ),
                align="center",
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
    )


def progress_section() -> rx.Component:
    return job_progress(
        active=ImportState.importing,
        percent=ImportState.progress_percent,
        label=t("Import progress"),
        status=rx.cond(
            ImportState.job_message != "",
            ImportState.job_message,
            t_format("Imported {done} of {total} rows…", done=ImportState.done_rows, total=ImportState.total_rows),
        ),
        failure=ImportState.job_failure,
    )


def preview_section() -> rx.Component:
    return rx.cond(
        ImportState.file_name != "",
        rx.card(
            rx.vstack(
                rx.heading(t_format("Checked: {name}", name=ImportState.file_name), as_="h2", size="4"),
                rx.cond(
                    ImportState.problems.length() == 0,
                    rx.text(
                        t_format(
                            "{total} rows: {ready} ready, {problems} with problems.",
                            total=ImportState.total_rows, ready=ImportState.valid_rows, problems=ImportState.error_rows,
                        ),
                        size="3",
                    ),
                ),
                rx.foreach(
                    ImportState.problems,
                    lambda problem: rx.callout(problem, icon="circle-alert", color_scheme="red", role="alert", width="100%"),
                ),
                problems_section(),
                rx.cond(
                    ImportState.sample.length() > 0,
                    rx.vstack(
                        rx.heading(t("First rows that are ready"), as_="h3", size="3"),
                        text_table(ImportState.sample_columns, ImportState.sample, label=t("Rows ready to import")),
                        spacing="2",
                        width="100%",
                    ),
                ),
                progress_section(),
                rx.hstack(
                    rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray", disabled=ImportState.importing, on_click=ImportState.clear),
                    rx.button(
                        rx.icon("upload", size=16, aria_hidden="true"), t_format("Import {count} rows", count=ImportState.valid_rows),
                        type="button",
                        disabled=~ImportState.can_import,
                        loading=ImportState.importing,
                        on_click=ImportState.start_import,
                    ),
                    justify="end",
                    spacing="3",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            width="100%",
        ),
    )


@signed_in_page(routes.ADMIN_IMPORT, "Import", permission="students.create", on_load=ImportState.load)
def admin_import() -> rx.Component:
    return rx.vstack(
        form_notice(ImportState.result),
        upload_card(),
        preview_section(),
        spacing="5",
        width="100%",
    )
