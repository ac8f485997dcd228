"""deploy/: the compose file, systemd units, the nginx site and Caddyfile, checked as far as this machine can.

No Docker engine runs here, so compose is checked by reading it (each service's
command, health check, restart policy, and the migration step) and by running
each `forum` command it names. systemd units go through `systemd-analyze verify`,
the nginx site through `nginx -t`, the Caddyfile through `caddy validate`, when
those tools are installed (.ci/run installs them).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

from app.cli import cli
from app.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
FORUM_BIN = str(Path(sys.executable).parent / "forum")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / "compose.yaml").read_text()))


def _services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(compose["services"])


def _forum_command_exists(command: list[str]) -> None:
    assert command[0] == "forum", command
    words = [w for w in command[1:] if not w.startswith("-")][:1]
    result = CliRunner().invoke(cli, [*words, "--help"])
    assert result.exit_code == 0, f"`forum {' '.join(words)}` does not exist: {result.output}"


def test_compose_has_every_service_with_a_restart_policy(compose: dict[str, Any]) -> None:
    services = _services(compose)
    assert set(services) == {"postgres", "meilisearch", "migrate", "app", "worker", "research-worker", "proxy"}
    for name, service in services.items():
        expected = "no" if name == "migrate" else "unless-stopped"
        assert service.get("restart") == expected, name
        assert service["logging"]["options"]["max-size"], name  # container logs rotate


def test_migrations_run_once_before_the_app_and_worker_start(compose: dict[str, Any]) -> None:
    services = _services(compose)
    migrate = services["migrate"]
    script = " ".join(migrate["command"])
    assert "forum migrate" in script and script.index("forum migrate") < script.index("forum seed")
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("app", "worker", "research-worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy", name
        # The command replaces the image's: it must not be what silently skipped migrations before.
        assert "migrate" not in " ".join(services[name]["command"])
    assert services["proxy"]["depends_on"]["app"]["condition"] in ("service_started", "service_healthy")


def test_each_service_runs_the_right_command_and_health_check(compose: dict[str, Any]) -> None:
    services = _services(compose)
    app = services["app"]
    assert app["command"][:2] == ["forum", "serve"] and "0.0.0.0" in app["command"] and "8000" in app["command"]
    assert app["healthcheck"]["test"] == ["CMD", "forum", "check-ready", "--url", "http://127.0.0.1:8000/readyz"]
    assert services["worker"]["command"] == ["forum", "worker"]
    assert services["worker"]["healthcheck"]["test"] == ["CMD", "forum", "check-ready"]
    assert services["research-worker"]["command"] == ["forum", "research", "worker"]
    assert CliRunner().invoke(cli, ["research", "worker", "--help"]).exit_code == 0
    for name in ("app", "worker", "research-worker", "migrate"):
        _forum_command_exists(services[name]["command"] if name != "migrate" else ["forum", "migrate"])
    _forum_command_exists(["forum", "seed"])
    _forum_command_exists(["forum", "check-ready"])
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "/health" in " ".join(services["meilisearch"]["healthcheck"]["test"])
    assert "--spider" not in " ".join(services["meilisearch"]["healthcheck"]["test"])  # /health refuses HEAD
    assert services["proxy"]["healthcheck"]["test"]
    assert services["migrate"]["healthcheck"] == {"disable": True}  # one-shot
    for name, service in services.items():
        if name != "migrate":
            check = service["healthcheck"]
            assert check["test"][0] in ("CMD", "CMD-SHELL") and "interval" in check, name


def test_app_and_worker_use_postgresql_meilisearch_and_the_external_worker(compose: dict[str, Any],
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    services = _services(compose)
    for name in ("migrate", "app", "worker"):
        env = services[name]["environment"]
        assert env["FORUM_ENVIRONMENT"] == "production"
        url = env["FORUM_DATABASE_URL"]
        assert url.startswith("postgresql://forum:") and url.endswith("@postgres:5432/forum")
        assert env["FORUM_SEARCH__BACKEND"] == "meilisearch" and env["FORUM_SEARCH__WORKER"] == "external"
    proxy_address = services["proxy"]["networks"]["backend"]["ipv4_address"]
    assert services["app"]["environment"]["FORUM_TRUSTED_PROXIES"] == f'["{proxy_address}"]'
    monkeypatch.setenv("FORUM_TRUSTED_PROXIES", services["app"]["environment"]["FORUM_TRUSTED_PROXIES"])
    assert Settings(_env_file=None).trusted_proxies == [proxy_address]  # parsed as the app will


def test_only_the_proxy_is_reachable_from_outside_and_data_lives_in_volumes(compose: dict[str, Any]) -> None:
    services = _services(compose)
    assert [name for name, s in services.items() if s.get("ports")] == ["proxy"]
    named = set(compose["volumes"])
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source.startswith(".") or source in named, volume
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "meilidata:/meili_data" in services["meilisearch"]["volumes"]


def test_postgres_image_matches_the_backup_tools_in_the_app_image(compose: dict[str, Any]) -> None:
    major = _services(compose)["postgres"]["image"].split(":")[1].split(".")[0]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert f"postgresql-client-{major}" in dockerfile  # pg_dump refuses a newer server
    assert 'CMD ["forum", "serve"' in dockerfile and "USER forum" in dockerfile


def _setting_names(model: type[BaseModel] = Settings, prefix: str = "FORUM_") -> set[str]:
    names = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= _setting_names(annotation, f"{prefix}{name.upper()}__")
        else:
            names.add(f"{prefix}{name.upper()}")
    return names


def test_env_example_lists_every_setting_and_every_compose_variable(compose: dict[str, Any]) -> None:
    text = (DEPLOY / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.M))
    missing = _setting_names() - listed
    assert not missing, f"add these settings to deploy/.env.example: {sorted(missing)}"
    unknown = {n for n in listed if n.startswith("FORUM_")} - _setting_names() - {"FORUM_DOMAIN", "FORUM_WORKERS"}
    assert not unknown, f"deploy/.env.example names settings that do not exist: {sorted(unknown)}"
    used = set(re.findall(r"\$\{([A-Z_]+)", (DEPLOY / "compose.yaml").read_text() + (DEPLOY / "Caddyfile").read_text()))
    assert used <= listed, used - listed


def test_systemd_units_verify() -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    units = sorted((DEPLOY / "systemd").iterdir())
    assert {u.name for u in units} == {"forum.service", "forum-worker.service", "forum-backup.service",
                                       "forum-backup.timer"}
    service = (DEPLOY / "systemd" / "forum.service").read_text()
    assert service.index("forum migrate") < service.index("ExecStart=")  # migrations first
    assert "forum backup --keep" in (DEPLOY / "systemd" / "forum-backup.service").read_text()
    pattern = re.compile(r"^Exec\w+=(?:/bin/sh -c '.*?)?/srv/forum/\.venv/bin/forum ([\w-]+)", re.M)
    commands = {command for unit in units for command in pattern.findall(unit.read_text())}
    assert commands == {"migrate", "seed", "serve", "check-ready", "worker", "backup"}
    for command in commands:
        _forum_command_exists(["forum", command])


def test_systemd_units_pass_systemd_analyze(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    for unit in (DEPLOY / "systemd").iterdir():
        # The installed path of `forum` on a server, replaced by this checkout's (verify checks it exists).
        (tmp_path / unit.name).write_text(unit.read_text().replace("/srv/forum/.venv/bin/forum", FORUM_BIN))
    result = subprocess.run(["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def test_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed (apt install nginx-light)")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=forum.example.be",
                    "-days", "1", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    site = (DEPLOY / "nginx" / "forum.conf").read_text()
    assert "access_log off;" in site and "location = /metrics { return 404; }" in site
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site  # replaced, not appended
    assert "location /api/ { return 403; }" in site  # plain-HTTP API calls fail instead of being redirected
    site = (site.replace("/etc/letsencrypt/live/forum.example.be/fullchain.pem", str(tmp_path / "cert.pem"))
            .replace("/etc/letsencrypt/live/forum.example.be/privkey.pem", str(tmp_path / "key.pem"))
            .replace("/var/log/nginx/", f"{tmp_path}/"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
                                         f"events {{}}\nhttp {{\n  include {tmp_path}/site.conf;\n}}\n")
    result = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and "test is successful" in result.stderr, result.stderr


def test_caddyfile_validates() -> None:
    if shutil.which("caddy") is None:
        pytest.skip("caddy is not installed (apt install caddy)")
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    assert "respond /metrics 404" in caddyfile and "\tlog" not in caddyfile  # no access log
    assert 'handle /api/* {\n\t\trespond "Use HTTPS." 403' in caddyfile  # no silent HTTP-to-HTTPS for the API
    env = {**os.environ, "FORUM_DOMAIN": "forum.example.be"}
    result = subprocess.run(["caddy", "validate", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
                            capture_output=True, text=True, timeout=60, check=False, env=env)
    assert result.returncode == 0 and "Valid configuration" in result.stdout + result.stderr, result.stderr
