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
from components.dropzone import file_dropzone
from models import StudentStatus
from oneclass import routes
from oneclass.services.students import MAX_PHOTO_BYTES
from oneclass.settings import get_settings
from pages.guard import signed_in_page
from state.students import (
    PHOTO_UPLOAD_ID,
    StudentForm,
    StudentListState,
    StudentProfileState,
)

STATUS_LABELS = {status.value: status.value.title() for status in StudentStatus}
STATUS_COLOURS = {"enrolled": "green", "transferred": "orange", "graduated": "blue", "left": "gray"}
STATUS_FILTERS = {"all": "All statuses", **STATUS_LABELS}
SORT_CHOICES = {"name": "Sort by name", "admission": "Sort by admission number", "newest": "Newest first"}
GENDERS = {"female": "Female", "male": "Male"}
CONTACT_PREFERENCES = {"sms": "SMS", "whatsapp": "WhatsApp", "email": "Email"}
PHOTO_FILES = {"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"], "image/webp": [".webp"]}
PHOTO_LIMIT = f"{MAX_PHOTO_BYTES // (1024 * 1024)} MB"


def status_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        *[(key, rx.badge(label, color_scheme=STATUS_COLOURS[key])) for key, label in STATUS_LABELS.items()],
        rx.badge(status),
    )


# --- the admission / edit form (one form for both) ---------------------------------------


def field(state: type[StudentForm], label: str, name: str, **props: object) -> rx.Component:
    """A form field bound to the state's remembered value and error for `name`."""
    return form_field(label, name, default_value=state.form_values[name], error=state.form_errors[name], **props)


def choice_field(state: type[StudentForm], label: str, name: str, choices: dict[str, str] | rx.Var) -> rx.Component:
    return select_field(label, name, choices, default_value=state.form_values[name], error=state.form_errors[name])


def notes_field(state: type[StudentForm], label: str, name: str) -> rx.Component:
    return text_area_field(label, name, default_value=state.form_values[name], error=state.form_errors[name])


def form_section(title: str, *fields: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.heading(title, as_="h3", size="3"),
        rx.grid(*fields, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"),
        spacing="2",
        width="100%",
    )


def student_fields(state: type[StudentForm]) -> rx.Component:
    return form_section(
        "Student",
        field(state, "Admission number", "admission_number"),
        field(state, "Date of birth", "date_of_birth", type_="date"),
        field(state, "First name", "first_name", auto_complete="off"),
        field(state, "Last name", "last_name", auto_complete="off"),
        choice_field(state, "Gender", "gender", GENDERS),
        field(state, "Home language", "home_language", required=False),
        field(state, "Birth certificate number", "birth_certificate_number", required=False, placeholder="63-123456A75"),
        field(state, "National ID", "national_id", required=False, placeholder="63-123456A75"),
        field(state, "ZIMSEC candidate number", "zimsec_candidate_number", required=False, placeholder="123456/0001"),
        field(state, "Address", "address", required=False),
        rx.box(notes_field(state, "Medical notes", "medical_notes"), grid_column="1 / -1"),
    )


def guardian_fields(state: type[StudentForm]) -> rx.Component:
    return form_section(
        "Guardian",
        field(state, "Guardian's full name", "guardian0_full_name"),
        field(state, "Relationship", "guardian0_relationship", placeholder="Mother, Father, Aunt…"),
        field(state, "Guardian's phone", "guardian0_phone", type_="tel", placeholder="077 123 4567"),
        field(state, "Guardian's email (optional)", "guardian0_email", type_="email", required=False),
        choice_field(state, "Contact preference", "guardian0_contact_preference", CONTACT_PREFERENCES),
    )


def contact_fields(state: type[StudentForm]) -> rx.Component:
    return form_section(
        "Emergency contact (optional)",
        field(state, "Contact's name", "contact0_name", required=False),
        field(state, "Contact's relationship", "contact0_relationship", required=False),
        field(state, "Contact's phone", "contact0_phone", type_="tel", required=False),
    )


def student_form(
    state: type[StudentForm], title: str, description: str, submit_label: str, on_submit: rx.EventHandler, *sections: rx.Component
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
        rx.button(rx.icon("user-plus", size=16, aria_hidden="true"), "Add student", on_click=StudentListState.open_new_student),
        export_buttons(StudentListState),
        spacing="2",
        wrap="wrap",
    )


def student_toolbar() -> rx.Component:
    return rx.hstack(
        search_input(
            StudentListState.search, StudentListState.set_search, placeholder="Search by name or admission number", label="Search students"
        ),
        filter_select(
            StudentListState.class_filter_choices, label="Filter by class",
            value=StudentListState.class_filter, on_change=StudentListState.set_class_filter,
        ),
        filter_select(
            STATUS_FILTERS, label="Filter by status", value=StudentListState.status_filter, on_change=StudentListState.set_status_filter
        ),
        filter_select(SORT_CHOICES, label="Sort students", value=StudentListState.sort, on_change=StudentListState.set_sort),
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
        rx.table.cell(row["gender"], text_transform="capitalize"),
        rx.table.cell(row["date_of_birth"], white_space="nowrap"),
        rx.table.cell(status_badge(row["status"])),
        align="center",
    )


def students_empty() -> rx.Component:
    return rx.cond(
        StudentListState.is_filtered,
        empty_state("search-x", "No students match", "Try another search, class or status."),
        empty_state("graduation-cap", "No students yet", "Students you admit, or whose classes you teach, appear here."),
    )


def students_list() -> rx.Component:
    return rx.vstack(
        data_table(
            ["Admission no.", "Name", "Class", "Gender", "Date of birth", "Status"],
            StudentListState.rows,
            student_row,
            empty=students_empty(),
            label="Students",
        ),
        list_footer(
            StudentListState.total, "students", StudentListState.page, StudentListState.page_count,
            StudentListState.previous_page, StudentListState.next_page,
        ),
        spacing="3",
        width="100%",
    )


def admission_dialog() -> rx.Component:
    state = StudentListState
    return student_form(
        state,
        "Add student",
        "A guardian with an email address gets a parent login; you will see a link for them to set its password.",
        "Add student",
        state.add_student,
        guardian_fields(state),
        contact_fields(state),
        form_section("Class", choice_field(state, "Class", "class", state.class_choices)),
    )


def parent_links_dialog() -> rx.Component:
    hours = get_settings().password_reset_hours
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Parent login for ", StudentListState.links_for),
            rx.dialog.description(
                f"Give this link to the guardian privately: they set their password with it and then sign in. It works once, "
                f"within {hours} hours, and is not shown again.",
                size="2",
            ),
            rx.vstack(
                rx.foreach(
                    StudentListState.parent_links,
                    lambda link: rx.hstack(
                        rx.input(value=link, read_only=True, aria_label="Set-password link", width="100%"),
                        rx.button(
                            rx.icon("copy", size=16, aria_hidden="true"), "Copy", variant="soft",
                            on_click=[rx.set_clipboard(link), rx.toast.success("Link copied.")],
                        ),
                        width="100%",
                    ),
                ),
                rx.hstack(rx.dialog.close(rx.button("Done")), justify="end", width="100%"),
                spacing="3",
                margin_top="var(--space-3)",
            ),
            max_width="40em",
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
            src=StudentProfileState.photo_src, alt="Photo of " + student["name"].to(str),
            width="96px", height="96px", object_fit="cover", border_radius="var(--radius-4)",
        ),
        rx.avatar(fallback=StudentProfileState.initials, size="7", radius="large", aria_label="No photo yet"),
    )


def profile_header() -> rx.Component:
    student = StudentProfileState.student
    return rx.hstack(
        portrait(),
        rx.vstack(
            rx.heading(student["name"], as_="h2", size="6"),
            rx.hstack(
                rx.text("Admission no. ", student["admission_number"], color="var(--gray-11)"),
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
                rx.button(rx.icon("pencil", size=16, aria_hidden="true"), "Edit details", variant="soft", on_click=StudentProfileState.open_edit),
                rx.button(
                    rx.icon("arrow-right-left", size=16, aria_hidden="true"), "Change status", variant="soft", color_scheme="orange",
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


def detail(label: str, value: rx.Var) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(rx.cond(value != "", value, "—")))


def details_card() -> rx.Component:
    student = StudentProfileState.student
    return rx.card(
        rx.heading("Details", as_="h3", size="4", margin_bottom="var(--space-3)"),
        rx.data_list.root(
            detail("Date of birth", student["date_of_birth"]),
            rx.data_list.item(rx.data_list.label("Gender"), rx.data_list.value(student["gender"], text_transform="capitalize")),
            detail("Class", student["class"]),
            detail("Home language", student["home_language"]),
            detail("Address", student["address"]),
            detail("Birth certificate number", student["birth_certificate_number"]),
            detail("National ID", student["national_id"]),
            detail("ZIMSEC candidate number", student["zimsec_candidate_number"]),
        ),
        width="100%",
    )


def table_card(title: str, headers: list[str], rows: rx.Var, render_row: Callable[[rx.Var], rx.Component], empty: str) -> rx.Component:
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
        rx.table.cell(rx.match(guardian["preference"], *CONTACT_PREFERENCES.items(), guardian["preference"])),
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
        rx.table.cell(change["reason"]),
    )


def medical_card() -> rx.Component:
    notes = StudentProfileState.student["medical_notes"]
    return rx.card(
        rx.vstack(
            rx.heading("Medical and emergency", as_="h3", size="4"),
            rx.text("Seen only by administrators and the class teacher.", size="2", color="var(--gray-11)"),
            rx.heading("Medical notes", as_="h4", size="2"),
            rx.text(rx.cond(notes != "", notes, "None recorded."), white_space="pre-wrap"),
            rx.heading("Emergency contacts", as_="h4", size="2"),
            data_table(
                ["Name", "Relationship", "Phone"], StudentProfileState.contacts, contact_row,
                empty=rx.text("None recorded.", color="var(--gray-11)", size="2"), label="Emergency contacts",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def photo_upload() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Photo", as_="h3", size="4"),
            file_dropzone(
                PHOTO_UPLOAD_ID,
                accept=PHOTO_FILES,
                max_size=MAX_PHOTO_BYTES,
                hint=f"Drag a photo here, or click to choose one (PNG, JPEG or WebP, at most {PHOTO_LIMIT}).",
                on_drop_rejected=StudentProfileState.photo_rejected,
                icon="image-up",
            ),
            rx.button(
                rx.icon("upload", size=16, aria_hidden="true"), "Upload photo",
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
            rx.alert_dialog.title("Change the status of ", state.student["name"], "?"),
            rx.alert_dialog.description(
                "The change and its reason are kept in the student's status history.", size="2", margin_bottom="var(--space-3)"
            ),
            rx.form(
                rx.vstack(
                    select_field("New status", "status", STATUS_LABELS, default_value=state.student["status"]),
                    form_field("Reason", "reason", required=False, placeholder="e.g. Moved to Bulawayo"),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                        rx.button("Change status", type="submit", color_scheme="orange"),
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
        table_card("Guardians", ["Name", "Relationship", "Phone", "Email", "Contact by"], state.guardians, guardian_row, "No guardians recorded."),
        table_card("Status history", ["Date", "From", "To", "Reason"], state.history, history_row, "No changes recorded."),
        rx.cond(state.can_edit, photo_upload()),
        student_form(
            state, "Edit details", "The student's own details; guardians and class are not changed here.", "Save changes", state.save_details
        ),
        status_dialog(),
        spacing="4",
        width="100%",
    )


def student_missing() -> rx.Component:
    return empty_state(
        "search-x",
        "Student not found",
        "There is no such student here, or they are not in one of your classes.",
        rx.link(rx.button("All students", variant="soft"), href=routes.STUDENTS),
    )


@signed_in_page(routes.STUDENT_PROFILE, "Student", permission="students.read", on_load=StudentProfileState.load)
def student_profile_page() -> rx.Component:
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), "All students", spacing="1", align="center"), href=routes.STUDENTS),
        rx.cond(
            StudentProfileState.not_found,
            student_missing(),
            rx.cond(StudentProfileState.student.length() > 0, profile(), loading_state()),
        ),
        spacing="4",
        width="100%",
    )
