"""Discounts and bursaries: today's term's discounts, bursaries and sponsorships of students'
tuition, with a form to add one, and the school's sponsors, with a form to add one. Invoicing
applies them; what is already issued stays as it is (the page says so)."""

import reflex as rx

from components import data_table, empty_state, form_error, form_field, form_notice, select_field
from components.i18n import t
from oneclass import routes
from oneclass.services.fee_adjustments import KIND_LABELS, SPONSOR_KIND_LABELS
from pages.guard import signed_in_page
from state.fee_adjustments import AdjustmentsState

CURRENCIES = {"USD": "USD", "ZWG": "ZWG"}


def kind_text(kind: rx.Var) -> rx.Var:
    return rx.match(kind, ("bursary", t("Bursary")), ("sponsorship", t("Sponsorship")), t("Discount"))


def sponsor_kind_text(kind: rx.Var) -> rx.Var:
    return rx.match(kind, ("government", t("Government (BEAM)")), ("church", t("Church")), ("company", t("Company")), t("Other"))


def adjustment_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["student"], " · ", row["admission_number"]),
        rx.table.cell(kind_text(row["kind"])),
        rx.table.cell(row["size"], white_space="nowrap"),
        rx.table.cell(row["reason"]),
        rx.table.cell(row["sponsor"]),
    )


def adjustment_form() -> rx.Component:
    errors = AdjustmentsState.errors
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(t("Add a discount, bursary or sponsorship"), as_="h3", size="4"),
                form_error(errors.get("form", "")),
                rx.hstack(
                    form_field(t("Admission number"), "admission_number", error=errors.get("admission_number", "")),
                    select_field(t("Kind"), "kind", KIND_LABELS, default_value="discount", error=errors.get("kind", "")),
                    select_field(t("Sponsor"), "sponsor", AdjustmentsState.sponsor_choices, default_value="none", translate=False, error=errors.get("sponsor", "")),
                    spacing="3", width="100%", wrap="wrap",
                ),
                rx.hstack(
                    form_field(t("Percent"), "percent", required=False, placeholder="25", error=errors.get("percent", "")),
                    form_field(t("or amount"), "amount", required=False, placeholder="15.00", error=errors.get("amount", "")),
                    select_field(t("Currency"), "currency", CURRENCIES, default_value="USD", translate=False, error=errors.get("currency", "")),
                    spacing="3", width="100%", wrap="wrap",
                ),
                form_field(t("Reason"), "reason", error=errors.get("reason", "")),
                rx.button(t("Add"), type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=AdjustmentsState.add_adjustment,
            reset_on_submit=True,
        ),
    )


def sponsor_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["name"]),
        rx.table.cell(sponsor_kind_text(row["kind"])),
        rx.table.cell(row["students"], text_align="right"),
    )


def sponsor_form() -> rx.Component:
    errors = AdjustmentsState.sponsor_errors
    return rx.form(
        rx.hstack(
            form_field(t("Sponsor's name"), "name", error=errors.get("name", "")),
            select_field(t("Kind of sponsor"), "kind", SPONSOR_KIND_LABELS, default_value="other", error=errors.get("kind", "")),
            rx.button(t("Add sponsor"), type="submit"),
            spacing="3",
            align="end",
            wrap="wrap",
        ),
        on_submit=AdjustmentsState.add_sponsor,
        reset_on_submit=True,
    )


@signed_in_page(routes.FEE_ADJUSTMENTS, "Discounts and bursaries", permission="fees.manage", on_load=AdjustmentsState.load_adjustments)
def fee_adjustments() -> rx.Component:
    return rx.vstack(
        rx.heading(AdjustmentsState.term, as_="h2", size="5"),
        form_notice(t("Invoicing applies these to the invoices it issues; invoices already issued stay as they are.")),
        data_table(
            [t("Student"), t("Kind"), t("Size"), t("Reason"), t("Sponsor")],
            AdjustmentsState.adjustments,
            adjustment_row,
            empty=empty_state("badge-percent", t("No discounts or bursaries this term"), t("Add one with the form below.")),
            label=t("Discounts and bursaries"),
        ),
        adjustment_form(),
        rx.heading(t("Sponsors"), as_="h2", size="5"),
        data_table(
            [t("Sponsor"), t("Kind of sponsor"), t("Students")],
            AdjustmentsState.sponsors,
            sponsor_row,
            empty=empty_state("hand-heart", t("No sponsors yet"), t("A sponsor (BEAM, a church, a company) pays part of a student's fees.")),
            label=t("Sponsors"),
        ),
        sponsor_form(),
        spacing="4",
        width="100%",
    )
