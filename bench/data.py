"""Benchmark data: a database of its own with many schools of many students, written with
set-based SQL as the owner (the app's own write path is measured by bench/import_10k.py)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from oneclass import cache, db, embedded, migrate
from oneclass.current_user import CurrentUser
from oneclass.security import hash_password
from oneclass.settings import get_settings

PASSWORD = "bench-password-2026"


def new_database(server_url: str) -> str:
    """A new, empty database on the server at `server_url`; its URL (drop it with drop_data)."""
    name = f"oneclass_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def build_data(server_url: str, schools: int, students: int) -> tuple[str, list[tuple[str, str]]]:
    """A new database with `schools` schools of `students` students each; returns its URL and
    (subdomain, school id) pairs."""
    url = new_database(server_url)
    migrate.upgrade(url)
    password_hash = hash_password(PASSWORD)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("SET ROLE oneclass_owner"))
        connection.execute(
            text(
                "INSERT INTO schools (name, subdomain, level) SELECT 'Bench School ' || n, 'bench' || n, 'secondary' "
                "FROM generate_series(1, :n) AS n"
            ),
            {"n": schools},
        )
        connection.execute(
            text(
                "INSERT INTO users (school_id, email, full_name, role, password_hash) "
                "SELECT id, 'admin@' || subdomain || '.test', 'Bench Admin', 'school_admin', :hash FROM schools"
            ),
            {"hash": password_hash},
        )
        connection.execute(
            text(
                """
                INSERT INTO students (school_id, admission_number, first_name, last_name, date_of_birth, gender)
                SELECT s.id, 'B' || lpad(n::text, 5, '0'),
                       (ARRAY['Tariro','Tatenda','Rutendo','Sipho','Nyasha','Themba','Chipo','Farai'])[1 + n % 8],
                       (ARRAY['Moyo','Ncube','Sibanda','Dube','Mpofu','Ndlovu','Zhou','Shumba','Hove'])[1 + n % 9] || n,
                       date '2010-01-01' + (n % 2000), CASE WHEN n % 2 = 0 THEN 'female' ELSE 'male' END
                FROM schools s CROSS JOIN generate_series(1, :per_school) AS n
                """
            ),
            {"per_school": students},
        )
        connection.execute(text("ANALYZE"))
        pairs = [(row[0], str(row[1])) for row in connection.execute(text("SELECT subdomain, id FROM schools"))]
    engine.dispose()
    return url, pairs


def prepare(schools: int, students: int) -> tuple[str, str, str, list[tuple[str, str]]]:
    """The servers (settings' or embedded) and a fresh data set on them: (server URL, Redis URL,
    the data set's database URL, (subdomain, school id) pairs)."""
    server_url, redis_url = servers()
    started = time.perf_counter()
    url, pairs = build_data(server_url, schools, students)
    print(f"data: {schools} schools x {students} students in {time.perf_counter() - started:.1f} s")
    return server_url, redis_url, url, pairs


def servers() -> tuple[str, str]:
    """The PostgreSQL server (superuser URL) and Redis the settings name, else the embedded ones."""
    settings = get_settings()
    server_url = db.normalise_url(settings.database_url) if settings.database_url else embedded.start_postgres(settings.data_dir)
    return server_url, cache.redis_url()


def drop_data(server_url: str, url: str) -> None:
    db.reset_engines()
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


@contextmanager
def bench_school(students: int = 0) -> Iterator[CurrentUser]:
    """A fresh database (on the settings' servers or the embedded ones) holding one migrated
    school, Bench Primary, with `students` demo records; yields its admin, who acts through the
    services, and drops the database when the block ends. The settings point at it meanwhile,
    with a cache prefix of its own, so a worker started inside the block serves it too."""
    from models import Role, SchoolLevel
    from oneclass.demo_records import school_admin_of, seed_school_records
    from oneclass.services.schools import create_school
    from oneclass.services.users import create_user

    server_url, redis_url = servers()
    url = new_database(server_url)
    os.environ.update(DATABASE_URL=url, REDIS_URL=redis_url, CACHE_PREFIX=f"oneclass-bench-{uuid.uuid4().hex[:8]}")
    get_settings.cache_clear()
    db.reset_engines()
    cache.reset_cache_client()
    try:
        migrate.upgrade()
        with db.owner_session() as session:
            school = create_school(session, name="Bench Primary", subdomain="bench-primary", level=SchoolLevel.primary)
            session.commit()
        with db.tenant_session(school.id) as session:
            create_user(session, school_id=school.id, email="admin@bench.test", full_name="Bench Admin", role=Role.school_admin)
            admin = school_admin_of(session, school.id)
            if students:
                seed_school_records(session, admin=admin, subdomain="bench-primary", level="primary", students=students)
            session.commit()
        yield admin
    finally:
        drop_data(server_url, url)


@contextmanager
def as_owner(url: str, school_id: str, statements: list[str]) -> Iterator[Connection]:
    """One transaction on the data set at `url` as the owner (past RLS): `statements` run first
    with `:s` bound to `school_id`; the block reads what it needs; the transaction commits."""
    engine = create_engine(db.normalise_url(url))
    try:
        with engine.begin() as connection:
            connection.execute(text("SET ROLE oneclass_owner"))
            for statement in statements:
                connection.execute(text(statement), {"s": school_id})
            yield connection
    finally:
        engine.dispose()


def school_admin_actor(connection: Connection, school_id: str) -> CurrentUser:
    """The school's admin as the services see a signed-in user."""
    admin_id, email = connection.execute(text("SELECT id, email FROM users WHERE role = 'school_admin' AND school_id = :s"), {"s": school_id}).one()
    return CurrentUser(id=admin_id, school_id=uuid.UUID(school_id), email=email, full_name="", role="school_admin", family_id=admin_id)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@contextmanager
def running_app(url: str, redis_url: str, port: int) -> Iterator[str]:
    """`oneclass run` on the bench's database at `port`, until the block ends; yields its address."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "FRONTEND_PORT": str(port), "BACKEND_PORT": str(port), "CACHE_PREFIX": f"bench-{uuid.uuid4().hex[:6]}"}
    app = subprocess.Popen([sys.executable, "-m", "oneclass", "run"], cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://localhost:{port}/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        yield f"http://localhost:{port}"
    finally:
        os.killpg(app.pid, signal.SIGTERM)
        app.wait(timeout=60)
