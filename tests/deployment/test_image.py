"""The Dockerfile: a pinned base image, the locked dependencies in a layer before the code,
health checks on the endpoints the server has, and no Pillow; `teams-package` without
Pillow says politely what to install."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.rigs.cli import invoke

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions (continuation lines joined, comments left out)."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_the_base_image_is_pinned_to_an_exact_tag_or_digest() -> None:
    bases = [rest for keyword, rest in instructions() if keyword == "FROM"]
    assert bases
    for base in bases:
        image = base.split()[0]
        assert "@sha256:" in image or re.fullmatch(r"[\w./-]+:\d+\.\d+\.\d+[\w.-]*", image), image


def test_dependencies_install_from_the_lock_in_a_layer_before_the_code() -> None:
    steps = instructions()
    lock_copy = steps.index(("COPY", "requirements.lock ./"))
    lock_install = next(i for i, (k, rest) in enumerate(steps)
                        if k == "RUN" and "-r requirements.lock" in rest)
    code = [i for i, (k, rest) in enumerate(steps)
            if k == "COPY" and rest.split()[0] in ("bot", "adapters", "prompts", "scheduler",
                                                   ".")]
    assert code and lock_copy < lock_install < min(code)
    final = next(rest for k, rest in steps[min(code):] if k == "RUN" and "pip install" in rest)
    assert "--no-deps" in final  # nothing resolved again after the locked layer


def test_the_lock_pins_every_runtime_dependency_and_leaves_pillow_out() -> None:
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pins = {line.split("==")[0].lower() for line in lines if "==" in line}
    assert {"sqlalchemy", "psycopg", "slack-bolt", "alembic", "cryptography"} <= pins
    assert "pillow" not in pins
    assert all("==" in line for line in lines
               if line and not line.startswith((" ", "#")))  # nothing unpinned


def test_the_health_checks_use_the_servers_endpoints() -> None:
    checks = " ".join(rest for keyword, rest in instructions() if keyword == "HEALTHCHECK")
    assert "/healthz" in checks
    assert "later" not in (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_teams_package_without_pillow_says_what_to_install(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)  # import PIL fails as if not installed
    monkeypatch.delitem(sys.modules, "adapters.teams.package", raising=False)
    out_file = tmp_path / "teams.zip"
    status, _, err = invoke(capsys, "teams-package", "--app-id",
                              "00000000-0000-0000-0000-000000000001", "--out", str(out_file))
    assert status == 2
    assert "pip install 'leercoach[teams-package]'" in err and "Traceback" not in err
    assert not out_file.exists()
