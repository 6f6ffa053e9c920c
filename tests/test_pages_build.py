"""Every page builds: a page that names a state var or handler that is not there fails here, in
the fast suite, rather than when `oneclass run` compiles the app."""

import pytest
import reflex as rx
from reflex_base.registry import RegistrationContext

import pages  # noqa: F401  (registers every page)

PAGES = [(kwargs["route"], render) for render, kwargs in RegistrationContext.ensure_context().decorated_pages]


def test_the_pages_are_found() -> None:
    assert len(PAGES) > 20


@pytest.mark.parametrize(("route", "render"), PAGES, ids=[route for route, _ in PAGES])
def test_page_builds(route: str, render) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(render(), rx.Component), route
