"""The school admin's teachers and staff with their profiles: searched, exported, edited."""

import reflex as rx

from components import data_table, empty_state, export_buttons, form_dialog, form_error, form_field, list_footer, search_input, select_field
from components.i18n import t, t_format
from components.records import muted, row_button, toolbar
from oneclass import routes
from pages.guard import signed_in_page
from state.staff import StaffState


def staff_row(row: rx.Var) -> rx.Component:
    name = row["full_name"].to(str)
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(rx.text(name, weight="medium"), rx.text(row["email"], size="1", color="var(--gray-11)"), spacing="0")
        ),
        rx.table.cell(rx.cond(row["job_title"] != "", row["job_title"], t(row["role_label"]))),
        rx.table.cell(muted(row["department"])),
        rx.table.cell(muted(row["subjects"]), max_width="16em"),
        rx.table.cell(muted(row["phone"]), white_space="nowrap"),
        rx.table.cell(muted(row["employee_number"])),
        rx.table.cell(row_button(t("Edit"), name, StaffState.open_edit(row["id"]))),
        align="center",
    )


def staff_empty() -> rx.Component:
    return rx.cond(
        StaffState.search != "",
        empty_state("search-x", t("Nobody matches"), t("Try another name, email or employee number.")),
        empty_state(
            "briefcase", t("No teachers or staff yet"), t("Add them as users with the role Teacher or Staff."),
            rx.link(rx.button(t("Go to Users"), variant="soft"), href=routes.ADMIN_USERS),
        ),
    )


def staff_dialog() -> rx.Component:
    errors, values = StaffState.errors, StaffState.form_values
    return form_dialog(
        t_format("Profile of {name}", name=StaffState.editing_name),
        t("What the school keeps about this member of staff. Leave a field empty to clear it."),
        select_field(
            t("Department"), "department", StaffState.department_choices, default_value=values["department"],
            error=errors.get("department", ""),
        ),
        form_field(t("Job title"), "job_title", required=False, default_value=values["job_title"], error=errors.get("job_title", "")),
        form_field(
            t("Employee number"), "employee_number", required=False, default_value=values["employee_number"],
            error=errors.get("employee_number", ""),
        ),
        form_field(
            t("Phone"), "phone", type_="tel", required=False, placeholder="+263 77 123 4567", default_value=values["phone"],
            error=errors.get("phone", ""),
        ),
        rx.cond(
            values["is_staff"] != "",
            rx.vstack(
                rx.checkbox(
                    t("Bursar duty: fees, the cashier and arrears"), name="bursar", default_checked=values["bursar"] != "",
                    aria_label=t("Bursar duty: fees, the cashier and arrears"),
                ),
                form_error(errors.get("bursar", "")),
                spacing="1",
            ),
        ),
        submit_label=t("Save profile"),
        on_submit=StaffState.save_profile,
        open=StaffState.editor_open,
        on_open_change=StaffState.set_editor_open,
        error=errors.get("form", ""),
    )


@signed_in_page(routes.ADMIN_STAFF, "Staff", permission="users.read", on_load=StaffState.load_staff)
def admin_staff() -> rx.Component:
    return rx.vstack(
        toolbar(
            search_input(
                StaffState.search, StaffState.set_search, placeholder=t("Name, email or employee no."), label=t("Search staff")
            ),
            rx.spacer(),
            export_buttons(StaffState),
        ),
        data_table(
            [t("Name"), t("Job title"), t("Department"), t("Subjects"), t("Phone"), t("Employee no."), t("Actions")],
            StaffState.rows,
            staff_row,
            empty=staff_empty(),
            label=t("Staff"),
        ),
        list_footer(
            StaffState.total, "", StaffState.page, StaffState.page_count, StaffState.previous_page, StaffState.next_page,
            summary=t_format("{count} people", count=StaffState.total),
        ),
        staff_dialog(),
        spacing="4",
        width="100%",
    )
