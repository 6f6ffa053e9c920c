"""Students: the school's list (search, filters, paging, admission, export) and one student's
record (details, guardians, medical notes for those allowed, status, photo)."""

from collections.abc import Callable

import reflex as rx

from components import (
    data_table,
    empty_state,
    export_buttons,
    filter_select,
    form_dialog,
    form_field,
    list_footer,
    loading_state,
    search_input,
    select_field,
    text_area_field,
)
from components.dialogs import RETURN_FOCUS
from components.dropzone import file_dropzone
from components.i18n import t, t_format
from oneclass import routes
from oneclass.i18n import N_
from oneclass.services.students import MAX_PHOTO_BYTES
from oneclass.settings import get_settings
from pages.guard import signed_in_page
from state.students import (
    PHOTO_UPLOAD_ID,
    STATUS_LABELS,
    StudentForm,
    StudentListState,
    StudentProfileState,
)

STATUS_COLOURS = {"enrolled": "green", "transferred": "orange", "graduated": "blue", "left": "gray"}
# Choices written in the code: the select components show them through t().
STATUS_FILTERS = {"all": N_("All statuses"), **STATUS_LABELS}
SORT_CHOICES = {"name": N_("Sort by name"), "admission": N_("Sort by admission number"), "newest": N_("Newest first")}
GENDERS = {"female": N_("Female"), "male": N_("Male")}
# SMS and WhatsApp are names, the same in every language.
CONTACT_PREFERENCES = {"sms": "SMS", "whatsapp": "WhatsApp", "email": N_("Email")}
PHOTO_FILES = {"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"], "image/webp": [".webp"]}
PHOTO_MEGABYTES = MAX_PHOTO_BYTES // (1024 * 1024)


def status_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        *[(key, rx.badge(t(label), color_scheme=STATUS_COLOURS[key])) for key, label in STATUS_LABELS.items()],
        rx.badge(status),
    )


def gender_label(gender: rx.Var) -> rx.Component:
    return rx.match(gender, *[(key, t(label)) for key, label in GENDERS.items()], gender)


# --- the admission / edit form (one form for both) ---------------------------------------


def field(state: type[StudentForm], label: rx.Var, name: str, **props: object) -> rx.Component:
    """A form field bound to the state's remembered value and error for `name`."""
    return form_field(label, name, default_value=state.form_values[name], error=state.form_errors[name], **props)


def choice_field(
    state: type[StudentForm], label: rx.Var, name: str, choices: dict[str, str] | rx.Var, translate: bool | None = None
) -> rx.Component:
    return select_field(label, name, choices, default_value=state.form_values[name], error=state.form_errors[name], translate=translate)


def notes_field(state: type[StudentForm], label: rx.Var, name: str) -> rx.Component:
    return text_area_field(label, name, default_value=state.form_values[name], error=state.form_errors[name])


def form_section(title: rx.Var, *fields: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.heading(title, as_="h3", size="3"),
        rx.grid(*fields, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"),
        spacing="2",
        width="100%",
    )


def student_fields(state: type[StudentForm]) -> rx.Component:
    return form_section(
        t("Student"),
        field(state, t("Admission number"), "admission_number"),
        field(state, t("Date of birth"), "date_of_birth", type_="date"),
        field(state, t("First name"), "first_name", auto_complete="off"),
        field(state, t("Last name"), "last_name", auto_complete="off"),
        choice_field(state, t("Gender"), "gender", GENDERS),
        field(state, t("Home language"), "home_language", required=False),
        field(state, t("Birth certificate number"), "birth_certificate_number", required=False, placeholder="63-123456A75"),
        field(state, t("National ID"), "national_id", required=False, placeholder="63-123456A75"),
        field(state, t("ZIMSEC candidate number"), "zimsec_candidate_number", required=False, placeholder="123456/0001"),
        field(state, t("Address"), "address", required=False),
        rx.box(notes_field(state, t("Medical notes"), "medical_notes"), grid_column="1 / -1"),
    )


def guardian_fields(state: type[StudentForm]) -> rx.Component:
    return form_section(
        t("Guardian"),
        field(state, t("Guardian's full name"), "guardian0_full_name"),
        field(state, t("Relationship"), "guardian0_relationship", placeholder=t("Mother, Father, Aunt…")),
        field(state, t("Guardian's phone"), "guardian0_phone", type_="tel", placeholder="077 123 4567"),
        field(state, t("Guardian's email (optional)"), "guardian0_email", type_="email", required=False),
        choice_field(state, t("Contact preference"), "guardian0_contact_preference", CONTACT_PREFERENCES),
    )


def contact_fields(state: type[StudentForm]) -> rx.Component:
    return form_section(
        t("Emergency contact (optional)"),
        field(state, t("Contact's name"), "contact0_name", required=False),
        field(state, t("Contact's relationship"), "contact0_relationship", required=False),
        field(state, t("Contact's phone"), "contact0_phone", type_="tel", required=False),
    )


def student_form(
    state: type[StudentForm], title: rx.Var, description: rx.Var, submit_label: rx.Var, on_submit: rx.EventHandler, *sections: rx.Component
) -> rx.Component:
    """The one student form, in a dialog, for admitting (`sections`: guardian, contact, class)
    and for editing (the student's own details only)."""
    return form_dialog(
        title,
        description,
        student_fields(state),
        *sections,
        submit_label=submit_label,
        on_submit=on_submit,
        open=state.editor_open,
        on_open_change=state.set_editor_open,
        error=state.form_error,
        max_width="46em",
    )


# --- the list ------------------------------------------------------------------------------


def manage_buttons() -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("user-plus", size=16, aria_hidden="true"), t("Add student"), on_click=StudentListState.open_new_student),
        export_buttons(StudentListState),
        spacing="2",
        wrap="wrap",
    )


def student_toolbar() -> rx.Component:
    return rx.hstack(
        search_input(
            StudentListState.search, StudentListState.set_search,
            placeholder=t("Search by name or admission number"), label=t("Search students"),
        ),
        filter_select(
            StudentListState.class_filter_choices, label=t("Filter by class"),
            value=StudentListState.class_filter, on_change=StudentListState.set_class_filter,
            translate=True,  # "All classes" is a message; class names are not in the catalogues and show as they are
        ),
        filter_select(
            STATUS_FILTERS, label=t("Filter by status"), value=StudentListState.status_filter, on_change=StudentListState.set_status_filter
        ),
        filter_select(SORT_CHOICES, label=t("Sort students"), value=StudentListState.sort, on_change=StudentListState.set_sort),
        rx.spacer(),
        rx.cond(StudentListState.can_manage, manage_buttons()),
        wrap="wrap",
        spacing="3",
        width="100%",
    )


def student_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["admission_number"]),
        rx.table.row_header_cell(rx.link(row["name"], href=row["href"])),
        rx.table.cell(row["class"]),
        rx.table.cell(gender_label(row["gender"])),
        rx.table.cell(row["born"], white_space="nowrap"),
        rx.table.cell(status_badge(row["status"])),
        align="center",
    )


def students_empty() -> rx.Component:
    return rx.cond(
        StudentListState.is_filtered,
        empty_state("search-x", t("No students match"), t("Try another search, class or status.")),
        empty_state("graduation-cap", t("No students yet"), t("Students you admit, or whose classes you teach, appear here.")),
    )


def students_list() -> rx.Component:
    return rx.vstack(
        data_table(
            [t("Admission no."), t("Name"), t("Class"), t("Gender"), t("Date of birth"), t("Status")],
            StudentListState.rows,
            student_row,
            empty=students_empty(),
            label=t("Students"),
        ),
        list_footer(
            StudentListState.total, t("students"), StudentListState.page, StudentListState.page_count,
            StudentListState.previous_page, StudentListState.next_page,
            summary=t_format("{count} students", count=StudentListState.total),
        ),
        spacing="3",
        width="100%",
    )


def admission_dialog() -> rx.Component:
    state = StudentListState
    return student_form(
        state,
        t("Add student"),
        t("A guardian with an email address gets a parent login; you will see a link for them to set its password."),
        t("Add student"),
        state.add_student,
        guardian_fields(state),
        contact_fields(state),
        form_section(t("Class"), choice_field(state, t("Class"), "class", state.class_choices, translate=True)),
    )


def parent_links_dialog() -> rx.Component:
    hours = get_settings().password_reset_hours
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t_format("Parent login for {name}", name=StudentListState.links_for)),
            rx.dialog.description(
                t_format(
                    "Give this link to the guardian privately: they set their password with it and then sign in. It works once, "
                    "within {hours} hours, and is not shown again.",
                    hours=hours,
                ),
                size="2",
            ),
            rx.vstack(
                rx.foreach(
                    StudentListState.parent_links,
                    lambda link: rx.hstack(
                        rx.input(value=link, read_only=True, aria_label=t("Set-password link"), width="100%"),
                        rx.button(
                            rx.icon("copy", size=16, aria_hidden="true"), t("Copy"), variant="soft",
                            on_click=[rx.set_clipboard(link), rx.toast.success(t("Link copied."))],
                        ),
                        width="100%",
                    ),
                ),
                rx.hstack(rx.dialog.close(rx.button(t("Done"))), justify="end", width="100%"),
                spacing="3",
                margin_top="var(--space-3)",
            ),
            max_width="40em",
            **RETURN_FOCUS,
        ),
        open=StudentListState.links_open,
        on_open_change=StudentListState.set_links_open,
    )


@signed_in_page(routes.STUDENTS, "Students", permission="students.read", on_load=StudentListState.load)
def students_page() -> rx.Component:
    return rx.vstack(
        student_toolbar(),
        students_list(),
        admission_dialog(),
        parent_links_dialog(),
        spacing="5",
        width="100%",
    )


# --- one student ---------------------------------------------------------------------------


def portrait() -> rx.Component:
    student = StudentProfileState.student
    return rx.cond(
        StudentProfileState.photo_src != "",
        rx.image(
            src=StudentProfileState.photo_src, alt=t_format("Photo of {name}", name=student["name"].to(str)),
            width="96px", height="96px", object_fit="cover", border_radius="var(--radius-4)",
        ),
        rx.avatar(fallback=StudentProfileState.initials, size="7", radius="large", aria_label=t("No photo yet")),
    )


def profile_header() -> rx.Component:
    student = StudentProfileState.student
    return rx.hstack(
        portrait(),
        rx.vstack(
            rx.heading(student["name"], as_="h2", size="6"),
            rx.hstack(
                rx.text(t_format("Admission no. {number}", number=student["admission_number"].to(str)), color="var(--gray-11)"),
                rx.cond(student["class"] != "", rx.badge(student["class"], variant="soft")),
                status_badge(student["status"]),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            spacing="2",
        ),
        rx.spacer(),
        rx.cond(
            StudentProfileState.can_edit,
            rx.hstack(
                rx.button(rx.icon("pencil", size=16, aria_hidden="true"), t("Edit details"), variant="soft", on_click=StudentProfileState.open_edit),
                rx.button(
                    rx.icon("arrow-right-left", size=16, aria_hidden="true"), t("Change status"), variant="soft", color_scheme="orange",
                    on_click=StudentProfileState.set_status_open(True),
                ),
                spacing="2",
                wrap="wrap",
            ),
        ),
        spacing="4",
        align="center",
        wrap="wrap",
        width="100%",
    )


def detail(label: rx.Var, value: rx.Var) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(rx.cond(value != "", value, "—")))


def details_card() -> rx.Component:
    student = StudentProfileState.student
    return rx.card(
        rx.heading(t("Details"), as_="h3", size="4", margin_bottom="var(--space-3)"),
        rx.data_list.root(
            detail(t("Date of birth"), student["born"]),
            rx.data_list.item(rx.data_list.label(t("Gender")), rx.data_list.value(gender_label(student["gender"]))),
            detail(t("Class"), student["class"]),
            detail(t("Home language"), student["home_language"]),
            detail(t("Address"), student["address"]),
            detail(t("Birth certificate number"), student["birth_certificate_number"]),
            detail(t("National ID"), student["national_id"]),
            detail(t("ZIMSEC candidate number"), student["zimsec_candidate_number"]),
        ),
        width="100%",
    )


def table_card(title: rx.Var, headers: list[rx.Var], rows: rx.Var, render_row: Callable[[rx.Var], rx.Component], empty: rx.Var) -> rx.Component:
    return rx.card(
        rx.heading(title, as_="h3", size="4", margin_bottom="var(--space-3)"),
        data_table(headers, rows, render_row, empty=rx.text(empty, color="var(--gray-11)", size="2"), label=title),
        width="100%",
    )


def guardian_row(guardian: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(guardian["name"]),
        rx.table.cell(guardian["relationship"]),
        rx.table.cell(guardian["phone"], white_space="nowrap"),
        rx.table.cell(guardian["email"]),
        rx.table.cell(rx.match(guardian["preference"], *[(key, t(label)) for key, label in CONTACT_PREFERENCES.items()], guardian["preference"])),
    )


def contact_row(contact: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(contact["name"]),
        rx.table.cell(contact["relationship"]),
        rx.table.cell(contact["phone"], white_space="nowrap"),
    )


def history_row(change: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(change["when"], white_space="nowrap"),
        rx.table.cell(rx.cond(change["from"] != "", status_badge(change["from"]), "—")),
        rx.table.cell(status_badge(change["to"])),
        # A reason someone typed is shown as typed; the service's own ("Admitted") is a message.
        rx.table.cell(t(change["reason"])),
    )


def medical_card() -> rx.Component:
    notes = StudentProfileState.student["medical_notes"]
    return rx.card(
        rx.vstack(
            rx.heading(t("Medical and emergency"), as_="h3", size="4"),
            rx.text(t("Seen only by administrators and the class teacher."), size="2", color="var(--gray-11)"),
            rx.heading(t("Medical notes"), as_="h4", size="2"),
            rx.text(rx.cond(notes != "", notes, t("None recorded.")), white_space="pre-wrap"),
            rx.heading(t("Emergency contacts"), as_="h4", size="2"),
            data_table(
                [t("Name"), t("Relationship"), t("Phone")], StudentProfileState.contacts, contact_row,
                empty=rx.text(t("None recorded."), color="var(--gray-11)", size="2"), label=t("Emergency contacts"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def photo_upload() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("Photo"), as_="h3", size="4"),
            file_dropzone(
                PHOTO_UPLOAD_ID,
                accept=PHOTO_FILES,
                max_size=MAX_PHOTO_BYTES,
                hint=t_format("Drag a photo here, or click to choose one (PNG, JPEG or WebP, at most {size} MB).", size=PHOTO_MEGABYTES),
                on_drop_rejected=StudentProfileState.photo_rejected,
                icon="image-up",
            ),
            rx.button(
                rx.icon("upload", size=16, aria_hidden="true"), t("Upload photo"),
                type="button",
                variant="soft",
                disabled=rx.selected_files(PHOTO_UPLOAD_ID).length() == 0,
                on_click=StudentProfileState.upload_photo(rx.upload_files(upload_id=PHOTO_UPLOAD_ID)),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def status_dialog() -> rx.Component:
    state = StudentProfileState
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t_format("Change the status of {name}?", name=state.student["name"].to(str))),
            rx.alert_dialog.description(
                t("The change and its reason are kept in the student's status history."), size="2", margin_bottom="var(--space-3)"
            ),
            rx.form(
                rx.vstack(
                    select_field(t("New status"), "status", STATUS_LABELS, default_value=state.student["status"]),
                    form_field(t("Reason"), "reason", required=False, placeholder=t("e.g. Moved to Bulawayo")),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray")),
                        rx.button(t("Change status"), type="submit", color_scheme="orange"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=state.change_status,
                width="100%",
            ),
            max_width="30em",
        ),
        open=state.status_open,
        on_open_change=state.set_status_open,
    )


def profile() -> rx.Component:
    state = StudentProfileState
    return rx.vstack(
        profile_header(),
        rx.grid(
            details_card(),
            rx.cond(state.can_see_medical, medical_card()),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        table_card(
            t("Guardians"), [t("Name"), t("Relationship"), t("Phone"), t("Email"), t("Contact by")],
            state.guardians, guardian_row, t("No guardians recorded."),
        ),
        table_card(
            t("Status history"), [t("Date"), t("From"), t("To"), t("Reason")], state.history, history_row, t("No changes recorded.")
        ),
        rx.cond(state.can_edit, photo_upload()),
        student_form(
            state, t("Edit details"), t("The student's own details; guardians and class are not changed here."), t("Save changes"),
            state.save_details,
        ),
        status_dialog(),
        spacing="4",
        width="100%",
    )


def student_missing() -> rx.Component:
    return empty_state(
        "search-x",
        t("Student not found"),
        t("There is no such student here, or they are not in one of your classes."),
        rx.link(rx.button(t("All students"), variant="soft"), href=routes.STUDENTS),
    )


@signed_in_page(routes.STUDENT_PROFILE, "Student", permission="students.read", on_load=StudentProfileState.load)
def student_profile_page() -> rx.Component:
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), t("All students"), spacing="1", align="center"), href=routes.STUDENTS),
        rx.cond(
            StudentProfileState.not_found,
            student_missing(),
            rx.cond(StudentProfileState.student.length() > 0, profile(), loading_state()),
        ),
        spacing="4",
        width="100%",
    )
