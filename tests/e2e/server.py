"""The application served for real on 127.0.0.1, with its own fresh SQLite database.

The server runs in a child process (as `forum serve` would), so the browser, the
server and the test code use both cores. The test keeps a `Database` on the same
file to arrange data through the services and to read what the app stored.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from app.cli import migrate_database
from app.db import Database
from app.settings import Argon2Settings, Settings

ROOT = Path(__file__).resolve().parents[2]
SECRET = "e2e-secret-" + "x" * 40
# Fast argon2 in tests only; production keeps RFC 9106 parameters.
FAST_ARGON2 = Argon2Settings(time_cost=1, memory_kib=1024, parallelism=1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """`with LiveServer(dir) as server:` serves a migrated, empty forum at `server.url`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.database_url = f"sqlite:///{data_dir / 'forum.sqlite3'}"
        self.settings = Settings(environment="test", database_url=self.database_url, data_dir=data_dir,
                                 secret_key=SECRET, argon2=FAST_ARGON2)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.db: Database | None = None

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
        env.update({
            "FORUM_ENVIRONMENT": "test", "FORUM_DATABASE_URL": self.database_url,
            "FORUM_DATA_DIR": str(self.data_dir), "FORUM_SECRET_KEY": SECRET,
            "FORUM_ARGON2__TIME_COST": "1", "FORUM_ARGON2__MEMORY_KIB": "1024", "FORUM_ARGON2__PARALLELISM": "1",
            # The browser tests sign up many members from one address.
            "FORUM_THROTTLE__SIGNUPS_PER_CLIENT": "1000", "FORUM_THROTTLE__PER_CLIENT": "1000",
            # ... at machine speed: no sign-up time check, no posting/search/API rate limits.
            "FORUM_THROTTLE__SIGNUP_MIN_SECONDS": "0", "FORUM_RATE_LIMITS__ENABLED": "false",
        })
        return env

    def start(self) -> LiveServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        migrate_database(self.database_url)
        code = ("import uvicorn; uvicorn.run('app.main:create_app', factory=True, host='127.0.0.1', "
                f"port={self.port}, access_log=False, log_level='warning', server_header=False)")
        log = (self.data_dir / "server.log").open("wb")
        self.process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=self._env(),
                                        stdout=log, stderr=subprocess.STDOUT)
        # Generous, as tests/served.py: on a loaded shared 2-core machine the app took 36 s to answer.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: see {self.data_dir / 'server.log'}")
            try:
                with urllib.request.urlopen(self.url + "/livez", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not answer within 90 s")
        self.db = Database(self.settings)
        return self

    def stop(self) -> None:
        if self.db is not None:
            self.db.dispose()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log_text(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
