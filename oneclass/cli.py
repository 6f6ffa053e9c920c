"""The `oneclass` command: run the app, migrate, seed, print URLs, check tenancy."""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from oneclass import cache, db, embedded, migrate
from oneclass.settings import PROJECT_ROOT, get_settings

BUN_PATH = PROJECT_ROOT / ".tools" / "node_modules" / "bun" / "bin" / "bun.exe"


class CliError(Exception):
    """An error the user can act on: printed as one line, no traceback."""


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False


# A backend worker's memory with the app loaded and a few hundred tabs' state (bench/load.py
# measures it): workers are not started beyond what the machine can hold.
WORKER_MEMORY_BYTES = 400 * 2**20
MAX_WEB_WORKERS = 8


def web_workers(requested: int) -> int:
    """`requested` backend workers, or (0) what the machine fits: two per core and one more, as
    Reflex's own default, within half the memory that is free now."""
    if requested:
        return requested
    cores = os.cpu_count() or 1
    fits = int(psutil.virtual_memory().available * 0.5 // WORKER_MEMORY_BYTES)
    return max(1, min(2 * cores + 1, MAX_WEB_WORKERS, fits))


def reflex_environment(database_url: str, redis_url: str, workers: int = 1, metrics_dir: Path | None = None) -> dict[str, str]:
    """The environment the Reflex process runs with: our servers, its workers, bun, no phoning
    home. Several workers share Reflex's state in Redis (the one the app uses, unless
    REFLEX_REDIS_URL names another); a single worker keeps it on disk. Every process writes its
    metrics into `metrics_dir`, so `/metrics` answers for the whole server."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        WEB_WORKERS=str(workers),
        GRANIAN_WORKERS=str(workers),
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
    )
    if metrics_dir is not None:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    if workers > 1 and not env.get("REFLEX_REDIS_URL"):
        env["REFLEX_REDIS_URL"] = redis_url
    if BUN_PATH.exists() and "REFLEX_BUN_PATH" not in env:
        env["REFLEX_BUN_PATH"] = str(BUN_PATH)
    return env


def fresh_metrics_dir(data_dir: Path) -> Path:
    """An empty directory for this run's metrics: figures of an earlier run's processes (their
    pids may be reused) must not be summed into this one's."""
    directory = data_dir / "metrics"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


def prepare_database() -> list[str]:
    """Migrate to head; seed the demo data when the database has no school yet."""
    from oneclass import seed

    migrate.upgrade()
    if seed.database_is_empty() and not get_settings().is_production:
        return seed.seed_demo()
    return []


def cmd_run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if _port_in_use(settings.frontend_port):
        raise CliError(
            f"port {settings.frontend_port} is already in use; stop what holds it or set FRONTEND_PORT"
            " and BACKEND_PORT to a free port"
        )
    database_url = db.owner_url()
    redis_url = cache.redis_url()
    created = prepare_database()
    if created:
        print(f"seeded demo data: {len(created)} accounts (password in the README)")
    command = [sys.executable, "-m", "reflex", "run", "--env", args.env]
    workers = web_workers(settings.web_workers)
    print(f"starting {workers} web worker{'s' if workers > 1 else ''} and a background worker")
    environment = reflex_environment(database_url, redis_url, workers, fresh_metrics_dir(settings.data_dir))
    reflex = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment)
    # One worker beside the web server, so that background jobs run on a fresh machine too.
    worker = subprocess.Popen([sys.executable, "-m", "oneclass", "worker"], cwd=PROJECT_ROOT, env=environment)

    def stop(signum: int, _frame: object) -> None:
        reflex.send_signal(signum)
        worker.send_signal(signal.SIGTERM)  # Celery's warm shutdown: the job under way finishes

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        return reflex.wait()
    finally:
        for process in (reflex, worker):
            if process.poll() is None:
                process.terminate()
        for process in (reflex, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()  # its unacknowledged job goes back on the queue (acks_late)
                process.wait()
        if not settings.redis_url:
            embedded.stop_redis(settings.data_dir)
        # The embedded PostgreSQL stops at exit, when its last handle (this process) goes.


def cmd_serve(args: argparse.Namespace) -> int:
    """The production topology on this machine: nginx, `--processes` app processes sharing
    Reflex's state in Redis, and a worker (oneclass/topology.py, deploy/nginx.conf.template)."""
    from oneclass import topology

    settings = get_settings()
    ports = [args.first_backend_port + i for i in range(args.processes)]
    run_dir, web = settings.data_dir / "nginx", topology.web_dir(settings.data_dir)
    static_root = web / "build" / "client"
    if args.print_nginx_config:
        print(topology.render_nginx_config(listen=args.port, backend_ports=ports, run_dir=run_dir, static_root=static_root))
        return 0
    if not Path(topology.nginx_binary()).exists():
        raise CliError("nginx is not installed: apt-get install nginx")
    for port in [args.port, *ports]:
        if _port_in_use(port):
            raise CliError(f"port {port} is already in use; choose others with --port and --first-backend-port")
    database_url, redis_url = db.owner_url(), cache.redis_url()
    created = prepare_database()
    if created:
        print(f"seeded demo data: {len(created)} accounts (password in the README)")
    environment = reflex_environment(database_url, redis_url, 1, fresh_metrics_dir(settings.data_dir))
    environment.setdefault("REFLEX_REDIS_URL", redis_url)  # every process reads every tab's state
    environment.setdefault("TRUSTED_PROXY_HOPS", "1")  # nginx adds the browser's address
    environment.setdefault("PUBLIC_PORT", str(args.port))
    environment["REFLEX_WEB_WORKDIR"] = str(web)
    if not args.no_build:
        topology.build_pages(environment, args.public_url or f"http://localhost:{args.port}")
    serving = topology.Topology(args.port, ports, environment, run_dir, static_root)

    def stop(_signum: int, _frame: object) -> None:
        serving.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        serving.start()
        try:
            serving.wait_until_serving()
        except RuntimeError as error:
            raise CliError(str(error)) from error
        if serving.stopping:
            return 0
        print(f"serving on http://localhost:{args.port} through nginx: {len(ports)} app processes (ports {ports[0]}-{ports[-1]}) and a worker", flush=True)
        for app in serving.supervise():
            print(f"the app process on port {app.port} exited; started again ({app.restarts})", flush=True)
    finally:
        serving.stop()
        if not settings.redis_url:
            embedded.stop_redis(settings.data_dir)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """A Celery worker for background jobs, on this machine, against the settings' Redis."""
    from oneclass.queue import JOBS_QUEUE, celery_app
    from oneclass.tracing import configure_tracing

    configure_tracing("oneclass-worker")  # the SDK's span exporter starts again in each forked child
    concurrency = args.concurrency or get_settings().worker_concurrency
    celery_app.worker_main(["worker", "--loglevel=INFO", f"--concurrency={concurrency}", f"--queues={JOBS_QUEUE}", "--without-heartbeat", "--without-mingle", "--without-gossip"])
    return 0


def cmd_db_migrate(_args: argparse.Namespace) -> int:
    migrate.upgrade()
    print(f"database at revision {migrate.head_revision()}")
    return 0


def cmd_db_url(args: argparse.Namespace) -> int:
    print(db.app_url() if args.role == "app" else db.owner_url())
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from oneclass import seed

    if not args.demo:
        raise CliError("nothing to seed: pass --demo")
    try:
        created = seed.seed_demo()
    except seed.SeedRefused as refusal:
        raise CliError(str(refusal)) from refusal
    print(f"created {len(created)} demo accounts" if created else "demo data already present")
    return 0


def cmd_check(_args: argparse.Namespace) -> int:
    from oneclass.rls import find_rls_problems

    with db.owner_engine().connect() as connection:
        problems = find_rls_problems(connection)
    for problem in problems:
        print(f"FAIL {problem}")
    if problems:
        return 1
    print("ok: every table has row level security enabled, forced and (for tenant tables) a policy")
    return 0


def _move_data(work: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], str]) -> int:
    """Run a backup, restore, export or import (`work`, returning its manifest); print `done` of
    the manifest, or the refusal as one line."""
    from oneclass.backup import BackupError

    try:
        manifest = work()
    except BackupError as error:
        raise CliError(str(error)) from error
    except OSError as error:  # a full disk, a directory it may not write
        raise CliError(f"{error.strerror or error}: {error.filename or ''}".rstrip(": ")) from error
    print(done(manifest))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """The deployment's database (the one `oneclass run` uses) and files, into a new directory."""
    from oneclass import backup

    return _move_data(
        lambda: backup.backup(Path(args.directory), db.owner_url()),
        lambda manifest: f"backed up {backup.describe(manifest)} into {args.directory}",
    )


def cmd_restore(args: argparse.Namespace) -> int:
    """A backup, into an empty database; its files into this deployment's object store."""
    from oneclass import backup

    return _move_data(
        lambda: backup.restore(Path(args.directory), args.database_url),
        lambda manifest: f"restored {backup.describe(manifest)}; every table's count and checksum verified",
    )


def cmd_school_export(args: argparse.Namespace) -> int:
    """One school, whole, into a new file (audited in the school's log)."""
    from oneclass import backup, school_transfer

    return _move_data(
        lambda: school_transfer.export_school(args.subdomain, Path(args.file)),
        lambda manifest: f"exported {args.subdomain}: {backup.describe(manifest)} into {args.file}",
    )


def cmd_school_import(args: argparse.Namespace) -> int:
    """A school another deployment exported, into this one."""
    from oneclass import backup, school_transfer

    return _move_data(
        lambda: school_transfer.import_school(Path(args.file)),
        lambda manifest: f"imported {manifest['school']['subdomain']}: {backup.describe(manifest)}; every table's count and checksum verified",
    )


def cmd_messages(args: argparse.Namespace) -> int:
    """Update the catalogues from the code, or (--check) fail when one lacks a translation."""
    from oneclass import i18n, messages

    incomplete = False
    for language in i18n.TRANSLATED_LANGUAGES:
        if args.review:
            print(messages.review_list(language))
            continue
        report = messages.check(language) if args.check else messages.update(language)
        print(messages.describe(report))
        incomplete = incomplete or not report.complete
    return 1 if args.check and incomplete else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oneclass", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="migrate, seed demo data if empty, start the app")
    run.add_argument("--env", choices=["prod", "dev"], default="prod")
    run.set_defaults(handler=cmd_run)

    serve = commands.add_parser("serve", help="the production topology: nginx, several app processes, a worker")
    serve.add_argument("--processes", type=int, default=2, help="app processes behind nginx (default 2)")
    serve.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    serve.add_argument("--first-backend-port", type=int, default=8001, help="the app processes' ports start here (default 8001)")
    serve.add_argument("--public-url", default="", help="the address browsers use, e.g. https://localhost (default http://localhost:PORT)")
    serve.add_argument("--no-build", action="store_true", help="serve the pages compiled last time")
    serve.add_argument("--print-nginx-config", action="store_true", help="print the nginx configuration and exit")
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser("worker", help="run a worker for background jobs (more of them, on other machines)")
    worker.add_argument("--concurrency", type=int, default=0, help="jobs at once (default: WORKER_CONCURRENCY)")
    worker.set_defaults(handler=cmd_worker)

    database = commands.add_parser("db", help="database tasks").add_subparsers(dest="db_command", required=True)
    database.add_parser("migrate", help="upgrade the schema to head").set_defaults(handler=cmd_db_migrate)
    url = database.add_parser("url", help="print a SQLAlchemy URL (the owner's by default)")
    url.add_argument("--role", choices=["owner", "app"], default="owner")
    url.set_defaults(handler=cmd_db_url)

    seed = commands.add_parser("seed", help="load demo data")
    seed.add_argument("--demo", action="store_true", help="the two demo schools and their users")
    seed.set_defaults(handler=cmd_seed)

    commands.add_parser("check", help="verify row level security on every table").set_defaults(handler=cmd_check)

    backup = commands.add_parser("backup", help="back up the database and the files into a new directory")
    backup.add_argument("directory", help="where the backup goes: a directory that does not exist or is empty")
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser("restore", help="restore a backup into an empty database")
    restore.add_argument("directory", help="a directory `oneclass backup` wrote")
    restore.add_argument("--database-url", required=True, help="the empty database to restore into (its role may create roles)")
    restore.set_defaults(handler=cmd_restore)

    school = commands.add_parser("school", help="move one school between deployments").add_subparsers(dest="school_command", required=True)
    export = school.add_parser("export", help="write one school, whole, to a new file (docs/school-export.md)")
    export.add_argument("subdomain")
    export.add_argument("file", help="the ZIP to write; must not exist")
    export.set_defaults(handler=cmd_school_export)
    school_import = school.add_parser("import", help="load a school another deployment exported")
    school_import.add_argument("file")
    school_import.set_defaults(handler=cmd_school_import)

    catalogues = commands.add_parser("messages", help="update the language catalogues from the code")
    catalogues.add_argument("--check", action="store_true", help="change nothing; fail if a string lacks a translation")
    catalogues.add_argument("--review", action="store_true", help="list translations a native speaker should check")
    catalogues.set_defaults(handler=cmd_messages)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
    except ValidationError as error:
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())
        print(f"error: invalid settings: {reasons}", file=sys.stderr)
    except ArgumentError as error:
        print(f"error: DATABASE_URL is not a valid database URL ({error})", file=sys.stderr)
    except OperationalError as error:
        reason = str(error.orig or error).strip().splitlines()[0]
        print(f"error: cannot reach the database: {reason}", file=sys.stderr)
    except ProgrammingError as error:
        reason = str(error.orig or error).strip().splitlines()[0]
        print(f"error: the database refused the request ({reason}); is it migrated? try `oneclass db migrate`", file=sys.stderr)
    return 1
