"""The real app (`oneclass run`, production build) on its own database, driven by Chromium.

Chromium is the system one (`/usr/bin/chromium`): test tools may not download browsers here.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
import redis
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import create_engine
from sqlmodel import Session, select

from models import Role, School
from oneclass import db
from oneclass.services.users import create_user
from oneclass.settings import PROJECT_ROOT
from tests.conftest import ServerUrls, create_database, drop_database
from tests.fake_paynow import FakePaynow, running_fake_paynow

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
DEMO_PASSWORD = "oneclass-demo"  # every demo account's, and the accounts tests make
APP_START_TIMEOUT = 900  # the first start builds the frontend (bun install + vite build)


class RunningApp:
    def __init__(self, port: int, database_url: str, redis_url: str = "", cache_prefix: str = "") -> None:
        self.port = port
        self.database_url = database_url
        self.redis_url = redis_url
        self.cache_prefix = cache_prefix

    @contextmanager
    def set_up(self) -> Iterator[Session]:
        """A session on the app's database as the server's superuser, for a test's set-up. What it
        writes goes past the services' commit hook, so afterwards every result the app cached is
        made stale (its cache epoch moves on), as after a write the app made itself."""
        engine = create_engine(db.normalise_url(self.database_url))
        try:
            with Session(engine) as session:
                yield session
        finally:
            engine.dispose()
            if self.redis_url:
                client = redis.Redis.from_url(self.redis_url)
                client.incr(f"{self.cache_prefix}:epoch")
                client.close()

    def url(self, subdomain: str = "", path: str = "/") -> str:
        host = f"{subdomain}.localhost" if subdomain else "localhost"
        return f"http://{host}:{self.port}{path}"

    def at(self, subdomain: str, path: str) -> re.Pattern[str]:
        """The page's address, with or without the trailing slash the static build adds."""
        return re.compile("^" + re.escape(self.url(subdomain, path.rstrip("/"))) + r"/?$")

    def make_account(self, subdomain: str, role: Role, password: str = DEMO_PASSWORD) -> "Account":
        """A new user of `role` in the school at `subdomain`, for a test that changes an account:
        the demo accounts stay as the README and the other tests know them."""
        tag = uuid.uuid4().hex[:8]
        account = Account(email=f"{role.value}.{tag}@{subdomain}.test", full_name=f"E2E {role.value.title()} {tag}")
        with self.set_up() as session:
            school_id = session.exec(select(School.id).where(School.subdomain == subdomain)).one()
            create_user(session, school_id=school_id, email=account.email, full_name=account.full_name, role=role, password=password)
            session.commit()
        return account


@dataclass(frozen=True)
class Account:
    email: str
    full_name: str


def _free_port() -> int:
    """A port nothing listens on now: the kernel's pick for a socket bound to port 0."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("0.0.0.0", 0))
        return int(probe.getsockname()[1])


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def _assert_only_ours_listen(process: subprocess.Popen[bytes], port: int) -> None:
    """Whatever answers on `port` must be the app this run started: every listening socket on
    the port belongs to its process tree (a socket whose owner cannot be read counts as not ours)."""
    tree = {process.pid, *(child.pid for child in psutil.Process(process.pid).children(recursive=True))}
    listeners = [
        connection
        for connection in psutil.net_connections(kind="tcp")
        if connection.status == psutil.CONN_LISTEN and connection.laddr and connection.laddr.port == port
    ]
    strangers = sorted({str(connection.pid) for connection in listeners if connection.pid not in tree})
    if not listeners or strangers:
        raise RuntimeError(
            f"port {port} is not served by the app this run started (pid {process.pid}): "
            f"listeners of other processes: {', '.join(strangers) or 'none'}; ours: {len(listeners) - len(strangers)}"
        )


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
def fake_paynow() -> Iterator[FakePaynow]:
    """The Paynow the app talks to (PAYNOW_URL): the fake on loopback, with the demo's key."""
    with running_fake_paynow() as server:
        yield server


@pytest.fixture(scope="session")
def running_app(servers: ServerUrls, artifacts_dir: Path, fake_paynow: FakePaynow) -> Iterator[RunningApp]:
    """`oneclass run` against an empty database: it migrates, seeds the demo data and serves, on a
    free port (never `make run`'s 3000, which a developer's app may hold) or E2E_PORT if set.
    Paynow is the fake on loopback (PAYNOW_URL)."""
    port = int(os.environ.get("E2E_PORT") or _free_port())
    if not _port_is_free(port):
        pytest.fail(f"port {port} is already in use: refusing to drive whatever listens there", pytrace=False)
    database_url = create_database(servers, "oneclass_e2e")
    log = artifacts_dir / "e2e-app.log"
    cache_prefix = f"oneclass-e2e-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": servers.redis_url,
        "CACHE_PREFIX": cache_prefix,
        "FRONTEND_PORT": str(port),
        "BACKEND_PORT": str(port),
        "ENVIRONMENT": "development",
        "PAYNOW_URL": f"{fake_paynow.base}/interface",
    }
    try:
        with process_group([sys.executable, "-m", "oneclass", "run"], env, log) as process:
            _wait_until_serving(process, port, log)
            _assert_only_ours_listen(process, port)
            yield RunningApp(port, database_url, servers.redis_url, cache_prefix)
    finally:
        drop_database(servers, database_url)


@contextmanager
def process_group(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`command`, run from the project in a process group of its own with its output in `log`,
    stopped with everything it started (SIGTERM, then SIGKILL after a minute) at the end."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


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



def sign_in(page: Page, app: RunningApp, subdomain: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form as a person would (subdomain "" is the root domain)."""
    page.goto(app.url(subdomain, "/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
