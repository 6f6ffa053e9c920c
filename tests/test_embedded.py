"""Embedded servers survive a killed run: stale pid files do not break the next start."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import redis

from oneclass import embedded
from oneclass.settings import PROJECT_ROOT


def test_redis_restarts_after_kill_9(tmp_path: Path) -> None:
    url = embedded.start_redis(tmp_path)
    pid = int((tmp_path / "redis" / "redis.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    psutil.Process(pid).wait(timeout=10) if psutil.pid_exists(pid) else None
    # The pid file and socket are left behind by the killed server.
    assert (tmp_path / "redis" / "redis.pid").exists()
    again = embedded.start_redis(tmp_path)
    assert again == url and redis.Redis.from_url(again).ping()
    new_pid = int((tmp_path / "redis" / "redis.pid").read_text())
    assert new_pid != pid
    embedded.stop_redis(tmp_path)
    assert not psutil.pid_exists(new_pid)


def _postgres_process(data_dir: Path, then: str) -> subprocess.CompletedProcess[str]:
    code = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from oneclass import embedded
        print(embedded.start_postgres(Path({str(data_dir)!r})), flush=True)
        {then}
        """
    )
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def _postmaster_pid(data_dir: Path) -> int | None:
    pid_file = data_dir / "pgdata" / "postmaster.pid"
    return int(pid_file.read_text().splitlines()[0]) if pid_file.exists() else None


def test_postgres_stops_cleanly_after_a_killed_run(tmp_path: Path) -> None:
    killed = _postgres_process(tmp_path, "os.kill(os.getpid(), signal.SIGKILL)")
    assert killed.returncode == -signal.SIGKILL
    server_pid = _postmaster_pid(tmp_path)
    assert server_pid and psutil.pid_exists(server_pid)  # orphaned, its handle pid is stale
    try:
        clean = _postgres_process(tmp_path, "")
        assert clean.returncode == 0, clean.stderr
        assert "/oneclass?host=" in clean.stdout
        # The clean run was the only live handle, so its exit stopped the server.
        assert _postmaster_pid(tmp_path) is None
    finally:
        if _postmaster_pid(tmp_path):
            os.kill(server_pid, signal.SIGTERM)
