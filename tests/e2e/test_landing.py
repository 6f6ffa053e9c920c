"""Each school at its own subdomain, the platform at the root, and unknown addresses refused."""

import time

import pytest
from playwright.sync_api import Page, expect

from oneclass.observability import POOL_REFRESH_SECONDS
from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e


def test_each_school_shows_its_name_in_the_same_browser(running_app: RunningApp, page: Page) -> None:
    page.goto(running_app.url("harare-primary"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Harare Primary")
    expect(page.get_by_text("Primary school")).to_be_visible()
    page.goto(running_app.url("bulawayo-high"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bulawayo High")
    expect(page.get_by_text("Secondary school")).to_be_visible()
    expect(page.get_by_text("Harare Primary")).to_have_count(0)


def test_unknown_subdomain_shows_not_found(running_app: RunningApp, page: Page) -> None:
    page.goto(running_app.url("no-such-school"))
    expect(page.get_by_role("heading", level=1)).to_have_text("School not found")
    expect(page.get_by_text("We could not find a school at this address")).to_be_visible()


def test_root_domain_shows_the_platform_landing(running_app: RunningApp, page: Page) -> None:
    page.goto(running_app.url())
    expect(page.get_by_role("heading", level=1)).to_have_text("OneClass")
    expect(page.get_by_text("The school platform for Zimbabwe")).to_be_visible()


def test_phone_width_layout_has_a_menu(running_app: RunningApp, page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(running_app.url("harare-primary"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Harare Primary")
    page.get_by_role("button", name="Open navigation menu").click()
    expect(page.get_by_role("link", name="Home")).to_be_visible()


FETCH_JSON = "async (path) => { const r = await fetch(path); return [r.status, await r.json()]; }"


def test_api_on_the_running_app_resolves_the_school(running_app: RunningApp, page: Page) -> None:
    # Fetched by the browser itself: Chromium resolves *.localhost to loopback.
    page.goto(running_app.url("bulawayo-high"))
    status, body = page.evaluate(FETCH_JSON, "/api/v1/school")
    assert (status, body["data"]["name"]) == (200, "Bulawayo High")
    page.goto(running_app.url("no-such-school"))
    status, body = page.evaluate(FETCH_JSON, "/api/v1/school")
    assert (status, body["error"]["code"]) == (404, "NOT_FOUND")


def test_metrics_count_and_time_websocket_events_by_handler(running_app: RunningApp, page: Page) -> None:
    """Whichever web worker answers `/metrics`, it reports the events every worker handled."""
    page.goto(running_app.url("harare-primary"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Harare Primary")
    metrics = page.request.get(running_app.url("", "/metrics")).text()
    assert 'oneclass_websocket_events_total{handler="check_session"}' in metrics
    assert 'oneclass_websocket_event_duration_seconds_count{handler="check_session"}' in metrics
    # Each worker writes its pools' figures down every POOL_REFRESH_SECONDS.
    deadline = time.monotonic() + 10 * POOL_REFRESH_SECONDS
    while 'oneclass_db_pool_connections_in_use{pool="app"}' not in metrics and time.monotonic() < deadline:
        time.sleep(POOL_REFRESH_SECONDS / 4)
        metrics = page.request.get(running_app.url("", "/metrics")).text()
    assert 'oneclass_db_pool_connections_in_use{pool="app"}' in metrics
