"""The built wheel works on its own: migrations and templates ship inside it.

The wheel goes into a fresh virtualenv, without the checkout on sys.path. Its
dependencies come from the test interpreter's site-packages (a .pth file), so the test
needs no network.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

# One worker builds the wheel and the virtualenv once for both tests (module fixtures).
pytestmark = pytest.mark.xdist_group("wheel")

REPO = Path(__file__).resolve().parent.parent
SHIPPED = (
    "pmtool/_db/env.py",
    "pmtool/_db/versions/0001_initial_schema.py",
    "pmtool/_templates/checklists/clinical-ai.txt",
)


def run_checked(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, **kwargs
    )  # type: ignore[call-overload]
    assert completed.returncode == 0, (command, completed.stdout, completed.stderr)
    return completed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)]
    if importlib.util.find_spec("hatchling") is not None:
        command.insert(4, "--no-isolation")  # the backend is here: no download needed
    run_checked(command)
    wheels = list(out.glob("pmtool-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel installed; returns its bin folder."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    run_checked(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)]
    )
    python = venv / "bin" / "python"
    run_checked(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            str(wheel),
        ]
    )
    # Only now make the dependencies visible (after the install, so pip never sees the
    # checkout's editable pmtool and never touches it).
    site_packages = run_checked(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
    ).stdout.strip()
    Path(site_packages, "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def test_wheel_ships_migrations_and_templates(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in SHIPPED:
        assert shipped in names
    assert not any(name.startswith(("tests/", "db/", "templates/")) for name in names)


@pytest.mark.slow
def test_installed_wheel_runs_outside_the_checkout(installed: Path, tmp_path: Path):
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env["PMTOOL_DB"] = str(workdir / "team.db")

    def pmtool(*args: str) -> str:
        return run_checked([str(installed / "pmtool"), *args], cwd=workdir, env=env).stdout

    from pmtool import __version__

    assert pmtool("--version") == f"pmtool, version {__version__}\n"
    assert pmtool("init").startswith(f"Created a pmtool database at {workdir / 'team.db'}")
    assert pmtool("project", "add", "PM", "Sepsis", "--dod-template", "clinical-ai") == (
        "Created project PM: Sepsis\n"
    )
    assert pmtool("task", "add", "Freeze the ICU cohort", "--points", "5") == "PM-1\n"
    assert "Freeze the ICU cohort" in pmtool("task", "list")
    assert "Risk log reviewed" in pmtool("task", "move", "PM-1", "done")

    where = run_checked(
        [
            str(installed / "python"),
            "-c",
            "import pmtool, pmtool.resources as r; "
            "print(pmtool.__file__); print(r.migrations_dir()); print(r.templates_dir())",
        ],
        cwd=workdir,
        env=env,
    ).stdout.split()
    venv = installed.parent
    assert all(Path(path).is_relative_to(venv) for path in where), where
    assert not any(Path(path).is_relative_to(REPO) for path in where)
