"""The app shell: top bar with the school's name and logo area, a sidebar, the page title."""

import reflex as rx

from components.i18n import document_language, language_picker, t, t_format
from oneclass import routes
from state.auth import AuthState
from state.messages import UNREAD_POLL_SECONDS, UnreadState

MAIN_CONTENT_ID = "main-content"


def unread_badge(href: str | rx.Var) -> rx.Component:
    """Beside the Messages link: how many messages wait unread (named for screen readers)."""
    return rx.cond(
        (href == routes.MESSAGES) & (UnreadState.unread > 0),
        rx.badge(UnreadState.unread, color_scheme="red", variant="solid", radius="full", class_name="unread-count",
                 role="status", aria_label=t_format("{count} unread", count=UnreadState.unread)),
    )


def unread_poller() -> rx.Component:
    """Asks for the unread count when a page mounts, then every UNREAD_POLL_SECONDS while the tab
    is visible: a hidden button the browser's timer clicks (one timer per tab, however often a
    page mounts), so a poll is an ordinary event of this tab."""
    start_timer = (
        "if (!window.oneclassUnreadTimer) { window.oneclassUnreadTimer = setInterval(() => {"
        " if (!document.hidden) { document.getElementById('unread-poll')?.click(); } }"
        f", {UNREAD_POLL_SECONDS * 1000}); }}"
    )
    return rx.cond(
        AuthState.is_signed_in,
        rx.el.button(
            id="unread-poll",
            type="button",
            hidden=True,
            tab_index=-1,
            aria_hidden="true",
            on_click=UnreadState.poll_unread,
            on_mount=[UnreadState.refresh_unread, rx.call_script(start_timer)],
        ),
    )


def nav_link(label: str | rx.Var, href: str | rx.Var, icon: str | rx.Var) -> rx.Component:
    """A link of the navigation; `label` is shown as given (`t(item["label"])`)."""
    return rx.link(
        rx.hstack(rx.icon(icon, size=18, aria_hidden="true"), rx.text(label), unread_badge(href), spacing="2", align="center"),
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


def skip_link() -> rx.Component:
    """The first thing Tab reaches on every page: past the header and the navigation to the page's
    own content (WCAG 2.4.1); shown only while it has the focus (assets/theme.css). It moves the
    focus itself: a bare "#" link would leave the keyboard where it was in some browsers."""
    return rx.el.a(
        t("Skip to main content"),
        href=f"#{MAIN_CONTENT_ID}",
        class_name="skip-link",
        on_click=[rx.prevent_default, rx.call_script(f"document.getElementById('{MAIN_CONTENT_ID}').focus()")],
    )


def app_shell(title: rx.Var | str, *children: rx.Component) -> rx.Component:
    """Wrap a page: header, navigation, the page title as the one h1, then its content. A str
    title is a message (English) shown in the reader's language; a Var (a name) is shown as is."""
    heading = t(title) if isinstance(title, str) else title
    return rx.box(
        document_language(title if isinstance(title, str) else ""),
        skip_link(),
        unread_poller(),
        top_bar(),
        rx.hstack(
            sidebar(),
            rx.el.main(
                rx.heading(heading, as_="h1", size="7", margin_bottom="var(--space-4)"),
                *children,
                id=MAIN_CONTENT_ID,
                tab_index=-1,  # the skip link's target takes the focus
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
