"""Notifications benchmark: 1,000 notices (an announcement's, through `notify_users`) written in
one transaction and sent by a real `oneclass worker` by mail to a loopback SMTP server (aiosmtpd),
or to the outgoing log (`--channel log`). Prints the write time, the throughput from the commit to
the last message sent, each message's time from its row to its sending (p50/p95) and the worker's
memory (its processes' summed resident size, the highest seen while it worked).

Prints figures; asserts nothing. Works in a database of its own (created, then dropped) on the
server of DATABASE_URL (else an embedded PostgreSQL), with the Redis of REDIS_URL (else the
embedded one), and starts its own worker.

    .venv/bin/python bench/notifications.py [--count 1000] [--concurrency 2] [--channel email|log]
"""

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func
from sqlmodel import col, select

from bench.data import bench_school
from bench.stats import percentiles
from models import Channel, Notification, NotificationPreference, NotificationStatus, Role
from oneclass import db
from oneclass.current_user import CurrentUser
from oneclass.services import notifications
from oneclass.services.users import create_user
from oneclass.settings import get_settings

POLL_SECONDS = 0.05
DEADLINE_SECONDS = 900


class Sink:
    """The loopback SMTP server's handler: counts what it receives."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, _server: Any, _session: Any, _envelope: Any) -> str:
        self.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_users(admin: CurrentUser, count: int, by_email: bool) -> list[Any]:
    """`count` teachers (no password: they never sign in here), each asking for mail if `by_email`."""
    assert admin.school_id is not None
    with db.tenant_session(admin.school_id) as session:
        users = [
            create_user(session, school_id=admin.school_id, email=f"reader{n:05d}@bench.test", full_name=f"Reader {n:05d}", role=Role.teacher)
            for n in range(count)
        ]
        if by_email:
            session.add_all(NotificationPreference(school_id=admin.school_id, user_id=user.id, channel=Channel.email) for user in users)
        session.commit()
        return [user.id for user in users]


def pending(admin: CurrentUser) -> int:
    with db.tenant_session(admin.school_id) as session:
        return int(session.exec(select(func.count()).select_from(Notification).where(Notification.status == NotificationStatus.pending.value)).one())


def worker_memory(worker: psutil.Process) -> int:
    processes = [worker, *worker.children(recursive=True)]
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def wait_until_sent(admin: CurrentUser, worker: psutil.Process) -> int:
    """Wait until nothing is pending; the worker's highest memory meanwhile."""
    peak = 0
    deadline = time.monotonic() + DEADLINE_SECONDS
    while pending(admin) and time.monotonic() < deadline:
        peak = max(peak, worker_memory(worker))
        time.sleep(POLL_SECONDS)
    return max(peak, worker_memory(worker))


def notify(admin: CurrentUser, user_ids: list[Any], key: str) -> list[Any]:
    assert admin.school_id is not None
    with db.unit_of_work(admin) as session:
        return notifications.notify_users(session, admin.school_id, user_ids, "announcement", key, "Sports day", "Sports day is on Friday at 8 am.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=get_settings().worker_concurrency)
    parser.add_argument("--channel", choices=["email", "log"], default="email")
    args = parser.parse_args()
    sink = Sink()
    smtp = None
    with bench_school() as admin:
        if args.channel == "email":
            port = free_port()
            smtp = Controller(sink, hostname="127.0.0.1", port=port)
            smtp.start()
            os.environ.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_TLS="none")
            get_settings.cache_clear()
        users = make_users(admin, args.count + 1, by_email=args.channel == "email")
        process = subprocess.Popen(
            [sys.executable, "-m", "oneclass", "worker", f"--concurrency={args.concurrency}"], cwd=ROOT, env=dict(os.environ),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        worker = psutil.Process(process.pid)
        try:
            notify(admin, users[:1], "warm-up")  # the worker's first message also starts it: not counted
            wait_until_sent(admin, worker)
            idle = worker_memory(worker)
            started = time.perf_counter()
            ids = notify(admin, users[1:], "bench")
            written = time.perf_counter()
            peak = wait_until_sent(admin, worker)
            finished = time.perf_counter()
            with db.tenant_session(admin.school_id) as session:
                rows = session.exec(select(Notification).where(col(Notification.id).in_(ids))).all()
            latencies = [(row.sent_at - row.created_at).total_seconds() * 1000 for row in rows if row.sent_at]
            statuses = {status: sum(1 for row in rows if row.status == status) for status in {row.status for row in rows}}
            print(f"{len(ids)} notifications by {args.channel}, worker concurrency {args.concurrency}")
            print(f"written in one transaction: {written - started:.2f} s")
            print(f"commit to last sent: {finished - written:.2f} s ({len(ids) / (finished - written):.0f} messages/s)")
            print(f"row to sent, per message: {percentiles(latencies)}")
            print(f"worker memory: {idle / 2**20:.0f} MiB idle, {peak / 2**20:.0f} MiB at most while sending ({len(worker.children(recursive=True)) + 1} processes)")
            print(f"outcome: {statuses}; the SMTP server received {sink.received}" if smtp else f"outcome: {statuses}")
        finally:
            process.terminate()
            process.wait(timeout=60)
            if smtp:
                smtp.stop()


if __name__ == "__main__":
    main()
