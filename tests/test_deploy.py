"""What docs/deploy.md promises: production settings pass `check --deploy`, live and test Stripe keys go
only where they belong, the Procfile's and systemd units' commands exist and start, and the webhook's
list of events is exactly what the code handles."""

import configparser
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from payments import registry

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEPLOYED_AT = "/srv/reader-revenue"


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STRIPE_", "DATABASE_", "SITE_"))
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="support.example.org",
        SITE_URL="https://support.example.org",
        STRIPE_SECRET_KEY="sk_live_deploy_test",
        STRIPE_PUBLISHABLE_KEY="pk_live_deploy_test",
        STRIPE_WEBHOOK_SECRET="whsec_deploy_test",
        MEMBER_TOKEN_SECRET=secrets.token_urlsafe(40),
    )
    return {**env, **overrides}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_staff_two_factor_is_required_in_production():
    shown = "from django.conf import settings; print(settings.STAFF_MFA_REQUIRED)"
    result = manage("shell", "-c", shown, env=production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_a_live_key_with_debug_on_refuses_to_start():
    result = manage("check", env=production_env(DJANGO_DEBUG="true"))

    assert result.returncode == 1
    assert "STRIPE_SECRET_KEY is a live key (sk_live_) while DJANGO_DEBUG is on" in result.stderr


def test_a_test_key_in_production_refuses_to_start():
    result = manage(
        "check", env=production_env(STRIPE_SECRET_KEY="sk_test_x", STRIPE_PUBLISHABLE_KEY="pk_test_x")
    )

    assert result.returncode == 1
    assert "STRIPE_SECRET_KEY is a test key (sk_test_) in production" in result.stderr


def test_a_staging_site_may_run_on_test_keys():
    env = production_env(
        STRIPE_SECRET_KEY="sk_test_x", STRIPE_PUBLISHABLE_KEY="pk_test_x", STAGING_SITE="true"
    )

    assert manage("check", env=env).returncode == 0


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def units() -> dict[str, configparser.ConfigParser]:
    parsed = {}
    for path in sorted((ROOT / "deploy" / "systemd").glob("*.service")):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str  # systemd's keys are case-sensitive
        parser.read(path)
        parsed[path.stem] = parser
    return parsed


def local(command: str) -> list[str]:
    """A process file's command as this checkout runs it: its virtualenv's programs, from the root."""
    words = shlex.split(command.replace(f"{DEPLOYED_AT}/.venv/bin/", ""))
    program = words[0]
    return [sys.executable if program == "python" else str(VENV_BIN / program), *words[1:]]


def runs_with_help(words: list[str]) -> subprocess.CompletedProcess:
    """The command's program and subcommand, asked for --help: it exists and loads the project."""
    keep = 3 if Path(words[0]).name == "celery" else 2 if words[1:2] == ["manage.py"] else 1
    env = {**os.environ, "DJANGO_DEBUG": "true"}
    return subprocess.run(
        [*words[:keep], "--help"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_procfile_has_the_four_processes():
    assert set(procfile()) == {"release", "web", "worker", "beat"}


@pytest.mark.parametrize("name", ["release", "web", "worker", "beat"])
def test_every_procfile_command_starts(name):
    for command in procfile()[name].split(" && "):
        result = runs_with_help(local(command))
        assert result.returncode == 0, (command, result.stderr[-2000:])


def test_the_systemd_units_run_the_procfiles_web_worker_and_beat():
    commands = {name: unit["Service"]["ExecStart"] for name, unit in units().items()}

    assert set(commands) == {"reader-revenue-web", "reader-revenue-worker", "reader-revenue-beat"}
    for process in ("web", "worker", "beat"):
        unit = shlex.split(commands[f"reader-revenue-{process}"].replace(f"{DEPLOYED_AT}/.venv/bin/", ""))
        procfile_words = shlex.split(procfile()[process])
        assert unit[: len(procfile_words) - 2] == procfile_words[: len(procfile_words) - 2]


@pytest.mark.parametrize("name", ["reader-revenue-web", "reader-revenue-worker", "reader-revenue-beat"])
def test_every_systemd_command_starts(name):
    service = units()[name]["Service"]
    assert service["WorkingDirectory"] == DEPLOYED_AT
    for key in ("ExecStartPre", "ExecStart"):
        if key in service:
            result = runs_with_help(local(service[key]))
            assert result.returncode == 0, (service[key], result.stderr[-2000:])


def test_the_web_unit_checks_the_deployment_before_starting():
    assert "manage.py check --deploy" in units()["reader-revenue-web"]["Service"]["ExecStartPre"]


def test_the_webhook_registration_enables_exactly_the_events_the_code_handles():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    enabled = re.search(r"--enabled-events (\S+)", guide).group(1).split(",")

    assert sorted(enabled) == sorted(registry._event_handlers)
