"""Behind PgBouncer in transaction pooling mode (deploy/pgbouncer.ini, Debian's pgbouncer) the
tenant setting never leaks: many threads of two schools, and threads of no school, share two
server connections, and every transaction sees only its own school's rows."""

import os
import shutil
import socket
import string
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from models import User
from oneclass import db
from oneclass.settings import PROJECT_ROOT, get_settings
from tests.conftest import SchoolFixture, apply_settings, delete_school, make_school

SERVER_CONNECTIONS = 2
THREADS = 8
TRANSACTIONS_PER_THREAD = 30
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"pgbouncer did not listen: {log.read_text()}")


@pytest.fixture
def pgbouncer(tmp_path: Path) -> Iterator[str]:
    """PgBouncer in front of the test database's server, configured from deploy/pgbouncer.ini;
    yields DATABASE_URL through it."""
    assert Path(PGBOUNCER).exists(), "pgbouncer is not installed: apt-get install pgbouncer (.ci/run does)"
    direct = make_url(db.owner_url())
    settings = get_settings()
    # The embedded server listens on a Unix socket only (its URL's `host` query is the directory).
    server_host = direct.host or str(direct.query.get("host", ""))
    server_port = direct.port or direct.query.get("port") or 5432
    tmp_path.chmod(0o755)  # read by the unprivileged user PgBouncer runs as
    users = tmp_path / "userlist.txt"
    users.write_text(
        f'"{direct.username}" "{direct.password or ""}"\n"{db.APP_ROLE}" "{settings.app_db_password}"\n'
        f'"{db.PLATFORM_ROLE}" "{settings.platform_db_password}"\n'
    )
    port = _free_port()
    template = string.Template((PROJECT_ROOT / "deploy" / "pgbouncer.ini").read_text())
    config = tmp_path / "pgbouncer.ini"
    config.write_text(template.substitute(
        DB_HOST=server_host, DB_PORT=server_port, LISTEN_ADDR="127.0.0.1", LISTEN_PORT=port,
        AUTH_TYPE="trust", AUTH_FILE=users, POOL_SIZE=SERVER_CONNECTIONS,
    ))
    for path in (users, config):
        path.chmod(0o644)
    log = tmp_path / "pgbouncer.log"
    # PgBouncer refuses to run as root: it runs as the owner of the server's socket directory (who
    # may open the socket), or as nobody for a server on TCP.
    socket_owner = Path(server_host).owner() if server_host.startswith("/") else "nobody"
    as_user = ["-u", socket_owner] if os.geteuid() == 0 else []
    with log.open("wb") as output:
        process = subprocess.Popen([PGBOUNCER, *as_user, str(config)], stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process, log)
        through = direct.set(host="127.0.0.1", port=port, query={k: v for k, v in direct.query.items() if k not in ("host", "port")})
        yield through.render_as_string(hide_password=False)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def schools() -> Iterator[tuple[SchoolFixture, SchoolFixture]]:
    pair = make_school("pooled-a"), make_school("pooled-b")
    yield pair
    for school in pair:
        delete_school(school)


def test_no_tenant_leaks_across_pooled_server_connections(pgbouncer: str, schools: tuple[SchoolFixture, SchoolFixture]) -> None:
    direct_url = os.environ["DATABASE_URL"]
    apply_settings(DATABASE_URL=pgbouncer, DB_TRANSACTION_POOLER="true")
    try:
        seen: Counter[tuple[str, str]] = Counter()
        wrong: list[str] = []
        lock = threading.Lock()

        def work(school: SchoolFixture | None) -> None:
            """A school's transactions through the tenant session; with no school, plain
            transactions of the app role that set no school at all (they must see nothing)."""
            expected = str(school.id) if school else ""
            for _ in range(TRANSACTIONS_PER_THREAD):
                with db.tenant_session(school.id) if school else Session(db.app_engine()) as session:
                    # The same statement many times on one client connection: psycopg would
                    # prepare it after five, on whichever server connection served that one.
                    rows = session.exec(select(User.school_id)).all()
                    setting = session.execute(text("SELECT current_setting(:name, true)"), {"name": db.TENANT_SETTING}).scalar() or ""
                    server_pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
                    session.commit()
                with lock:
                    seen[(expected, str(server_pid))] += 1
                    if setting != expected or {str(row) for row in rows} - {expected} or len(rows) != (5 if school else 0):
                        wrong.append(f"{expected or 'no school'} saw setting {setting!r} and {len(rows)} rows")

        school_a, school_b = schools
        threads = [threading.Thread(target=work, args=(school,)) for school in (school_a, school_b, None, school_a, school_b, None, school_a, school_b)]
        assert len(threads) == THREADS
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)

        assert wrong == []
        assert sum(seen.values()) == THREADS * TRANSACTIONS_PER_THREAD
        server_pids = {pid for _school, pid in seen}
        assert len(server_pids) <= SERVER_CONNECTIONS  # every client went through the pool's two
        for school in ("", str(school_a.id), str(school_b.id)):
            shared = {pid for who, pid in seen if who == school}
            assert shared, school
        # Each server connection served transactions of more than one school (so a leak would show).
        assert any(len({who for who, pid in seen if pid == server_pid}) > 1 for server_pid in server_pids)
        with db.app_engine().connect() as connection:
            assert connection.connection.dbapi_connection.prepare_threshold is None  # type: ignore[union-attr]
    finally:
        apply_settings(DATABASE_URL=direct_url, DB_TRANSACTION_POOLER=None)
