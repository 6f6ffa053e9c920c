"""The `oneclass` command: URLs, seeding, and one-line errors instead of tracebacks."""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import func, select

from models import Payment, PaynowIntegration, PlatformUser, School, Student, User
from oneclass import db, migrate, seed
from oneclass.security import unseal, verify_password
from oneclass.services.schools import create_school
from oneclass.settings import PROJECT_ROOT
from tests.conftest import ServerUrls, apply_settings, create_database, drop_database


def oneclass(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oneclass", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert expected in lines[0]


def test_db_url_prints_owner_and_app_urls() -> None:
    owner = make_url(oneclass("db", "url").stdout.strip())
    app = make_url(oneclass("db", "url", "--role", "app").stdout.strip())
    expected = make_url(os.environ["DATABASE_URL"])
    assert (owner.database, owner.username) == (expected.database, expected.username)
    assert (app.database, app.username) == (expected.database, db.APP_ROLE)


def test_wrong_database_url_is_one_line() -> None:
    assert_one_line_error(oneclass("db", "migrate", DATABASE_URL="not a url"), "not a valid database URL")
    unreachable = "postgresql://postgres@127.0.0.1:1/nowhere?connect_timeout=2"
    assert_one_line_error(oneclass("check", DATABASE_URL=unreachable), "cannot reach the database")


def test_port_in_use_is_one_line() -> None:
    with socket.socket() as holder:
        holder.bind(("0.0.0.0", 0))
        holder.listen()
        port = str(holder.getsockname()[1])
        result = oneclass("run", FRONTEND_PORT=port, BACKEND_PORT=port)
    assert_one_line_error(result, f"port {port} is already in use")


def test_production_refuses_placeholder_secret_and_demo_seed() -> None:
    assert_one_line_error(oneclass("check", ENVIRONMENT="production"), "SECRET_KEY must be set in production")
    result = oneclass(
        "seed", "--demo", ENVIRONMENT="production", SECRET_KEY="a-real-secret-of-at-least-32-characters", APP_DB_PASSWORD="a-real-password",
        PLATFORM_DB_PASSWORD="another-real-password",
    )
    assert_one_line_error(result, "demo seed does not run")


@pytest.fixture
def fresh_database(servers: ServerUrls) -> Iterator[str]:
    """A migrated database no other test has written to; the settings (and so the `oneclass`
    commands run here) point at it until the test ends, then at the run's database again."""
    previous = os.environ["DATABASE_URL"]
    url = create_database(servers, "oneclass_seed")
    apply_settings(DATABASE_URL=url)
    try:
        migrate.upgrade()
        yield url
    finally:
        apply_settings(DATABASE_URL=previous)
        drop_database(servers, url)


def table_counts() -> dict[str, int]:
    """Rows in every table of the schema, as the owner sees them (past RLS)."""
    with db.owner_engine().connect() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version' ORDER BY tablename")
        ).scalars().all()
        return {table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one() for table in tables}


def test_demo_seed_creates_every_role_and_is_idempotent(fresh_database: str) -> None:
    before = table_counts()
    first = oneclass("seed", "--demo")
    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout
    after_first = table_counts()
    second = oneclass("seed", "--demo")
    assert second.returncode == 0, second.stderr
    assert "already present" in second.stdout
    assert table_counts() == after_first  # the second run wrote nothing, in any table
    grown = {table for table, count in after_first.items() if count > before[table]}
    assert {"schools", "users", "platform_users", "students", "guardians", "enrolments"} <= grown
    with db.owner_session() as session:
        schools = {s.subdomain: s for s in session.exec(select(School)).all()}
        root = session.exec(select(PlatformUser).where(PlatformUser.email == seed.ROOT_EMAIL)).one()
    assert verify_password(root.password_hash or "", seed.DEMO_PASSWORD)
    for subdomain, name, _level in seed.DEMO_SCHOOLS:
        assert schools[subdomain].name == name
        demo_emails = {f"{local}@{subdomain}.test" for local in ("admin", "teacher", "student", "parent", "staff")}
        with db.tenant_session(schools[subdomain].id) as session:
            users = [u for u in session.exec(select(User)).all() if u.email in demo_emails]
            students = session.exec(select(func.count()).select_from(Student)).one()
        assert {u.email for u in users} == demo_emails
        assert all(verify_password(u.password_hash or "", seed.DEMO_PASSWORD) for u in users)
        assert not verify_password(users[0].password_hash or "", "wrong-password")
        assert students == 300  # and their records: the deterministic demo school


def test_demo_seed_fills_in_a_school_a_stopped_run_left_empty(fresh_database: str) -> None:
    """A run stopped after writing the schools (before their users and records): the next run
    completes them instead of skipping a school that merely exists."""
    (subdomain, name, level), *_ = seed.DEMO_SCHOOLS
    with db.owner_session() as session:
        create_school(session, name=name, subdomain=subdomain, level=level)
        session.commit()
    created = seed.seed_demo()
    assert f"admin@{subdomain}.test" in created
    with db.owner_session() as session:
        school = session.exec(select(School).where(School.subdomain == subdomain)).one()
    with db.tenant_session(school.id) as session:
        assert session.exec(select(func.count()).select_from(Student)).one() == 300
        # Harare Primary takes USD online with the demo integration (its key stored sealed), and
        # every demo student owes this term's tuition and levy in USD, a few part-paid.
        integration = session.exec(select(PaynowIntegration)).one()
        assert (integration.currency, integration.integration_id, unseal(integration.key_ciphertext)) == ("USD", "1201", "oneclass-demo-paynow-key")
        invoiced = session.exec(
            text("SELECT count(DISTINCT student_id) FILTER (WHERE account = 'tuition'), count(DISTINCT student_id) FILTER (WHERE account = 'levy') "
                 "FROM invoices WHERE currency = 'USD' AND sponsor_id IS NULL")
        ).one()
        assert tuple(invoiced) == (300, 300)
        assert session.exec(select(func.count()).select_from(Payment)).one() > 0
    assert seed.seed_demo() == []  # and then it is all there


def test_several_web_workers_share_state_in_redis_and_split_the_connections() -> None:
    from oneclass.cli import MAX_WEB_WORKERS, reflex_environment, web_workers
    from oneclass.settings import Settings

    one = reflex_environment("postgresql://db", "redis://cache/0", 1)
    assert one["GRANIAN_WORKERS"] == "1" and one.get("REFLEX_REDIS_URL") == os.environ.get("REFLEX_REDIS_URL")  # disk
    five = reflex_environment("postgresql://db", "redis://cache/0", 5)
    assert five["GRANIAN_WORKERS"] == five["WEB_WORKERS"] == "5"
    assert five["REFLEX_REDIS_URL"] == os.environ.get("REFLEX_REDIS_URL", "redis://cache/0")
    assert web_workers(3) == 3 and 1 <= web_workers(0) <= MAX_WEB_WORKERS
    assert Settings(web_workers=5, db_pool_size=10, db_max_overflow=10).pool_share() == (2, 2)
    assert Settings(web_workers=1, db_pool_size=10, db_max_overflow=10).pool_share() == (10, 10)
    assert Settings(web_workers=4, db_pool_size=10, db_max_overflow=3).pool_share() == (3, 2)
