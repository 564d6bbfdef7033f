"""`leercoach config check`: the effective settings with secrets masked, and a bad setting
stopping the start with the variable's name and the form it needs."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet

from tests.rigs.cli import clean_env, run

KEY = Fernet.generate_key().decode()
SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-111-222-abcdefabcdef",
    "SLACK_SIGNING_SECRET": "8f14e45fceea167a5a36dedd4bea2543",
    "LEERCOACH_ENCRYPTION_KEY": KEY,
}


def test_config_check_prints_the_effective_settings_with_secrets_masked(tmp_path: Path) -> None:
    password_file = tmp_path / "teams_password"
    password_file.write_text("Teams-app-p@ssw0rd\n")
    done = run(tmp_path, "config", "check", env=clean_env(
        **SECRETS,
        LEERCOACH_DATABASE_URL="postgresql://coach:db-pass-123@db:5432/leercoach",
        LEERCOACH_PERIODIC_TIME="08:45",
        MICROSOFT_APP_ID="00000000-0000-0000-0000-000000000001",
        MICROSOFT_APP_PASSWORD_FILE=str(password_file),
    ))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for secret in [*SECRETS.values(), "db-pass-123", "Teams-app-p@ssw0rd"]:
        assert secret not in out + done.stderr
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "postgresql://coach:***@db:5432/leercoach" in lines["LEERCOACH_DATABASE_URL"]
    assert "08:45" in lines["LEERCOACH_PERIODIC_TIME"]
    assert "(default)" not in lines["LEERCOACH_PERIODIC_TIME"]
    assert "120  (default)" in lines["LEERCOACH_REMINDER_MINUTES"]
    for name in ("SLACK_BOT_TOKEN", "LEERCOACH_ENCRYPTION_KEY", "MICROSOFT_APP_PASSWORD"):
        assert "(set, hidden)" in lines[name]
    assert "Slack: one workspace" in out
    assert "Teams: the bot's Azure registration" in out
    assert out.rstrip().endswith("configuration OK")


def test_a_bad_setting_stops_with_its_name_and_form(tmp_path: Path) -> None:
    done = run(tmp_path, "config", "check",
               env=clean_env(LEERCOACH_REMINDER_MINUTES="twee uur"))
    assert done.returncode == 2
    assert "LEERCOACH_REMINDER_MINUTES must be a whole number" in done.stderr
    assert "Traceback" not in done.stderr

    done = run(tmp_path, "config", "check", env=clean_env(SLACK_BOT_TOKEN="xoxb-1"))
    assert done.returncode == 2
    assert "SLACK_SIGNING_SECRET is required" in done.stderr
    assert "xoxb-1" not in done.stderr


def test_config_check_shows_the_operations_settings_and_hides_the_metrics_token(
        tmp_path: Path) -> None:
    token = "metrics-token-0123456789"
    done = run(tmp_path, "config", "check", env=clean_env(
        LEERCOACH_METRICS_TOKEN=token, LEERCOACH_METRICS_PORT="9100",
        LEERCOACH_LOG_FORMAT="json"))
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines() if line.strip()}
    assert token not in done.stdout + done.stderr
    assert "(set, hidden)" in lines["LEERCOACH_METRICS_TOKEN"]
    assert "9100" in lines["LEERCOACH_METRICS_PORT"]
    assert "json" in lines["LEERCOACH_LOG_FORMAT"]
    assert "Metrics: http://127.0.0.1:9100/metrics and /metrics with the bearer token" \
        in done.stdout

    done = run(tmp_path, "config", "check", env=clean_env(LEERCOACH_METRICS_PORT="nine"))
    assert done.returncode == 2
    assert "LEERCOACH_METRICS_PORT must be a port number" in done.stderr
