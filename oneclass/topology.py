"""The production topology on one machine, as `oneclass serve` runs it: nginx in front, several
app processes behind it sharing Reflex's state in Redis, and a Celery worker.

The pages are compiled once (`reflex export`, into `DATA_DIR/web`: apart from `oneclass run`'s
`.web`), with the public address baked in as the event endpoint (the browser keeps the page's
own host name, so every school's subdomain reaches nginx); nginx serves the files and passes the
app's own paths to any app process. A process that
dies is started again; while it is away nginx sends its tabs to the others.
"""

import getpass
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import httpx

from oneclass.settings import PROJECT_ROOT

NGINX_TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf.template"
START_TIMEOUT_SECONDS = 300
RESTART_PAUSE_SECONDS = 1.0


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def web_dir(data_dir: Path) -> Path:
    """Where `oneclass serve` compiles the pages (REFLEX_WEB_WORKDIR for the build and the app processes)."""
    return data_dir / "web"


def render_nginx_config(
    *, listen: int, backend_ports: Sequence[int], run_dir: Path, static_root: Path, server_names: str = "localhost *.localhost", max_body: str = "12m"
) -> str:
    """deploy/nginx.conf.template with this machine's ports and directories."""
    upstreams = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in backend_ports)
    return Template(NGINX_TEMPLATE.read_text(encoding="utf-8")).substitute(
        listen=listen, upstreams=upstreams, run_dir=run_dir, user=getpass.getuser(), server_names=server_names, static_root=static_root, max_body=max_body,
    )


def build_pages(environment: dict[str, str], public_url: str) -> None:
    """Compile the pages once for every app process, with `public_url` as the event endpoint."""
    env = {**environment, "REFLEX_API_URL": public_url}
    subprocess.run([sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip", "--env", "prod"], cwd=PROJECT_ROOT, env=env, check=True)


@dataclass
class AppProcess:
    """One app process (a Reflex backend with one worker) on its own port."""

    port: int
    environment: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    def start(self) -> None:
        env = {**self.environment, "WEB_WORKERS": "1", "GRANIAN_WORKERS": "1", "BACKEND_PORT": str(self.port)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only", "--backend-port", str(self.port)],
            cwd=PROJECT_ROOT, env=env, start_new_session=True,
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)


@dataclass
class Topology:
    """nginx, the app processes and a worker; `supervise` restarts what dies until told to stop."""

    listen: int
    backend_ports: list[int]
    environment: dict[str, str]
    run_dir: Path
    static_root: Path
    apps: list[AppProcess] = field(default_factory=list)
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)
    stopping: bool = False

    def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        config = self.run_dir / "nginx.conf"
        config.write_text(render_nginx_config(listen=self.listen, backend_ports=self.backend_ports, run_dir=self.run_dir, static_root=self.static_root), encoding="utf-8")
        self.apps = [AppProcess(port, self.environment) for port in self.backend_ports]
        for app in self.apps:
            app.start()
        self.others.append(subprocess.Popen([nginx_binary(), "-c", str(config), "-p", str(self.run_dir), "-g", "daemon off;"], start_new_session=True))
        self.others.append(subprocess.Popen([sys.executable, "-m", "oneclass", "worker"], cwd=PROJECT_ROOT, env=self.environment, start_new_session=True))

    def wait_until_serving(self) -> None:
        """Until every app process answers /health and nginx serves the pages and the API."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        addresses = [f"http://127.0.0.1:{port}/health" for port in self.backend_ports] + [f"http://localhost:{self.listen}/health", f"http://localhost:{self.listen}/"]
        waiting = list(addresses)
        while waiting and time.monotonic() < deadline and not self.stopping:
            for process in [*self.others, *(app.process for app in self.apps if app.process)]:
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
            try:
                if httpx.get(waiting[0], timeout=2).status_code == 200:
                    waiting.pop(0)
                    continue
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        if waiting and not self.stopping:
            raise RuntimeError(f"not serving after {START_TIMEOUT_SECONDS}s: {waiting[0]}")

    def supervise(self) -> Iterator[AppProcess]:
        """Restart every app process that exits (yielding it) until `stop`."""
        while not self.stopping:
            for app in self.apps:
                if not app.alive() and not self.stopping:
                    time.sleep(RESTART_PAUSE_SECONDS)
                    app.restarts += 1
                    app.start()
                    yield app
            time.sleep(0.2)

    def stop(self) -> None:
        self.stopping = True
        for app in self.apps:
            app.stop()
        for process in self.others:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # Celery's warm shutdown; nginx's fast one
        for process in [*(a.process for a in self.apps if a.process), *self.others]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
