"""`signed_in_page`: register a page that only a signed-in user with a permission may open."""

from collections.abc import Callable

import reflex as rx

from components import app_shell, loading_state, not_found_state
from state.auth import AuthState


def signed_in_page(
    route: str,
    title: str,
    permission: str = "",
    on_load: rx.event.EventType[()] | list[rx.event.EventType[()]] | None = None,
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """The guard runs first on load; the page's own loader (which re-checks the user) after it."""

    def register(content: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def page() -> rx.Component:
            return rx.cond(
                AuthState.host_kind == "unknown",
                app_shell("School not found", not_found_state()),
                rx.cond(AuthState.is_signed_in, app_shell(title, content()), loading_state()),
            )

        page.__name__ = content.__name__
        loaders = on_load if isinstance(on_load, list) else [on_load] if on_load is not None else []
        events = [AuthState.apply_language_query, AuthState.guard(permission), *loaders]
        rx.page(route=route, title=f"{title} · OneClass", on_load=events)(page)
        return content

    return register
