"""The Makefile and the locks: a first run that says what it needs and installs only what runs."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _fake_python(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "python"
    script.write_text(f'#!/bin/sh\ncase "$*" in\n{body}\n  *) exit 3;;\nesac\n')
    script.chmod(0o755)
    return script


def _make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    return {
        name.lower(): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", text, re.M)
    }


def _name(requirement: str) -> str:
    return re.split(r"[=<>!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_make_run_on_an_old_python_says_what_it_needs_in_one_line_and_builds_nothing(tmp_path):
    old = _fake_python(
        tmp_path, "  *version_info*) echo False;;\n  *python_version*) echo 3.10.12;;"
    )
    venv = tmp_path / "venv"
    result = _make("run", f"PYTHON={old}", f"VENV={venv}")
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "needs Python 3.11 or newer" in lines[0]
    assert "3.10.12" in lines[0]
    assert "make run PYTHON=" in lines[0]
    assert not venv.exists()


def test_a_missing_python_is_named_as_missing(tmp_path):
    venv = tmp_path / "venv"
    result = _make("setup", f"PYTHON={tmp_path / 'no-such-python'}", f"VENV={venv}")
    assert result.returncode != 0
    assert "no-such-python is not found" in result.stderr
    assert not venv.exists()


def test_a_venv_that_fails_half_way_is_removed(tmp_path):
    # Passes the version check, then leaves a half-made venv behind and fails.
    broken = _fake_python(
        tmp_path,
        '  *version_info*) echo True;;\n  *"-m venv"*) mkdir -p "$3/bin"; touch "$3/pyvenv.cfg"; exit 1;;',
    )
    venv = tmp_path / "venv"
    result = _make("setup", f"PYTHON={broken}", f"VENV={venv}")
    assert result.returncode != 0
    assert not venv.exists()


def test_the_runtime_lock_holds_no_test_tools_and_the_test_lock_adds_them():
    run, test = _pins("requirements.lock"), _pins("requirements-dev.lock")
    for tool in ("pytest", "playwright", "ruff", "hypothesis"):
        assert tool not in run
        assert tool in test
    assert "fonttools" in run
    # The test lock is made with the runtime lock as constraints: the same versions of both.
    assert {name: test[name] for name in run if name in test} == {
        name: version for name, version in run.items() if name in test
    }


def test_every_pin_in_both_locks_carries_a_hash():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / lock).read_text()
        blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text.split("\n", 2)[2])
        assert blocks
        for block in blocks:
            if "==" in block.split("\n", 1)[0]:
                assert "--hash=sha256:" in block, f"{lock}: {block.splitlines()[0]}"


def test_every_dependency_in_pyproject_is_pinned_in_its_lock_at_the_same_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    run, test = _pins("requirements.lock"), _pins("requirements-dev.lock")
    for lock, requirements in (
        (run, project["dependencies"]),
        (test, project["optional-dependencies"]["dev"]),
    ):
        for requirement in requirements:
            name = _name(requirement)
            assert name in lock, f"{name} is not in the lock: run make lock"
            if "==" in requirement:
                assert lock[name] == requirement.split("==")[1], f"{name}: run make lock"


def test_make_run_names_the_font_packages_that_are_missing(tmp_path):
    fonts = tmp_path / "fonts"
    (fonts / "noto").mkdir(parents=True)
    (fonts / "noto" / "NotoSerif-Regular.ttf").touch()
    result = _make("fonts", f"CARD_FONT_DIR={fonts}")
    assert result.returncode == 0
    assert "apt-get install fonts-noto-cjk fonts-noto-color-emoji" in result.stdout
    assert "fonts-noto-core" not in result.stdout
    for name in ("NotoSansCJK-Regular.ttc", "NotoColorEmoji.ttf"):
        (fonts / "noto" / name).touch()
    assert _make("fonts", f"CARD_FONT_DIR={fonts}").stdout == ""


def test_make_run_checks_the_fonts_before_serving():
    plan = _make("-n", "run", "VENV=.venv").stdout
    assert plan.index("NotoSerif-Regular.ttf") < plan.index("manage.py serve")
    assert "--host 127.0.0.1 --port 5000" in plan
    assert "--host 0.0.0.0" in _make("-n", "run", "HOST=0.0.0.0").stdout
