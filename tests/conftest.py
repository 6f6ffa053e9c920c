"""Test servers and databases.

With DATABASE_URL / REDIS_URL unset the embedded PostgreSQL and Redis are started under
`.oneclass/test-servers`; when set, those servers are used. Either way the run gets its own
database (created here, dropped at the end) and its own cache key prefix.
"""

import itertools
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from models import Role, School, SchoolLevel
from oneclass import cache, db, embedded, migrate
from oneclass.services.schools import create_school
from oneclass.services.users import create_user
from oneclass.settings import PROJECT_ROOT, get_settings

TEST_DATA_DIR = PROJECT_ROOT / ".oneclass" / "test-servers"
# An id no row has (rows get random ones), fixed so that every test process collects the same tests.
NO_SUCH_ID = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class ServerUrls:
    server_url: str  # superuser URL of the server (any database)
    redis_url: str

    def database_url(self, name: str) -> str:
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)


def apply_settings(**env: str | None) -> None:
    """Point OneClass at other servers: set (or unset) env vars and forget cached clients."""
    for name, value in env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()
    db.reset_engines()
    cache.reset_cache_client()


def create_database(servers: ServerUrls, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(servers.server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return servers.database_url(name)


def drop_database(servers: ServerUrls, url: str) -> None:
    name = make_url(url).database
    engine = create_engine(servers.server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


_EMBEDDED_REDIS = pytest.StashKey[bool]()
_SERVERS = pytest.StashKey[ServerUrls]()


def _start_servers() -> ServerUrls:
    """The servers the environment names, else the embedded ones (started, or attached to)."""
    external_db = os.environ.get("DATABASE_URL")
    TEST_DATA_DIR.mkdir(parents=True, exist_ok=True)
    server_url = db.normalise_url(external_db) if external_db else embedded.start_postgres(TEST_DATA_DIR)
    return ServerUrls(server_url=server_url, redis_url=os.environ.get("REDIS_URL") or embedded.start_redis(TEST_DATA_DIR))


def _is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    """The process that runs the session (or, with `-n`, hands tests to its workers) starts the
    embedded servers before any worker does, so the workers attach to them, and stops the
    embedded Redis when everything is over (the embedded PostgreSQL stops with its last user)."""
    if not _is_xdist_worker(config):
        config.stash[_EMBEDDED_REDIS] = not os.environ.get("REDIS_URL")
        config.stash[_SERVERS] = _start_servers()


def pytest_unconfigure(config: pytest.Config) -> None:
    if not _is_xdist_worker(config) and config.stash.get(_EMBEDDED_REDIS, False):
        embedded.stop_redis(TEST_DATA_DIR)


@pytest.fixture(scope="session")
def servers(pytestconfig: pytest.Config) -> ServerUrls:
    return pytestconfig.stash[_SERVERS] if _SERVERS in pytestconfig.stash else _start_servers()


@pytest.fixture(scope="session", autouse=True)
def database(servers: ServerUrls) -> Iterator[str]:
    """This run's own database, migrated to head; settings point at it for the whole run."""
    url = create_database(servers, "oneclass_test")
    apply_settings(
        DATABASE_URL=url,
        REDIS_URL=servers.redis_url,
        CACHE_PREFIX=f"oneclass-test-{uuid.uuid4().hex[:8]}",
        ENVIRONMENT="test",
    )
    migrate.upgrade()
    yield url
    db.reset_engines()
    drop_database(servers, url)


@dataclass(frozen=True)
class SchoolFixture:
    id: uuid.UUID
    subdomain: str
    name: str


TEST_PASSWORD = "test-password-2026"
_client_addresses = itertools.count(1)


def fresh_ip() -> str:
    """A client address no other sign-in of this run has used, so per-address failure and
    lockout counters never add up across tests."""
    number = next(_client_addresses)
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


def make_school(label: str, level: SchoolLevel = SchoolLevel.primary) -> SchoolFixture:
    """A school with one user of each school role (`<role>@<subdomain>.test`, password
    TEST_PASSWORD), written through the services."""
    subdomain = f"{label}-{uuid.uuid4().hex[:8]}"
    with db.owner_session() as session:
        school = create_school(session, name=f"{label.title()} School", subdomain=subdomain, level=level)
        session.commit()
    with db.tenant_session(school.id) as session:
        for role in (Role.school_admin, Role.teacher, Role.student, Role.parent, Role.staff):
            create_user(
                session,
                school_id=school.id,
                email=f"{role.value}@{subdomain}.test",
                full_name=f"{role.value.title()} of {label}",
                role=role,
                password=TEST_PASSWORD,
            )
        session.commit()
    return SchoolFixture(school.id, subdomain, school.name)


def delete_school(school: SchoolFixture) -> None:
    with db.owner_session() as session:
        row = session.exec(select(School).where(School.id == school.id)).first()
        if row:
            session.delete(row)
            session.commit()


@pytest.fixture
def two_schools() -> Iterator[tuple[SchoolFixture, SchoolFixture]]:
    school_a, school_b = make_school("alpha"), make_school("beta", SchoolLevel.secondary)
    yield school_a, school_b
    delete_school(school_a)
    delete_school(school_b)



def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser flows run last: Playwright's sync API keeps an event loop running in this
    thread until its session ends, and the tests that drive async handlers start loops of their
    own (`asyncio.run`), which cannot run inside it."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
