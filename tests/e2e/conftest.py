"""The real app (`oneclass run`, production build) on its own database, driven by Chromium.

Chromium is the system one (`/usr/bin/chromium`): test tools may not download browsers here.
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from oneclass.settings import PROJECT_ROOT
from tests.conftest import ServerUrls, create_database, drop_database

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
APP_START_TIMEOUT = 900  # the first start builds the frontend (bun install + vite build)


class RunningApp:
    def __init__(self, port: int) -> None:
        self.port = port

    def url(self, subdomain: str = "", path: str = "/") -> str:
        host = f"{subdomain}.localhost" if subdomain else "localhost"
        return f"http://{host}:{self.port}{path}"

    def at(self, subdomain: str, path: str) -> re.Pattern[str]:
        """The page's address, with or without the trailing slash the static build adds."""
        return re.compile("^" + re.escape(self.url(subdomain, path.rstrip("/"))) + r"/?$")


def _wait_until_serving(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + APP_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oneclass run exited with {process.returncode}; see {log}")
        try:
            health = httpx.get(f"http://localhost:{port}/health", timeout=2)
            page = httpx.get(f"http://localhost:{port}/", timeout=2)
            if health.status_code == 200 and page.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"oneclass run did not serve within {APP_START_TIMEOUT}s; see {log}")


@pytest.fixture(scope="session")
def running_app(servers: ServerUrls, artifacts_dir: Path) -> Iterator[RunningApp]:
    """`oneclass run` against an empty database: it migrates, seeds the demo data and serves."""
    port = int(os.environ.get("E2E_PORT", "3000"))
    database_url = create_database(servers, "oneclass_e2e")
    log = artifacts_dir / "e2e-app.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": servers.redis_url,
        "CACHE_PREFIX": f"oneclass-e2e-{uuid.uuid4().hex[:8]}",
        "FRONTEND_PORT": str(port),
        "BACKEND_PORT": str(port),
        "ENVIRONMENT": "development",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "oneclass", "run"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_serving(process, port, log)
            yield RunningApp(port)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
            drop_database(servers, database_url)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = PROJECT_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest, artifacts_dir: Path) -> Iterator[Page]:
    """One browser context per test; a screenshot is saved when the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        page.screenshot(path=str(artifacts_dir / f"{request.node.name}.png"), full_page=True)
    context.close()


DEMO_PASSWORD = "oneclass-demo"


def sign_in(page: Page, app: RunningApp, subdomain: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form as a person would (subdomain "" is the root domain)."""
    page.goto(app.url(subdomain, "/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
