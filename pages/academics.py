"""The school's records for its admin: years and terms, subjects, classes (teachers, promotion),
staff and guardians."""

import reflex as rx

from components import (
    confirm_dialog,
    data_table,
    dialog_buttons,
    empty_state,
    export_buttons,
    filter_select,
    form_dialog,
    form_error,
    form_field,
    labelled,
    list_footer,
    search_input,
    select_field,
)
from oneclass import routes
from pages.guard import signed_in_page
from state.academics import (
    SUBJECT_LEVELS,
    TERMS,
    ClassesState,
    GuardiansState,
    StaffState,
    SubjectsState,
    YearsState,
)


def toolbar(*children: rx.Component) -> rx.Component:
    return rx.hstack(*children, wrap="wrap", spacing="3", align="center", width="100%")


def action_button(icon: str, label: str, on_click: rx.EventHandler | rx.event.EventSpec, **props: object) -> rx.Component:
    return rx.button(rx.icon(icon, size=16, aria_hidden="true"), label, on_click=on_click, **props)


def row_button(label: str, aria_label: rx.Var, on_click: rx.event.EventSpec, **props: object) -> rx.Component:
    """A small action in a table row, named with the row's subject for screen readers."""
    return rx.button(label, size="1", variant="soft", aria_label=aria_label, on_click=on_click, **props)


def field_pair(*fields: rx.Component, error: rx.Var | str = "") -> rx.Component:
    """Two fields side by side (a start and an end date), with one message for the pair."""
    return rx.vstack(
        rx.grid(*fields, columns="2", spacing="3", width="100%"),
        rx.cond(error != "", rx.text(error, color="var(--red-11)", size="2", role="alert")),
        spacing="1",
        width="100%",
    )


# --- years and terms ------------------------------------------------------------------------


def year_row(year: rx.Var) -> rx.Component:
    name = year["name"].to(str)
    return rx.table.row(
        rx.table.row_header_cell(name),
        rx.table.cell(year["starts_on"], " to ", year["ends_on"], white_space="nowrap"),
        rx.table.cell(rx.vstack(rx.foreach(year["terms"].to(list[str]), lambda term: rx.text(term, size="2")), spacing="1")),
        rx.table.cell(
            rx.cond(
                year["is_current"],
                rx.badge("Current", color_scheme="green"),
                row_button("Make current", "Make " + name + " the current year", YearsState.ask_make_current(year["id"], name)),
            )
        ),
        align="center",
    )


def new_year_dialog() -> rx.Component:
    errors = YearsState.errors
    return form_dialog(
        "New year",
        "A school year has three terms; use the dates gazetted for your school.",
        form_field("Name", "name", placeholder="2027", error=errors.get("name", "")),
        field_pair(
            form_field("Year starts", "starts_on", type_="date", error=errors.get("starts_on", "")),
            form_field("Year ends", "ends_on", type_="date", error=errors.get("ends_on", "")),
        ),
        *[
            field_pair(
                form_field(f"Term {n} starts", f"term{n}_starts", type_="date"),
                form_field(f"Term {n} ends", f"term{n}_ends", type_="date"),
                error=errors.get(f"term{n}", ""),
            )
            for n in TERMS
        ],
        submit_label="Add year",
        on_submit=YearsState.create_year,
        open=YearsState.editor_open,
        on_open_change=YearsState.set_editor_open,
        error=errors.get("form", ""),
        max_width="34em",
    )


@signed_in_page(routes.ADMIN_YEARS, "Years and terms", permission="school.update", on_load=YearsState.load_years)
def admin_years() -> rx.Component:
    return rx.vstack(
        toolbar(rx.spacer(), action_button("calendar-plus", "New year", YearsState.open_new_year)),
        data_table(
            ["Year", "Dates", "Terms", "Status"],
            YearsState.years,
            year_row,
            empty=empty_state("calendar", "No years yet", "Add the school year and its three terms to start."),
            label="Years",
        ),
        new_year_dialog(),
        confirm_dialog(
            "Make " + YearsState.confirm_name + " the current year?",
            "Classes, registers and reports will use this year from now on. You can switch back at any time.",
            confirm_label="Make current",
            on_confirm=YearsState.make_current,
            open=YearsState.confirm_open,
            on_open_change=YearsState.set_confirm_open,
            color_scheme="teal",
        ),
        spacing="4",
        width="100%",
    )


# --- subjects -------------------------------------------------------------------------------


def subject_row(subject: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.code(subject["code"])),
        rx.table.cell(subject["name"]),
        rx.table.cell(subject["level"]),
        align="center",
    )


def subjects_empty() -> rx.Component:
    return rx.cond(
        SubjectsState.search != "",
        empty_state("search-x", "No subjects match", "Try another name or code."),
        empty_state("library", "No subjects yet", "Start from the ZIMSEC list for your level, or add subjects one by one."),
    )


def new_subject_dialog() -> rx.Component:
    errors = SubjectsState.errors
    return form_dialog(
        "Add subject",
        "The code is the ZIMSEC code where there is one.",
        form_field("Code", "code", placeholder="4008", error=errors.get("code", "")),
        form_field("Name", "name", placeholder="Mathematics", error=errors.get("name", "")),
        select_field("Level", "level", SUBJECT_LEVELS, default_value=SubjectsState.default_level, error=errors.get("level", "")),
        submit_label="Add subject",
        on_submit=SubjectsState.add_subject,
        open=SubjectsState.editor_open,
        on_open_change=SubjectsState.set_editor_open,
        error=errors.get("form", ""),
    )


@signed_in_page(routes.ADMIN_SUBJECTS, "Subjects", permission="school.update", on_load=SubjectsState.load_subjects)
def admin_subjects() -> rx.Component:
    return rx.vstack(
        toolbar(
            search_input(SubjectsState.search, SubjectsState.set_search, placeholder="Search by name or code", label="Search subjects"),
            rx.spacer(),
            export_buttons(SubjectsState),
            action_button("list-checks", "Use the ZIMSEC subject list", SubjectsState.adopt_zimsec, variant="soft"),
            action_button("plus", "Add subject", SubjectsState.open_new_subject),
        ),
        data_table(["Code", "Subject", "Level"], SubjectsState.rows, subject_row, empty=subjects_empty(), label="Subjects"),
        list_footer(
            SubjectsState.total, "subjects", SubjectsState.page, SubjectsState.page_count,
            SubjectsState.previous_page, SubjectsState.next_page,
        ),
        new_subject_dialog(),
        spacing="4",
        width="100%",
    )


# --- classes --------------------------------------------------------------------------------


def class_row(row: rx.Var) -> rx.Component:
    name = row["name"].to(str)
    return rx.table.row(
        rx.table.row_header_cell(name),
        rx.table.cell(row["grade_level"]),
        rx.table.cell(rx.cond(row["class_teacher"] != "", row["class_teacher"], rx.text("None", color="var(--gray-10)"))),
        rx.table.cell(row["enrolled"], " / ", row["capacity"]),
        rx.table.cell(
            rx.hstack(
                row_button("Assign teacher", "Assign a teacher in " + name, ClassesState.open_assign(row["id"], name)),
                row_button("Promote class", "Promote " + name, ClassesState.open_promotion(row["id"], name)),
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


@signed_in_page(routes.ADMIN_CLASSES, "Classes", permission="school.update", on_load=ClassesState.load_classes)
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


# --- staff ----------------------------------------------------------------------------------


def muted(text: rx.Var) -> rx.Component:
    """A value, or a dash when there is none."""
    return rx.cond(text != "", rx.text(text), rx.text("—", color="var(--gray-10)", aria_label="none"))


def staff_row(row: rx.Var) -> rx.Component:
    name = row["full_name"].to(str)
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(rx.text(name, weight="medium"), rx.text(row["email"], size="1", color="var(--gray-11)"), spacing="0")
        ),
        rx.table.cell(rx.cond(row["job_title"] != "", row["job_title"], row["role_label"])),
        rx.table.cell(muted(row["department"])),
        rx.table.cell(muted(row["subjects"]), max_width="16em"),
        rx.table.cell(muted(row["phone"]), white_space="nowrap"),
        rx.table.cell(muted(row["employee_number"])),
        rx.table.cell(row_button("Edit", "Edit the profile of " + name, StaffState.open_edit(row["id"]))),
        align="center",
    )


def staff_empty() -> rx.Component:
    return rx.cond(
        StaffState.search != "",
        empty_state("search-x", "Nobody matches", "Try another name, email or employee number."),
        empty_state(
            "briefcase", "No teachers or staff yet", "Add them as users with the role Teacher or Staff.",
            rx.link(rx.button("Go to Users", variant="soft"), href=routes.ADMIN_USERS),
        ),
    )


def staff_dialog() -> rx.Component:
    errors, values = StaffState.errors, StaffState.form_values
    return form_dialog(
        "Profile of " + StaffState.editing_name,
        "What the school keeps about this member of staff. Leave a field empty to clear it.",
        select_field("Department", "department", StaffState.department_choices, default_value=values["department"], error=errors.get("department", "")),
        form_field("Job title", "job_title", required=False, default_value=values["job_title"], error=errors.get("job_title", "")),
        form_field(
            "Employee number", "employee_number", required=False, default_value=values["employee_number"],
            error=errors.get("employee_number", ""),
        ),
        form_field(
            "Phone", "phone", type_="tel", required=False, placeholder="+263 77 123 4567", default_value=values["phone"],
            error=errors.get("phone", ""),
        ),
        submit_label="Save profile",
        on_submit=StaffState.save_profile,
        open=StaffState.editor_open,
        on_open_change=StaffState.set_editor_open,
        error=errors.get("form", ""),
    )


@signed_in_page(routes.ADMIN_STAFF, "Staff", permission="users.read", on_load=StaffState.load_staff)
def admin_staff() -> rx.Component:
    return rx.vstack(
        toolbar(
            search_input(StaffState.search, StaffState.set_search, placeholder="Name, email or employee no.", label="Search staff"),
            rx.spacer(),
            export_buttons(StaffState),
        ),
        data_table(
            ["Name", "Job title", "Department", "Subjects", "Phone", "Employee no.", "Actions"],
            StaffState.rows,
            staff_row,
            empty=staff_empty(),
            label="Staff",
        ),
        list_footer(StaffState.total, "people", StaffState.page, StaffState.page_count, StaffState.previous_page, StaffState.next_page),
        staff_dialog(),
        spacing="4",
        width="100%",
    )


# --- guardians ------------------------------------------------------------------------------


def child_link(child: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.link(child["name"], href=child["href"]),
        rx.text("(", child["relationship"], ")", size="1", color="var(--gray-11)"),
        spacing="1",
        align="baseline",
    )


def guardian_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["full_name"]),
        rx.table.cell(row["phone"], white_space="nowrap"),
        rx.table.cell(muted(row["email"])),
        rx.table.cell(row["preference"]),
        rx.table.cell(
            rx.vstack(rx.foreach(row["children"].to(list[dict[str, str]]), child_link), spacing="1"),
        ),
        align="center",
    )


def guardians_empty() -> rx.Component:
    return rx.cond(
        GuardiansState.search != "",
        empty_state("search-x", "No guardians match", "Search by the guardian's name or phone number."),
        empty_state("users-round", "No guardians yet", "Guardians are added with their children when students are admitted."),
    )


@signed_in_page(routes.ADMIN_GUARDIANS, "Guardians", permission="users.read", on_load=GuardiansState.load_guardians)
def admin_guardians() -> rx.Component:
    return rx.vstack(
        toolbar(
            search_input(
                GuardiansState.search, GuardiansState.set_search, placeholder="Search by name or phone", label="Search guardians"
            ),
            rx.spacer(),
            export_buttons(GuardiansState),
        ),
        data_table(
            ["Guardian", "Phone", "Email", "Contact by", "Children"],
            GuardiansState.rows,
            guardian_row,
            empty=guardians_empty(),
            label="Guardians",
        ),
        list_footer(
            GuardiansState.total, "guardians", GuardiansState.page, GuardiansState.page_count,
            GuardiansState.previous_page, GuardiansState.next_page,
        ),
        spacing="4",
        width="100%",
    )
