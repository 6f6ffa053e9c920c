"""The school settings page: what a school admin sets for their own school."""

import reflex as rx

from components.dialogs import confirm_dialog
from components.dropzone import file_dropzone
from components.forms import labelled
from components.i18n import t, t_format
from models import Currency
from oneclass import i18n, routes
from oneclass.services.school_settings import MAX_LOGO_BYTES
from pages.guard import signed_in_page
from state.school_settings import LOGO_UPLOAD_ID, SchoolSettingsState


def sign_in_security() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Sign-in security"), as_="h2", size="4"),
        rx.hstack(
            rx.switch(
                id="require-admin-mfa",
                checked=SchoolSettingsState.require_admin_mfa,
                on_change=SchoolSettingsState.set_require_admin_mfa,
            ),
            rx.el.label(t("Require two-step sign-in for administrators"), html_for="require-admin-mfa"),
            spacing="3",
            align="center",
        ),
        rx.text(
            t(
                "When this is on, every administrator must set up an authenticator app before they can use "
                "OneClass, including you."
            ),
            size="2",
            color="var(--gray-11)",
        ),
        spacing="3",
    )


def school_language() -> rx.Component:
    """The school's default language: each language named in itself, so anyone can find theirs."""
    return rx.vstack(
        rx.heading(t("Language"), as_="h2", size="4"),
        rx.el.label(t("The school's language"), html_for="school-language"),
        rx.select.root(
            rx.select.trigger(id="school-language"),
            rx.select.content(*[rx.select.item(name, value=code, lang=code) for code, name in i18n.LANGUAGES.items()]),
            value=SchoolSettingsState.language,
            on_change=SchoolSettingsState.set_school_language,
            size="3",
        ),
        rx.text(
            t("Everyone at the school sees OneClass in this language unless they choose another for themselves."),
            size="2",
            color="var(--gray-11)",
        ),
        spacing="3",
    )


def register_mode() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Registers"), as_="h2", size="4"),
        rx.hstack(
            rx.switch(
                id="registers-per-lesson",
                checked=SchoolSettingsState.registers_per_lesson,
                on_change=SchoolSettingsState.set_registers_per_lesson,
            ),
            rx.el.label(t("Take a register for each lesson"), html_for="registers-per-lesson"),
            spacing="3",
            align="center",
        ),
        rx.text(
            t(
                "Off: one register per class each day. On: one per lesson of the timetable, taken by the lesson's "
                "teacher (or the class teacher)."
            ),
            size="2",
            color="var(--gray-11)",
        ),
        spacing="3",
    )


def report_cards() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Report cards"), as_="h2", size="4"),
        rx.hstack(
            rx.switch(
                id="show-report-positions",
                checked=SchoolSettingsState.show_report_positions,
                on_change=SchoolSettingsState.set_show_report_positions,
            ),
            rx.el.label(t("Show class and level positions on report cards"), html_for="show-report-positions"),
            spacing="3",
            align="center",
        ),
        rx.text(
            t("A student's place in the class and among every stream of the level, by the average of their subjects."),
            size="2",
            color="var(--gray-11)",
        ),
        rx.heading(t("Logo"), as_="h3", size="3"),
        rx.cond(
            SchoolSettingsState.logo_src != "",
            rx.image(src=SchoolSettingsState.logo_src, alt=t("The school's logo"), height="4em", width="auto"),
            rx.text(t("No logo yet: report cards show the school's name alone."), size="2", color="var(--gray-11)"),
        ),
        file_dropzone(
            LOGO_UPLOAD_ID,
            accept={"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"]},
            max_size=MAX_LOGO_BYTES,
            hint=t_format("Drag the school's logo here, or click to choose it (PNG or JPEG, at most {size} MB).", size=MAX_LOGO_BYTES // (1024 * 1024)),
            on_drop_rejected=SchoolSettingsState.logo_rejected,
            icon="image-up",
        ),
        rx.button(
            rx.icon("upload", size=16, aria_hidden="true"), t("Upload logo"),
            type="button",
            variant="soft",
            disabled=rx.selected_files(LOGO_UPLOAD_ID).length() == 0,
            on_click=SchoolSettingsState.upload_logo(rx.upload_files(upload_id=LOGO_UPLOAD_ID)),
        ),
        spacing="3",
        width="100%",
    )


def paynow_form(currency: str) -> rx.Component:
    """One currency's Paynow integration. The key field is always empty: a saved key is never
    sent back, only the fact that one is set; leaving it blank keeps it."""
    key_set = SchoolSettingsState.paynow_keys_set[currency].to(bool)
    return rx.form(
        rx.vstack(
            rx.heading(currency, as_="h3", size="3"),
            rx.el.input(type="hidden", name="currency", value=currency),
            labelled(
                t("Integration ID"), f"paynow-id-{currency}",
                rx.input(id=f"paynow-id-{currency}", name="integration_id", default_value=SchoolSettingsState.paynow_ids[currency].to(str),
                         input_mode="numeric", auto_complete="off", width="100%", size="3"),
            ),
            labelled(
                t("Integration key"), f"paynow-key-{currency}",
                rx.input(id=f"paynow-key-{currency}", name="key", type="password", auto_complete="off", width="100%", size="3",
                         placeholder=rx.cond(key_set, t("A key is set: leave blank to keep it"), "")),
                SchoolSettingsState.paynow_errors[currency].to(str),
            ),
            rx.hstack(
                rx.button(t_format("Save {currency}", currency=currency), type="submit", variant="soft"),
                rx.cond(
                    key_set,
                    rx.button(t_format("Remove {currency}", currency=currency), type="button", variant="soft", color_scheme="red",
                              on_click=SchoolSettingsState.ask_remove_paynow(currency)),
                ),
                spacing="3",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=SchoolSettingsState.save_paynow,
        reset_on_submit=True,  # the key never stays in the page
        width="100%",
    )


def online_payment() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Online payment (Paynow)"), as_="h2", size="4"),
        rx.text(
            t("One Paynow integration per currency. Parents see “Pay online” only for invoices in a currency set up here."),
            size="2",
            color="var(--gray-11)",
        ),
        *[paynow_form(currency.value) for currency in Currency],
        confirm_dialog(
            t("Remove this Paynow integration?"),
            t_format("Parents can no longer pay {currency} invoices online. Payments already made stay recorded.", currency=SchoolSettingsState.confirm_name),
            confirm_label=t("Remove integration"),
            on_confirm=SchoolSettingsState.remove_paynow,
            open=SchoolSettingsState.confirm_open,
            on_open_change=SchoolSettingsState.set_confirm_open,
        ),
        spacing="3",
        width="100%",
    )


@signed_in_page(routes.ADMIN_SETTINGS, "School settings", permission="school.update", on_load=SchoolSettingsState.load_settings)
def admin_settings() -> rx.Component:
    return rx.card(
        rx.vstack(
            sign_in_security(), rx.separator(size="4"), school_language(), rx.separator(size="4"), register_mode(), rx.separator(size="4"),
            report_cards(), rx.separator(size="4"), online_payment(), spacing="5",
        ),
        max_width="40em",
    )
