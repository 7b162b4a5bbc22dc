"""The grader's process envelope: every job in a bounded child, a per-job deadline, signals.

One batch of 1.1 through ``autograder grade`` (in this process, so that the tests can watch
the jobs' children through ``executor.observers``):

- ``honest`` (complete, 20/20) and ``untouched`` (0);
- ``keras_bomb``: ``normal_equation`` returns an object that the (student-controlled) kernel
  agent describes as an unbuilt Keras model of 3 x Dense(16384) (about 3 GiB of weights when
  built, 9 GiB measured without a cap): the harness side runs out of its memory cap (set low
  here), the cells of ``normal_equation`` and the end-to-end cell that uses it score 0, the
  rest is graded, and the child's peak memory stays under the cap;
- ``killed``: its child gets SIGKILL when test_linear_gradients starts: the cells graded
  before keep their points, the rest score 0 with a Spanish note, the batch goes on.

Then a batch where one job never comes back (the coordinator's per-job deadline), and
SIGTERM to a running ``autograder grade`` (no process of the batch left; a rerun grades the
rest with the same grades).
"""

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from autograder import cli, mutation
from autograder import nbgrader_tools as tools
from autograder.grade import executor, executors

from .conftest import ROOT, release_nb, source_nb

pytestmark = pytest.mark.xdist_group("grader_bounds")

A = "1.1_RegresionLineal"
GiB = 2**30
#: The harness side's address-space cap in the bomb's batch (the child starts near 1 GiB).
MEMORY_LIMIT = int(3.5 * GiB)


def _layer(units: int, name: str, inputs: int) -> dict:
    return {
        "module": "keras.layers",
        "class_name": "Dense",
        "config": {"name": name, "units": units, "activation": "linear", "use_bias": True},
        "registered_name": None,
        "build_config": {"input_shape": [None, inputs]},
    }


#: 3 x Dense(16384) on 16384 inputs, described by JSON only (the kernel never imports Keras).
BOMB_CONFIG = {
    "module": "keras",
    "class_name": "Sequential",
    "config": {
        "name": "bomba",
        "layers": [
            {
                "module": "keras.layers",
                "class_name": "InputLayer",
                "config": {"batch_shape": [None, 16384], "dtype": "float32", "name": "entrada"},
                "registered_name": None,
            },
            *(_layer(16384, f"densa{i}", 16384) for i in range(3)),
        ],
        "build_input_shape": [None, 16384],
    },
    "registered_name": None,
    "build_config": {"input_shape": [None, 16384]},
}

_BOMB = f"""import json as _json
import autograder.run.agent as _A
class _Bomba:
    pass
_real_special = _A.Agent._special
def _special(self, value, encoder):
    if isinstance(value, _Bomba):
        return {{"$": "keras", "config": {json.dumps(json.dumps(BOMB_CONFIG))},
                "compile": None, "built": False, "weights": []}}
    return _real_special(self, value, encoder)
_A.Agent._special = _special
"""


def _complete():
    return mutation.student_submission(release_nb(A), source_nb(A))


def _bomb():
    nb = _complete()
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first_code + 1, new_code_cell(_BOMB))
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "normal_equation":
            cell.source = "def normal_equation(X, y):\n    return _Bomba()\n"
    return nb


def _points_before(grade_id: str) -> float:
    total = 0.0
    for cell in source_nb(A).cells:
        info = cell.get("metadata", {}).get("nbgrader", {})
        if info.get("grade_id") == grade_id:
            return total
        if info.get("grade") and not info.get("solution"):
            total += info["points"]
    raise KeyError(grade_id)


def _index(grade_id: str) -> int:
    cells = source_nb(A).cells
    return next(
        i for i, c in enumerate(cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def _course(path: Path, cases: dict, extra: str) -> Path:
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / A, path / name / A)
    (path / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text() + extra)
    for student, nb in cases.items():
        target = path / "submitted" / student / A / f"{A}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
    return path


def _scores(course: Path) -> dict:
    return {g.student: g.auto_score for g in tools.grades(course)}


@pytest.fixture(scope="module")
def bounded(tmp_path_factory):
    course = _course(
        tmp_path_factory.mktemp("bounds"),
        {
            "honest": _complete(),
            "untouched": release_nb(A),
            "keras_bomb": _bomb(),
            "killed": _complete(),
        },
        "\nc.Execute.timeout = 60\nc.ResilientExecute.notebook_timeout = 300\n"
        f"c.Executor.memory_limit = {MEMORY_LIMIT}\n",
    )
    kill_at = _index("test_linear_gradients")
    peaks: dict[str, int] = {}
    sizes: dict[str, int] = {}

    def observer(job, pid, message):
        if message[0] == "done":
            peaks[job.student] = message[3]
        elif message[0] == "start" and job.student not in sizes:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmSize:"):
                        sizes[job.student] = int(line.split()[1]) * 1024
        if job.student == "killed" and message[0] == "start" and message[2] == kill_at:
            os.kill(pid, signal.SIGKILL)

    executor.observers.append(observer)
    try:
        status = cli.main(["--course", str(course), "grade", "--jobs", "2", A])
    finally:
        executor.observers.remove(observer)
    print(f"executor children: address space at their first cell {sizes}, peak RSS {peaks}")
    return course, status, peaks, sizes


@pytest.mark.slow
def test_a_harness_memory_bomb_and_a_killed_job_lose_only_their_own_cells(bounded, capsys):
    course, status, peaks, sizes = bounded
    assert status == 0
    deserved_bomb = 20.0 - 3.0 - 2.0  # normal_equation's two cells and test_convergence
    assert _scores(course) == {
        "honest": 20.0,
        "untouched": 0.0,
        "keras_bomb": deserved_bomb,
        "killed": _points_before("test_linear_gradients"),
    }
    # the bomb's child survived its cap: it reported its peak, under the cap
    assert 0 < peaks["keras_bomb"] < MEMORY_LIMIT
    assert sizes["keras_bomb"] < MEMORY_LIMIT - int(1.5 * GiB)  # the cap is >1.5 GiB above it
    with capsys.disabled():
        print(
            f"\nkeras_bomb: child's peak RSS {peaks['keras_bomb'] / GiB:.2f} GiB under a cap of "
            f"{MEMORY_LIMIT / GiB:.2f} GiB (address space at its first cell "
            f"{sizes['keras_bomb'] / GiB:.2f} GiB)"
        )


@pytest.mark.slow
def test_the_killed_job_explains_itself_in_spanish(bounded):
    course = bounded[0]
    nb = nbformat.read(course / "autograded" / "killed" / A / f"{A}.ipynb", as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    assert not [o for o in by_id["test_mse_cost_hidden"].outputs if o.output_type == "error"]
    stopped = [o for o in by_id["test_linear_gradients"].outputs if o.output_type == "error"]
    assert stopped and stopped[0].ename == "CalificacionDetenida"
    assert "se detuvo en esta celda" in stopped[0].evalue
    later = [o for o in by_id["test_convergence"].outputs if o.output_type == "error"]
    assert later and "no se calificó" in later[0].evalue


def test_a_job_that_never_returns_is_failed_by_the_coordinators_deadline(tmp_path, monkeypatch):
    course = _course(
        tmp_path,
        {"honest": _complete(), "hangs": release_nb(A)},
        "\nc.Execute.timeout = 60\nc.ResilientExecute.notebook_timeout = 120\n"
        "c.Executor.deadline_margin = 5\nc.Coordinator.job_timeout_margin = 5\n",
    )
    release = threading.Event()
    real = executors.run_job

    def run_job(job, **kwargs):
        if job.student == "hangs":  # a worker that never answers
            release.wait(600)
            raise RuntimeError("released")
        return real(job, **kwargs)

    monkeypatch.setattr(executors, "run_job", run_job)
    start = time.monotonic()
    try:
        status = cli.main(["--course", str(course), "grade", "--jobs", "2", A])
    finally:
        release.set()
    assert status == 1
    assert time.monotonic() - start < 600
    assert _scores(course) == {"honest": 20.0}
    assert not (course / "autograded" / "hangs").exists()
    assert not (course / "sanitized").exists()


PR_SET_CHILD_SUBREAPER = 36


def _children_of_me() -> list[tuple[int, str]]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found.append((int(entry), cmdline))
    return found


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


@pytest.mark.slow
def test_sigterm_stops_every_process_of_the_batch_and_a_rerun_grades_the_rest(tmp_path):
    cases = {
        "a_honest": _complete(),
        "b_untouched": release_nb(A),
        "c_honest": _complete(),
        "d_untouched": release_nb(A),
    }
    course = _course(
        tmp_path, cases, "\nc.Execute.timeout = 60\nc.ResilientExecute.notebook_timeout = 300\n"
    )
    libc = ctypes.CDLL(None, use_errno=True)
    before = {pid for pid, _ in _children_of_me()}
    assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0  # orphans of the batch come here
    try:
        grade = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "autograder.cli",
                "--course",
                str(course),
                "grade",
                "--jobs",
                "2",
                A,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # wait until a submission is graded and a kernel of the batch runs (bwrap under it)
        digests = course / "autograded" / ".digests.json"
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            if digests.is_file() and _has_descendant(grade.pid, "bwrap"):
                break
            if grade.poll() is not None:
                pytest.fail(f"the batch ended before the signal: {grade.communicate()}")
            time.sleep(0.5)
        else:
            pytest.fail("no kernel started")
        grade.send_signal(signal.SIGTERM)
        out, err = grade.communicate(timeout=300)
        assert grade.returncode == 128 + signal.SIGTERM, err
        assert "interrupted by SIGTERM" in err
        # nothing of the batch is left: no child of the grader lives on (orphans come to us)
        left = []
        for _ in range(30):
            _reap()
            left = [(p, c) for p, c in _children_of_me() if p not in before]
            if not left:
                break
            time.sleep(1)
        assert not left, left
    finally:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
        for pid, _ in _children_of_me():
            if pid not in before:
                os.kill(pid, signal.SIGKILL)
        _reap()
    assert not (course / "sanitized").exists()
    graded_first = set(_scores(course))
    assert len(graded_first) < len(cases)
    rerun = cli.main(["--course", str(course), "grade", "--jobs", "2", A])
    assert rerun == 0
    assert _scores(course) == {
        "a_honest": 20.0,
        "b_untouched": 0.0,
        "c_honest": 20.0,
        "d_untouched": 0.0,
    }


def _has_descendant(pid: int, name: str) -> bool:
    from autograder.grade.bounds import descendants

    for child in descendants(pid):
        try:
            if Path(f"/proc/{child}/comm").read_text().strip() == name:
                return True
        except OSError:
            continue
    return False


# --- fast unit proofs of the envelope ------------------------------------------------------


def _allocate(limit, connection):
    from autograder.grade.bounds import limit_memory

    limit_memory(limit)
    try:
        blob = bytearray(2 * limit)
        connection.send(("allocated", len(blob)))
    except MemoryError:
        connection.send(("memory-error",))


def _sleep_with_a_grandchild(path, connection):
    child = subprocess.Popen(["sleep", "1000"], start_new_session=True)
    Path(path).write_text(str(child.pid))
    connection.send(("started", child.pid))
    time.sleep(1000)


def test_an_allocation_beyond_the_cap_fails_in_the_child_only():
    from autograder.grade.bounds import supervise

    messages = []
    ended, exitcode, _ = supervise(_allocate, (GiB,), 120, lambda m: messages.append(m) or True)
    assert (ended, messages) == ("done", [("memory-error",)])


def test_the_deadline_kills_the_child_and_every_process_it_started(tmp_path):
    from autograder.grade.bounds import supervise

    marker = tmp_path / "pid"
    ended, exitcode, _ = supervise(_sleep_with_a_grandchild, (str(marker),), 8, lambda m: False)
    assert ended == "deadline" and exitcode == -signal.SIGKILL
    pid = int(marker.read_text())
    for _ in range(50):  # its grandchild, in a session of its own, is gone too
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            break
        if state == "Z":
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"process {pid} survived its job")


def test_a_memory_error_in_a_test_cell_is_explained_in_spanish():
    from autograder.harness.execute import Harness

    output = Harness(lambda: None, set())._error(MemoryError())
    assert output.ename == "MemoriaAgotada"
    assert "sin memoria" in output.evalue


def test_one_memory_limit_per_process_each_documented():
    from autograder.grade.bounds import Executor
    from autograder.kernels import SandboxKernelManager

    config = (ROOT / "nbgrader_config.py").read_text()
    assert "RLIMIT_AS" not in config  # the kernel's: the sealed unit's trait only
    assert "c.SandboxKernelManager.memory_limit = KERNEL_MEMORY_LIMIT" in config
    assert "c.Executor.memory_limit = 6 * 2**30" in config
    for trait in (
        Executor.class_traits()["memory_limit"],
        SandboxKernelManager.class_traits()["memory_limit"],
    ):
        assert trait.metadata.get("config") and trait.help
