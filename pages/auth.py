"""Signing in, passwords and the second factor."""

import reflex as rx

from components import app_shell, form_error, form_field, form_notice, narrow_card, not_found_state, submit_button
from components.i18n import labelled_language_picker, t, t_format
from oneclass import routes
from pages.guard import signed_in_page
from state.account import AccountState
from state.auth import AuthState


def login_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_error(AuthState.login_error),
            form_field(t("Email"), "email", type_="email", auto_complete="username", placeholder="you@school.test"),
            form_field(t("Password"), "password", type_="password", auto_complete="current-password"),
            rx.cond(
                AuthState.needs_totp,
                form_field(t("Authentication code"), "totp_code", auto_complete="one-time-code", placeholder="123456"),
            ),
            submit_button(t("Sign in")),
            spacing="4",
            width="100%",
        ),
        on_submit=AuthState.sign_in,
        width="100%",
    )


def login_card() -> rx.Component:
    return narrow_card(
        rx.heading(
            rx.cond(AuthState.is_school, t_format("Sign in to {school}", school=AuthState.school_name), t("Platform administration")),
            as_="h2",
            size="5",
        ),
        login_form(),
        rx.divider(),
        labelled_language_picker("login-language"),
    )


@rx.page(route=routes.LOGIN, title="Sign in · OneClass", on_load=[AuthState.apply_language_query, AuthState.open_login])
def login() -> rx.Component:
    return app_shell(
        "Sign in",
        rx.cond(
            AuthState.host_kind == "unknown",
            not_found_state(),
            rx.cond(AuthState.school_suspended, rx.callout(
                t("This school's account is suspended. Contact the platform administrator."),
                icon="triangle-alert", color_scheme="amber", role="alert",
            ), login_card()),
        ),
    )


@signed_in_page(routes.CHANGE_PASSWORD, "Change password")
def change_password() -> rx.Component:
    return narrow_card(
        rx.form(
            rx.vstack(
                form_error(AccountState.password_error),
                form_notice(AccountState.password_notice),
                form_field(t("Current password"), "current_password", type_="password", auto_complete="current-password"),
                form_field(t("New password"), "new_password", type_="password", auto_complete="new-password"),
                form_field(t("Repeat new password"), "confirm_password", type_="password", auto_complete="new-password"),
                rx.text(t("At least 10 characters; not a common password."), size="1", color="var(--gray-11)"),
                submit_button(t("Change password")),
                spacing="4",
                width="100%",
            ),
            on_submit=AccountState.change_password,
            reset_on_submit=True,
            width="100%",
        ),
    )


@rx.page(route=routes.RESET_PASSWORD, title="Set a new password · OneClass", on_load=[AccountState.apply_language_query, AccountState.open_reset])
def reset_password() -> rx.Component:
    return app_shell(
        "Set a new password",
        narrow_card(
            rx.cond(
                AccountState.reset_done,
                rx.vstack(
                    rx.text(t("Your new password is set.")),
                    rx.link(rx.button(t("Go to sign in"), size="3"), href=routes.LOGIN),
                ),
                rx.form(
                    rx.vstack(
                        form_error(AccountState.reset_error),
                        form_field(t("New password"), "new_password", type_="password", auto_complete="new-password"),
                        form_field(t("Repeat new password"), "confirm_password", type_="password", auto_complete="new-password"),
                        submit_button(t("Set password")),
                        spacing="4",
                        width="100%",
                    ),
                    on_submit=AccountState.reset_password,
                    width="100%",
                ),
            ),
        ),
    )


def recovery_codes_list() -> rx.Component:
    return rx.cond(
        AccountState.recovery_codes.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text(t("Recovery codes: each works once if you lose your phone. Keep them somewhere safe; they are not shown again.")),
                rx.hstack(
                    rx.foreach(AccountState.recovery_codes, lambda code: rx.code(code, size="3")),
                    wrap="wrap",
                    spacing="2",
                ),
            ),
            icon="key-round",
            color_scheme="green",
        ),
    )


def totp_code_form(label: rx.Var | str, handler: rx.EventHandler, *fields: rx.Component) -> rx.Component:
    return rx.form(
        rx.vstack(
            form_field(t("Authentication code"), "code", auto_complete="one-time-code", placeholder="123456"),
            *fields,
            submit_button(label),
            spacing="3",
            width="100%",
        ),
        on_submit=handler,
        reset_on_submit=True,
        width="100%",
    )


def replacement_proof() -> rx.Component:
    """Moving to a new app asks who is asking: a stolen session alone must not be enough."""
    return rx.vstack(
        rx.text(t("To prove it is you, also enter a code from your current app (or a recovery code), or your password.")),
        form_field(t("Code from your current app"), "current_code", auto_complete="off", placeholder="123456", required=False),
        form_field(t("Or your password"), "current_password", type_="password", auto_complete="current-password", required=False),
        spacing="3",
        width="100%",
    )


def totp_enrolment() -> rx.Component:
    return rx.cond(
        AccountState.totp_qr != "",
        rx.vstack(
            rx.text(t("Scan this code with an authenticator app, then enter the 6-digit code it shows.")),
            rx.image(src=AccountState.totp_qr, alt=t("QR code for your authenticator app"), width="200px", height="200px"),
            rx.text(t("Or type this key:"), " ", rx.code(AccountState.totp_secret_display), size="2"),
            rx.cond(
                AccountState.totp_on,
                totp_code_form(t("Move two-step sign-in to this app"), AccountState.confirm_totp, replacement_proof()),
                totp_code_form(t("Turn on two-step sign-in"), AccountState.confirm_totp),
            ),
            spacing="3",
            width="100%",
        ),
        rx.button(
            rx.cond(AccountState.totp_on, t("Move to a new authenticator app"), t("Set up two-step sign-in")),
            size="3",
            variant=rx.cond(AccountState.totp_on, "soft", "solid"),
            on_click=AccountState.start_totp,
        ),
    )


@signed_in_page(routes.ACCOUNT_SECURITY, "Sign-in security", on_load=AccountState.load_security)
def account_security() -> rx.Component:
    return narrow_card(
        rx.heading(t("Two-step sign-in"), as_="h2", size="5"),
        rx.cond(
            AuthState.must_enrol_totp,
            rx.callout(t("Your school requires administrators to use two-step sign-in."), icon="shield-alert", color_scheme="amber"),
        ),
        form_error(AccountState.totp_error),
        recovery_codes_list(),
        rx.cond(
            AccountState.totp_on,
            rx.vstack(
                rx.badge(t("On"), color_scheme="green", size="2"),
                rx.cond(  # hidden while moving to a new app: one code field on the page at a time
                    AccountState.totp_qr == "",
                    rx.vstack(
                        rx.text(t("To turn it off, enter a current code.")),
                        totp_code_form(t("Turn off two-step sign-in"), AccountState.turn_off_totp),
                        rx.divider(),
                        width="100%",
                    ),
                ),
                totp_enrolment(),
                width="100%",
            ),
            totp_enrolment(),
        ),
    )
