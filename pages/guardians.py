"""The school admin's guardians with their children: searched by name or phone, exported."""

import reflex as rx

from components import data_table, empty_state, export_buttons, list_footer, search_input
from components.i18n import t, t_format
from components.records import muted, toolbar
from oneclass import routes
from pages.guard import signed_in_page
from state.guardians import GuardiansState


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
        empty_state("search-x", t("No guardians match"), t("Search by the guardian's name or phone number.")),
        empty_state("users-round", t("No guardians yet"), t("Guardians are added with their children when students are admitted.")),
    )


@signed_in_page(routes.ADMIN_GUARDIANS, "Guardians", permission="users.read", on_load=GuardiansState.load_guardians)
def admin_guardians() -> rx.Component:
    return rx.vstack(
        toolbar(
            search_input(
                GuardiansState.search, GuardiansState.set_search, placeholder=t("Search by name or phone"), label=t("Search guardians")
            ),
            rx.spacer(),
            export_buttons(GuardiansState),
        ),
        data_table(
            [t("Guardian"), t("Phone"), t("Email"), t("Contact by"), t("Children")],
            GuardiansState.rows,
            guardian_row,
            empty=guardians_empty(),
            label=t("Guardians"),
        ),
        list_footer(
            GuardiansState.total, t("guardians"), GuardiansState.page, GuardiansState.page_count,
            GuardiansState.previous_page, GuardiansState.next_page,
            summary=t_format("{count} guardians", count=GuardiansState.total),
        ),
        spacing="4",
        width="100%",
    )
