"""A real `forum serve` (or `forum worker`) in a child process, for tests that need one.

The child gets its settings from the environment, exactly as in production, and
writes its logs to a file the test can read afterwards. Clients connect from a
loopback address of their own (CLIENT_ADDRESS), so a test can grep the logs for it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from app.db import Database
from app.settings import Settings
from tests.factories import PASSWORD, make_category, make_user

CLIENT_ADDRESS = "127.0.0.9"  # in 127.0.0.0/8, like every address these tests touch
FORUM = [sys.executable, "-c", "from app.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that gives a child process these settings (fast argon2, as in tests)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
    env.update({
        "FORUM_ENVIRONMENT": "test",
        "FORUM_DATABASE_URL": settings.database_url,
        "FORUM_DATA_DIR": str(settings.data_dir),
        "FORUM_SECRET_KEY": settings.secret_key,
        "FORUM_ARGON2__TIME_COST": str(settings.argon2.time_cost),
        "FORUM_ARGON2__MEMORY_KIB": str(settings.argon2.memory_kib),
        "FORUM_ARGON2__PARALLELISM": str(settings.argon2.parallelism),
        "FORUM_LOG_FORMAT": "json",
        "FORUM_RATE_LIMITS__ENABLED": str(settings.rate_limits.enabled).lower(),
        "FORUM_THROTTLE__SIGNUP_MIN_SECONDS": str(settings.throttle.signup_min_seconds),
    })
    env.update(extra)
    return env


class Served:
    """One child process; start() waits until it answers (or its readiness check passes)."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path, cwd: Path) -> None:
        self.args, self.env, self.log_path, self.cwd = args, env, log_path, cwd
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(FORUM + self.args, env=self.env, cwd=self.cwd, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a power cut or the OOM killer."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class ServedApp(Served):
    def __init__(self, settings: Settings, tmp_path: Path, *, workers: int = 1, **env: str) -> None:
        self.port = free_port()
        args = ["serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)]
        super().__init__(args, child_env(settings, **env), tmp_path / f"app-{self.port}.log", tmp_path)
        self.base_url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> None:
        """Generous: a loaded 2-core machine has been seen taking 25 s to spawn two workers."""
        super().start()
        deadline = time.monotonic() + timeout
        with self.client() as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise RuntimeError(f"the app exited at start:\n{self.logs()[-3000:]}")
                try:
                    if client.get("/livez", timeout=1).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        raise RuntimeError(f"the app did not answer within {timeout} s:\n{self.logs()[-3000:]}")

    def client(self, **kwargs: object) -> httpx.Client:
        options: dict[str, object] = {"timeout": 10, **kwargs}
        transport = httpx.HTTPTransport(local_address=CLIENT_ADDRESS)
        return httpx.Client(base_url=self.base_url, transport=transport, **options)  # type: ignore[arg-type]


def member_with_category(db: Database, pseudonym: str, slug: str) -> None:
    with Session(db.engine) as session:
        make_user(session, pseudonym)
        make_category(session, slug)
        session.commit()


def log_in(client: httpx.Client, pseudonym: str) -> str:
    """Log in through the API; the client keeps the session cookie. Returns the CSRF token."""
    response = client.post("/api/v1/session", json={"pseudonym": pseudonym, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def assert_logs_private(logs: str, *secrets: str) -> None:
    """No client address, pseudonym or text a member wrote in any log line."""
    for secret in (CLIENT_ADDRESS, *secrets):
        assert secret not in logs, f"{secret!r} found in the logs"
