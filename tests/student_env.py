"""A student's Python: only the bundle's wheel, never this repository.

Creating a virtual environment and installing TensorFlow into it takes minutes
and a network, so the student environment is a fresh venv (no system site
packages) whose site-packages holds the wheel, plus a ``.pth`` line that makes
the *third-party* packages of this interpreter's site-packages visible (NumPy,
TensorFlow, JupyterLab, nbgrader...). A ``.pth`` line only adds a folder to
``sys.path``: the ``.pth`` files inside that folder are not run, so this
repository's editable install (a ``.pth`` hook) is not active there, and the
only ``autograder`` is the wheel's. :func:`student_venv` asserts it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from autograder import nbgrader_tools as tools
from autograder.bundle import package_url, write_bundle

from .conftest import ROOT


def build_bundle(destination: Path):
    """Write the student bundle of every assignment into ``destination``."""
    ids = sorted(p.name for p in (ROOT / "release").iterdir() if p.is_dir())
    return write_bundle(ROOT, ids, destination, url=package_url(tools.load_config(ROOT)))


def python_of(venv: Path) -> Path:
    """Return the interpreter of a virtual environment."""
    return venv / "bin" / "python"


def site_packages_of(venv: Path) -> Path:
    """Return the site-packages folder of a virtual environment made by this interpreter."""
    found = sorted((venv / "lib").glob("python3*/site-packages"))
    assert len(found) == 1, found
    return found[0]


def student_env(venv: Path, cwd: Path) -> dict[str, str]:
    """Return an environment for the student's processes: nothing of this repository."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER", "IAP_"))
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["HOME"] = str(cwd)
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # what a student has: the notebook must quiet TF
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


def make_venv(venv: Path) -> Path:
    """Create an empty venv that sees this interpreter's third-party packages (see above)."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True
    )
    main_site = sysconfig.get_paths()["purelib"]
    (site_packages_of(venv) / "_course_libraries.pth").write_text(main_site + "\n")
    return python_of(venv)


def run_in(venv: Path, cwd: Path, code: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run Python ``code`` with the student's interpreter in ``cwd``."""
    return subprocess.run(
        [str(python_of(venv)), "-c", code],
        cwd=cwd,
        env=student_env(venv, cwd),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_repository_not_importable(venv: Path, cwd: Path) -> None:
    """The student's ``autograder``, if any, is not this repository's."""
    probe = run_in(
        venv,
        cwd,
        "import importlib.util as u; s = u.find_spec('autograder'); "
        "print(s.origin if s else 'none'); "
        "print(u.find_spec('autograder.nbgrader_tools') is not None if s else False)",
    )
    assert probe.returncode == 0, probe.stderr
    origin, has_pipeline = probe.stdout.split()
    assert not origin.startswith(str(ROOT)), f"the repository's autograder is importable: {origin}"
    assert has_pipeline == "False", "the instructor pipeline is importable in the student venv"


def student_venv(venv: Path, wheel: Path, cwd: Path) -> Path:
    """Create the student's venv with only the wheel installed; return its interpreter."""
    python = make_venv(venv)
    assert_repository_not_importable(venv, cwd)
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        cwd=cwd,
        env=student_env(venv, cwd),
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    assert_repository_not_importable(venv, cwd)
    return python
