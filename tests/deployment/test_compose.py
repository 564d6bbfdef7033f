"""compose.yaml: valid by the Compose Specification's published JSON schema (there is no
Docker engine here to ask), and the deployment it describes: PostgreSQL, a one-shot
`db upgrade` that everything else waits for, `serve` replicas without the scheduler, one
scheduler, health checks on /readyz, and secrets only as files."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from adapters.cli.main import build_parser
from bot.config import is_secret

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "contracts" / "schemas" / "compose-spec.json"
APP_SERVICES = ("migrate", "web", "scheduler")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_compose_yaml_validates_against_the_compose_specification(
        compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_the_schema_check_can_fail(compose: dict[str, Any]) -> None:
    """The vendored schema is the real one: a misspelt key is refused."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = {**compose, "services": {**compose["services"], "web": {
        **compose["services"]["web"], "depends_onn": ["db"]}}}
    assert not Draft7Validator(schema).is_valid(broken)


def _command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_every_command_is_one_the_leercoach_command_takes(compose: dict[str, Any]) -> None:
    parser = build_parser()
    for name in APP_SERVICES:
        command = _command(compose["services"][name])
        assert command[0] == "leercoach", name
        parser.parse_args(command[1:])  # exits (fails the test) on an unknown option


def test_postgres_then_one_upgrade_then_replicas_and_a_scheduler(
        compose: dict[str, Any]) -> None:
    services = compose["services"]
    db = services["db"]
    assert db["image"].startswith("postgres:") and db["image"].split(":")[1][0].isdigit()
    assert "pg_isready" in db["healthcheck"]["test"]

    migrate = services["migrate"]
    assert _command(migrate) == ["leercoach", "db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"

    web, scheduler = services["web"], services["scheduler"]
    assert "--no-scheduler" in _command(web) and web["deploy"]["replicas"] >= 2
    assert _command(scheduler)[1] == "serve" and "--no-scheduler" not in _command(scheduler)
    assert scheduler.get("deploy", {}).get("replicas", 1) == 1
    for service in (web, scheduler):
        assert service["depends_on"]["migrate"]["condition"] == \
            "service_completed_successfully"
        assert "/readyz" in " ".join(service["healthcheck"]["test"])
    assert {services[name]["image"] for name in APP_SERVICES} == {web["image"]}
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_secrets_come_from_files_never_from_the_compose_file(compose: dict[str, Any]) -> None:
    declared = compose["secrets"]
    assert all(set(secret) == {"file"} for secret in declared.values())
    for name, service in compose["services"].items():
        environment = service.get("environment", {})
        for variable, value in environment.items():
            if is_secret(variable) or variable.endswith("_URL"):
                plain = variable.endswith("_FILE") or not value or value.startswith(
                    ("https://${", "http://${"))
                assert plain, f"{name}: {variable} holds a value; give it as a file"
            if variable.endswith("_FILE") and value.startswith("/run/secrets/"):
                assert value.removeprefix("/run/secrets/") in service["secrets"], variable
