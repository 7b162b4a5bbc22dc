"""nbgrader's exchange with this course's config, as on a JupyterHub.

On a hub the instructor and every student are different users sharing one
exchange folder; here they are different working folders (and student ids)
sharing a temporary exchange, and every step is nbgrader's own command:
release_assignment, fetch_assignment, submit, collect, autograde (the course's
pipeline: sandbox, resilient execution), generate_feedback, release_feedback,
fetch_feedback.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import nbgrader_tools as tools

from .conftest import ROOT

A = "1.1_RegresionLineal"
STUDENT = "hub_ana"


def nbgrader(cwd: Path, *args: str, exchange: Path, student: str | None = None) -> str:
    command = [sys.executable, "-m", "nbgrader", *args, f"--Exchange.root={exchange}"]
    if student:
        command.append(f"--CourseDirectory.student_id={student}")
    env = dict(os.environ)
    # as `nbgrader` would be run: the environment's scripts (nbgrader runs `alembic`) on PATH
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    run = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}"
    return run.stdout + run.stderr


@pytest.mark.slow
def test_exchange_round_trip_with_the_course_config(tmp_path):
    course, home, exchange = tmp_path / "course", tmp_path / "home" / STUDENT, tmp_path / "exchange"
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / A, course / name / A)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    home.mkdir(parents=True)
    exchange.mkdir()
    exchange.chmod(0o777)  # as on a hub: every user writes into the exchange
    # A student's hub has a global config naming the course (here: in the student's folder).
    (home / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "iap-unidad1"\n'
    )
    course_id = tools.course_id(course)
    assert course_id == "iap-unidad1"

    # Instructor: generate and release.
    nbgrader(course, "generate_assignment", A, "--force", exchange=exchange)
    nbgrader(course, "release_assignment", A, exchange=exchange)
    assert (exchange / course_id / "outbound" / A / f"{A}.ipynb").is_file()

    # Student: fetch, work (the example "ana_completa" answers), submit.
    nbgrader(home, "fetch_assignment", A, exchange=exchange)
    fetched = home / A / f"{A}.ipynb"
    assert nbformat.read(fetched, as_version=4) == nbformat.read(
        ROOT / "release" / A / f"{A}.ipynb", as_version=4
    )
    shutil.copy(ROOT / "examples" / "submissions" / "ana_completa" / A / f"{A}.ipynb", fetched)
    nbgrader(home, "submit", A, exchange=exchange, student=STUDENT)

    # Instructor: collect, autograde with the course's pipeline, feedback.
    nbgrader(course, "collect", A, exchange=exchange)
    assert (course / "submitted" / STUDENT / A / f"{A}.ipynb").is_file()
    nbgrader(course, "autograde", A, exchange=exchange)
    [grade] = [g for g in tools.grades(course) if g.student == STUDENT]
    assert grade.auto_score == 20.0 and grade.needs_manual_grade
    nbgrader(course, "generate_feedback", A, exchange=exchange)
    nbgrader(course, "release_feedback", A, exchange=exchange)

    # Student: fetch the feedback.
    nbgrader(home, "fetch_feedback", A, exchange=exchange, student=STUDENT)
    [html] = (home / A / "feedback").glob(f"*/{A}.html")
    text = html.read_text(encoding="utf-8")
    assert "¡Pruebas visibles superadas!" in text
    assert "BEGIN HIDDEN TESTS" not in text  # the course's feedback hides the hidden tests
