"""The gradebook keeps every grade when a grading run is killed and started again.

(PostgreSQL: ``tests/test_cluster.py`` grades into an embedded server and compares it
with the stored SQLite run, then exports from it.)
"""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from autograder import nbgrader_tools as tools

from .conftest import ROOT
from .test_grading import EXPECTED_1_1

A = "1.1_RegresionLineal"


def _course(root, config_extra=""):
    """A copy of the course with assignment 1.1 and the example submissions in submitted/."""
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / A, root / name / A)
    config = (ROOT / "nbgrader_config.py").read_text()
    (root / "nbgrader_config.py").write_text(config + config_extra)
    for student in EXPECTED_1_1:
        shutil.copytree(
            ROOT / "examples" / "submissions" / student / A, root / "submitted" / student / A
        )
    return root


def _auto_scores(course):
    return {g.student: g.auto_score for g in tools.grades(course)}


# --- an interrupted run -------------------------------------------------------------


@pytest.mark.slow
def test_a_killed_grading_run_loses_nothing_when_started_again(tmp_path):
    course = _course(tmp_path / "course")
    private_tmp = tmp_path / "tmp"  # where the killed run's kernels leave their folders
    private_tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    command = [sys.executable, "-m", "autograder.cli", "--course", str(course), "grade"]
    run = subprocess.Popen(
        [*command, "--jobs", "2", A],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # kill everything (workers included) once the first submission is in the gradebook
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and run.poll() is None:
            if (course / "gradebook.db").exists() and any(
                (course / "autograded").glob(f"*/{A}/{A}.ipynb")
            ):
                break
            time.sleep(0.2)
        assert run.poll() is None, "the run finished before it could be interrupted"
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    # the gradebook survived the kill: SQLite is intact
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # started again, the run grades everything, exactly
    again = subprocess.run([*command, "--jobs", "2", A], env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stdout + again.stderr
    assert _auto_scores(course) == EXPECTED_1_1
    assert len(tools.cell_scores(course)) == len(EXPECTED_1_1) * 15
