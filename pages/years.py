"""The school admin's years and terms: each year's dates and its three terms, a new year, and
which year is the current one."""

import reflex as rx

from components import confirm_dialog, data_table, empty_state, filter_select, form_dialog, form_field, select_field
from components.i18n import t, t_format
from components.records import action_button, row_button, toolbar
from oneclass import routes
from pages.guard import signed_in_page
from state.years import CLOSURE_KINDS, TERMS, ClosureDaysState, YearsState


def field_pair(*fields: rx.Component, error: rx.Var | str = "") -> rx.Component:
    """Two fields side by side (a start and an end date), with one message for the pair."""
    return rx.vstack(
        rx.grid(*fields, columns="2", spacing="3", width="100%"),
        rx.cond(error != "", rx.text(error, color="var(--red-11)", size="2", role="alert")),
        spacing="1",
        width="100%",
    )


def year_row(year: rx.Var) -> rx.Component:
    name = year["name"].to(str)
    return rx.table.row(
        rx.table.row_header_cell(name),
        rx.table.cell(t_format("{start} to {end}", start=year["starts_on"], end=year["ends_on"]), white_space="nowrap"),
        rx.table.cell(rx.vstack(rx.foreach(year["terms"].to(list[str]), lambda term: rx.text(term, size="2")), spacing="1")),
        rx.table.cell(
            rx.cond(
                year["is_current"],
                rx.badge(t("Current"), color_scheme="green"),
                row_button(t("Make current"), name, YearsState.ask_make_current(year["id"], name)),
            )
        ),
        align="center",
    )


def new_year_dialog() -> rx.Component:
    errors = YearsState.errors
    return form_dialog(
        t("New year"),
        t("A school year has three terms; use the dates gazetted for your school."),
        form_field(t("Name"), "name", placeholder="2027", error=errors.get("name", "")),
        field_pair(
            form_field(t("Year starts"), "starts_on", type_="date", error=errors.get("starts_on", "")),
            form_field(t("Year ends"), "ends_on", type_="date", error=errors.get("ends_on", "")),
        ),
        *[
            field_pair(
                form_field(t_format("Term {number} starts", number=n), f"term{n}_starts", type_="date"),
                form_field(t_format("Term {number} ends", number=n), f"term{n}_ends", type_="date"),
                error=errors.get(f"term{n}", ""),
            )
            for n in TERMS
        ],
        submit_label=t("Add year"),
        on_submit=YearsState.create_year,
        open=YearsState.editor_open,
        on_open_change=YearsState.set_editor_open,
        error=errors.get("form", ""),
        max_width="34em",
    )


def closure_row(closure: rx.Var) -> rx.Component:
    name = closure["name"].to(str)
    return rx.table.row(
        rx.table.row_header_cell(closure["day"], white_space="nowrap"),
        rx.table.cell(name),
        rx.table.cell(t(closure["kind_label"].to(str))),
        rx.table.cell(row_button(t("Remove"), name, ClosureDaysState.ask_remove_closure(closure["id"], name), color_scheme="red")),
        align="center",
    )


def new_closure_dialog() -> rx.Component:
    errors = ClosureDaysState.errors
    return form_dialog(
        t("Add a day the school is closed"),
        t("No register is taken on a public holiday or a closure day."),
        form_field(t("Date"), "day", type_="date", error=errors.get("day", "")),
        form_field(t("Name"), "name", placeholder=t("Sports day"), error=errors.get("name", "")),
        select_field(t("Kind"), "kind", CLOSURE_KINDS, default_value="closure", error=errors.get("kind", "")),
        submit_label=t("Add day"),
        on_submit=ClosureDaysState.add_closure,
        open=ClosureDaysState.editor_open,
        on_open_change=ClosureDaysState.set_editor_open,
        error=errors.get("form", ""),
    )


def closure_days() -> rx.Component:
    """The calendar year's holidays and closures, beside the years they fall in."""
    return rx.vstack(
        rx.heading(t("Public holidays and closure days"), as_="h2", size="5"),
        toolbar(
            rx.text(t("Calendar year"), weight="medium", size="2"),
            filter_select(
                ClosureDaysState.year_choices, label=t("Calendar year"), value=ClosureDaysState.closure_year,
                on_change=ClosureDaysState.choose_closure_year,
            ),
            rx.spacer(),
            action_button("calendar-x", t("Add closure day"), ClosureDaysState.open_new_closure),
        ),
        data_table(
            [t("Date"), t("Name"), t("Kind"), t("Actions")],
            ClosureDaysState.closures,
            closure_row,
            empty=empty_state("calendar-check", t("No holidays or closures"), t("Registers are taken on every weekday of this year's terms.")),
            label=t("Public holidays and closure days"),
        ),
        new_closure_dialog(),
        confirm_dialog(
            t_format("Remove {name}?", name=ClosureDaysState.confirm_name),
            t("Registers will be taken on that day again. You can add it back at any time."),
            confirm_label=t("Remove"),
            on_confirm=ClosureDaysState.remove_closure,
            open=ClosureDaysState.confirm_open,
            on_open_change=ClosureDaysState.set_confirm_open,
        ),
        spacing="4",
        width="100%",
    )


@signed_in_page(
    routes.ADMIN_YEARS, "Years and terms", permission="school.update", on_load=[YearsState.load_years, ClosureDaysState.load_closures]
)
def admin_years() -> rx.Component:
    return rx.vstack(
        toolbar(rx.spacer(), action_button("calendar-plus", t("New year"), YearsState.open_new_year)),
        data_table(
            [t("Year"), t("Dates"), t("Terms"), t("Status")],
            YearsState.years,
            year_row,
            empty=empty_state("calendar", t("No years yet"), t("Add the school year and its three terms to start.")),
            label=t("Years"),
        ),
        new_year_dialog(),
        confirm_dialog(
            t_format("Make {name} the current year?", name=YearsState.confirm_name),
            t("Classes, registers and reports will use this year from now on. You can switch back at any time."),
            confirm_label=t("Make current"),
            on_confirm=YearsState.make_current,
            open=YearsState.confirm_open,
            on_open_change=YearsState.set_confirm_open,
            color_scheme="teal",
        ),
        closure_days(),
        spacing="4",
        width="100%",
    )
