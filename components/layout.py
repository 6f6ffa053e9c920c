"""The app shell: top bar with the school's name and logo area, a sidebar, the page title."""

import reflex as rx

from components.i18n import document_language, language_picker, t
from oneclass import routes
from state.auth import AuthState


def nav_link(label: str | rx.Var, href: str | rx.Var, icon: str | rx.Var) -> rx.Component:
    """A link of the navigation; `label` is shown as given (`t(item["label"])`)."""
    return rx.link(
        rx.hstack(rx.icon(icon, size=18, aria_hidden="true"), rx.text(label), spacing="2", align="center"),
        href=href,
        underline="none",
        padding_x="var(--space-3)",
        padding_y="var(--space-2)",
        border_radius="var(--radius-2)",
        width="100%",
        _hover={"background": "var(--accent-3)"},
    )


def nav_menu() -> rx.Component:
    return rx.vstack(
        rx.cond(
            AuthState.is_signed_in,
            rx.foreach(AuthState.nav_items, lambda item: nav_link(t(item["label"]), item["href"], item["icon"])),
            rx.fragment(nav_link(t("Home"), routes.HOME, "house"), nav_link(t("Sign in"), routes.LOGIN, "log-in")),
        ),
        spacing="1",
        width="100%",
    )


def user_menu() -> rx.Component:
    """Who is signed in, and the way out."""
    return rx.cond(
        AuthState.is_signed_in,
        rx.hstack(
            rx.vstack(
                rx.text(AuthState.user_name, size="2", weight="medium"),
                rx.text(t(AuthState.role_label), size="1", color="var(--gray-11)"),
                spacing="0",
                align="end",
                display=["none", "none", "flex"],
            ),
            rx.button(
                rx.icon("log-out", size=16, aria_hidden="true"),
                t("Sign out"),
                variant="soft",
                on_click=AuthState.sign_out,
            ),
            spacing="3",
            align="center",
        ),
    )


def brand() -> rx.Component:
    """The logo area and the name of the school (or of the platform at the root domain)."""
    return rx.hstack(
        rx.center(
            rx.icon("graduation-cap", size=20, color="white", aria_hidden="true"),
            background="var(--accent-9)",
            border_radius="var(--radius-3)",
            width="36px",
            height="36px",
        ),
        rx.text(
            rx.cond(AuthState.is_school, AuthState.school_name, "OneClass"),
            weight="bold",
            size="4",
        ),
        spacing="3",
        align="center",
    )


def mobile_menu() -> rx.Component:
    return rx.drawer.root(
        rx.drawer.trigger(
            rx.icon_button(rx.icon("menu"), variant="ghost", aria_label=t("Open navigation menu"))
        ),
        rx.drawer.overlay(),
        rx.drawer.portal(
            rx.drawer.content(
                rx.vstack(
                    rx.drawer.close(
                        rx.icon_button(rx.icon("x"), variant="ghost", aria_label=t("Close navigation menu"))
                    ),
                    nav_menu(),
                    padding="var(--space-4)",
                    spacing="3",
                ),
                background="var(--color-panel-solid)",
                width="16em",
                height="100%",
            )
        ),
        direction="left",
    )


def top_bar() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.mobile_only(mobile_menu()),
            brand(),
            rx.spacer(),
            language_picker(),
            user_menu(),
            align="center",
            spacing="3",
            padding_x="var(--space-4)",
            height="56px",
            width="100%",
        ),
        border_bottom="1px solid var(--gray-5)",
        background="var(--color-panel-solid)",
        width="100%",
    )


def sidebar() -> rx.Component:
    return rx.tablet_and_desktop(
        rx.box(
            rx.el.nav(nav_menu(), aria_label=t("Main")),
            width="14em",
            padding="var(--space-3)",
            border_right="1px solid var(--gray-5)",
            min_height="calc(100vh - 56px)",
        )
    )


def app_shell(title: rx.Var | str, *children: rx.Component) -> rx.Component:
    """Wrap a page: header, navigation, the page title as the one h1, then its content. A str
    title is a message (English) shown in the reader's language; a Var (a name) is shown as is."""
    heading = t(title) if isinstance(title, str) else title
    return rx.box(
        document_language(title if isinstance(title, str) else ""),
        top_bar(),
        rx.hstack(
            sidebar(),
            rx.el.main(
                rx.heading(heading, as_="h1", size="7", margin_bottom="var(--space-4)"),
                *children,
                id="main",
                padding=["var(--space-4)", "var(--space-4)", "var(--space-6)"],
                width="100%",
                max_width="72em",
            ),
            spacing="0",
            align="start",
            width="100%",
        ),
        min_height="100vh",
        background="var(--gray-2)",
    )
