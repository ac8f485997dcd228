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

    def exited(self) -> bool:
        return self.process is None or self.process.poll() is not None


# Preloaded's fork server: imports what `forum serve` imports and builds the moderation engine its
# start-up warm-up builds (from the lexicons and the model shipped with the code: about 2.7 s of CPU
# a start, which each restart's first posts waited for), then forks one `forum serve` per "fork"
# line it reads and reaps it on "wait". Nothing else is opened before a fork (no settings read, no
# database, no thread), so each child starts the app, connects and recovers as a fresh process does.
_FORK_SERVER = """
import faulthandler, os, sys, threading, traceback
import uvicorn, app.cli, app.main
from app import i18n
from app.forum.screening import check_text
for lang in i18n.LOCALES:
    check_text("bonjour", lang)
assert threading.active_count() == 1, threading.enumerate()
for line in sys.stdin:
    command, _, rest = line.rstrip().partition(" ")
    if command == "fork":
        log, *args = rest.split(" ")
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                os.dup2(fd, 1)
                os.dup2(fd, 2)
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                faulthandler.enable()  # a crash in C code leaves its stack in the log
                os.setsid()
                sys.argv = ["forum", *args]
                app.cli.main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(pid, flush=True)
    elif command == "wait":
        print(os.waitpid(int(rest), 0)[1], flush=True)
os._exit(0)  # no interpreter shutdown: with the app imported it took over 15 s on a loaded machine
"""


class Preloaded(Served):
    """Like Served, but each start forks from a process that has already imported the app: the
    imports of a cold start (most of ten seconds on a loaded 2-core machine) are paid once, not at
    every start. For a test that kills and restarts the app many times: kill() is still a SIGKILL
    of the serving process, and each child reads its settings, opens the database and recovers it
    afresh. stop() ends the fork server too."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path, cwd: Path) -> None:
        super().__init__(args, env, log_path, cwd)
        self.server: subprocess.Popen[str] | None = None
        self.pid: int | None = None  # the serving child, until reaped

    def _ask(self, line: str) -> int:
        if self.server is None:
            self.server = subprocess.Popen([sys.executable, "-c", _FORK_SERVER], env=self.env, cwd=self.cwd,
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.server.stdin is not None and self.server.stdout is not None
        self.server.stdin.write(line + "\n")
        self.server.stdin.flush()
        answer = self.server.stdout.readline()
        if not answer:
            raise RuntimeError(f"the fork server exited (status {self.server.wait(10)})")
        return int(answer)

    def start(self) -> None:
        assert self.pid is None, "one serving child at a time"
        words = [str(self.log_path), *self.args]
        assert all(word and " " not in word for word in words)
        self.pid = self._ask(" ".join(["fork", *words]))

    def exited(self) -> bool:
        if self.pid is None:
            return True
        try:  # an exited child is a zombie (state Z) until the fork server reaps it
            return Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
        except FileNotFoundError:
            return True

    def status(self) -> str:
        """How the serving child ended (it has: exited() is true), for a test's failure message."""
        if self.pid is None:
            return "not started"
        status = self._ask(f"wait {self.pid}")
        self.pid = None
        if os.WIFSIGNALED(status):
            return f"killed by signal {os.WTERMSIG(status)}"
        return f"exit code {os.waitstatus_to_exitcode(status)}"

    def _end(self, sig: signal.Signals, timeout: float) -> None:
        if self.pid is None:
            return
        if not self.exited():
            os.killpg(self.pid, sig)
        deadline = time.monotonic() + timeout
        while not self.exited() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not self.exited():
            os.killpg(self.pid, signal.SIGKILL)
        self._ask(f"wait {self.pid}")
        self.pid = None

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a power cut or the OOM killer."""
        self._end(signal.SIGKILL, 10)

    def stop(self) -> None:
        self._end(signal.SIGTERM, 15)
        if self.server is not None:  # it holds nothing (no database, no port): killed if slow to go
            assert self.server.stdin is not None
            self.server.stdin.close()
            try:
                self.server.wait(30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait(10)
            self.server = None


class ServedApp(Served):
    """`forum serve` in a child process; with preload=True, forked from a process that has already
    imported the app (Preloaded), for a test that restarts it many times."""

    def __init__(self, settings: Settings, tmp_path: Path, *, workers: int = 1, preload: bool = False,
                 **env: str) -> None:
        self.port = free_port()
        args = ["serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)]
        super().__init__(args, child_env(settings, **env), tmp_path / f"app-{self.port}.log", tmp_path)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.preloaded = Preloaded(self.args, self.env, self.log_path, self.cwd) if preload else None

    def start(self, timeout: float = 90.0) -> None:
        """Generous: a loaded 2-core machine has been seen taking 25 s to spawn two workers."""
        if self.preloaded is not None:
            self.preloaded.start()
        else:
            super().start()
        deadline = time.monotonic() + timeout
        with self.client() as client:
            while time.monotonic() < deadline:
                if self.exited():
                    how = self.preloaded.status() if self.preloaded is not None else f"status {self.process.poll()}"
                    raise RuntimeError(f"the app exited at start ({how}):\n{self.logs()[-3000:]}")
                try:
                    if client.get("/livez", timeout=1).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        raise RuntimeError(f"the app did not answer within {timeout} s:\n{self.logs()[-3000:]}")

    def exited(self) -> bool:
        return self.preloaded.exited() if self.preloaded is not None else super().exited()

    def kill(self) -> None:
        self.preloaded.kill() if self.preloaded is not None else super().kill()

    def stop(self) -> None:
        self.preloaded.stop() if self.preloaded is not None else super().stop()

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
