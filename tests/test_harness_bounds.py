"""Attacks on the trusted harness's own work: bounded, scored, and the batch goes on.

Each attacker is the complete, correct 1.1 with one technique added (a cell
that changes the kernel's agent, or a wrapper around one graded function).
All of them, an honest complete submission and an untouched one are graded
by ``autograder grade --jobs 2`` in ONE batch. Each attacker must get exactly
what its real code deserves (the points of the function it abuses are lost,
the rest is graded), nothing ends FAILED, and the memory of the processes
that run the harness stays under :data:`PEAK_BOUND_MB`.

The peak memory is VmHWM of each pool worker (the process that runs the
harness), reset through ``/proc/PID/clear_refs`` whenever the worker starts
another submission's kernel (found by a marker file in the kernel's working
folder), so each row of the table is one submission's grading.
"""

import json
import os
import shutil
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from autograder import cli, mutation
from autograder import nbgrader_tools as tools

from .conftest import ROOT, release_nb, source_nb

pytestmark = pytest.mark.xdist_group("harness_bounds")

A = "1.1_RegresionLineal"

#: Most MB of resident memory a pool worker may reach while grading any one submission. A
#: worker grading 1.1 honestly peaks near 300 MB; the widget attack adds the kernel's 4 x 100 MiB
#: comm message in flight (nbclient receives it before the execute step drops it), and the
#: repeated-buffer attack adds what libzmq holds before the harness can look at a message
#: (frames under MAX_FRAME_BYTES each; see the report of issue 25).
PEAK_BOUND_MB = 3300

# --- the agent's answers to the harness's calls of `linear_gradients` are replaced ---------

_ON_LINEAR_GRADIENTS = """import json as _json
import time as _time
import numpy as _np
import autograder.run.agent as _A
_real_answer = _A.Agent.answer
def _evil(self, request, buffers):
    hit = False
    if request.get("op") == "call":
        try:
            hit = getattr(self.target(request.get("target")), "__name__", "") == "linear_gradients"
        except Exception:
            pass
    if hit:
{before}
    reply, out = _real_answer(self, request, buffers)
    if hit:
{after}
    return reply, out
_A.Agent.answer = _evil
"""


def _on_linear_gradients(before="pass", after="pass"):
    indent = "        "
    return _ON_LINEAR_GRADIENTS.format(
        before="\n".join(indent + line for line in before.splitlines()),
        after="\n".join(indent + line for line in after.splitlines()),
    )


def _keras(layers, input_shape):
    layers = [
        {
            "class_name": "InputLayer",
            "module": "keras.layers",
            "config": {"batch_shape": [None, *input_shape]},
        },
        *layers,
    ]
    return {"class_name": "Sequential", "module": "keras", "config": {"layers": layers}}


def _dense(units):
    return {"class_name": "Dense", "module": "keras.layers", "config": {"units": units}}


_HUGE = _keras([_dense(16384)] * 3, (16384,))  # 2 KB of JSON; 805 M parameters once built
_SMALL = _keras([_dense(2)], (2,))
_NESTED = _keras([_dense(2)], (2,))
for _ in range(5):
    _NESTED = {"class_name": "Sequential", "module": "keras", "config": {"layers": [_NESTED]}}


def _keras_reply(config, weights=None):
    node = {"$": "keras", "config": json.dumps(config)}
    if weights is not None:
        node["weights"] = weights
    return f"reply['value'] = {node!r}"


_STUDENT_FLOOD = """
kernel, ident, parent = self.stdin
for _i in range(3000):
    kernel.session.send(kernel.stdin_socket, "input_request",
                        {"prompt": '{"kind": "noise"}', "password": False}, parent, ident=ident)
    if _i % 100 == 99:
        _time.sleep(0.05)  # at a pace the harness reads: nothing is dropped on the way
"""

_STUDENT_DRIP = """
kernel, ident, parent = self.stdin
for _i in range(2000):  # one message every half second, for far longer than the cell's 30 s
    kernel.session.send(kernel.stdin_socket, "input_request",
                        {"prompt": '{"kind": "noise"}', "password": False}, parent, ident=ident)
    _time.sleep(0.5)
"""

_WIDGETS = """
_k = get_ipython().kernel
_big = b"\\0" * (100 * 2**20)
for _i, _state in enumerate([
    {"_model_name": "YModel"},  # no _model_module: nbclient's own handler raises on it
    {"_model_name": "XModel", "_model_module": "x", "_model_module_version": "1"},
]):
    _k.session.send(_k.iopub_socket, "comm_open", {
        "comm_id": f"c{_i}", "target_name": "jupyter.widget",
        "data": {"state": _state, "buffer_paths": [["a"], ["b"], ["c"], ["d"]]},
    }, parent=_k.get_parent("shell"), buffers=[_big] * 4)
del _big
"""

# --- the student's own code abuses the bound references (a wrapper after an answer cell) ----

_REFERENCE_LONG = """_real_normal_equation = normal_equation
def normal_equation(X, y):
    if type(gradient_descent).__name__ == "Callback":  # the bound reference, run by the harness
        gradient_descent(np.zeros((X.shape[0], 1)), 0.0, X, y, 0.01, 5_000_000)
    return _real_normal_equation(X, y)
"""

_REFERENCE_LOOP = """_real_gradient_descent = gradient_descent
def gradient_descent(w, b, X, y, alpha, num_iters):
    if type(linear_gradients).__name__ == "Callback":
        for _ in range(5_000_000):
            linear_gradients(w, b, X, y)
    return _real_gradient_descent(w, b, X, y, alpha, num_iters)
"""

_CALLS_BACK = """class _Pong:
    depth = 0
    def __getattr__(self, name):  # the harness's reference asks our object for an attribute
        if name.startswith("_") or _Pong.depth >= 2:
            raise AttributeError(name)
        _Pong.depth += 1
        try:
            for _ in range(10**7):  # ... and each answer calls the reference again
                try:
                    standardize(_Pong(), _Pong())
                except Exception:
                    pass
        finally:
            _Pong.depth -= 1
        raise AttributeError(name)

_real_normal_equation = normal_equation
def normal_equation(X, y):
    if type(standardize).__name__ == "Callback":
        try:
            standardize(_Pong(), _Pong())
        except Exception:
            pass
    return _real_normal_equation(X, y)
"""

#: technique -> (code, where it goes: "top" or the function whose answer cell it follows, score)
ATTACKS = {
    "keras_huge_config": (_on_linear_gradients(after=_keras_reply(_HUGE)), "top", 17.0),
    "keras_huge_weights": (
        _on_linear_gradients(
            after="_w = _np.zeros(12_000_000, dtype=_np.float32)\n"
            + _keras_reply(_SMALL, [{"$": "nd", "dtype": "<f4", "shape": [3000, 4000], "buf": 0}])
            + "\nout = [_w]"
        ),
        "top",
        17.0,
    ),
    "keras_nested": (_on_linear_gradients(after=_keras_reply(_NESTED)), "top", 17.0),
    "repeated_buffer": (
        _on_linear_gradients(
            after="_big = _np.zeros(100 * 2**20, dtype=_np.uint8)\n"
            'reply["value"] = {"$": "nd", "dtype": "|u1", "shape": [100 * 2**20], "buf": 0}\n'
            "out = [_big] * 12"
        ),
        "top",
        17.0,
    ),
    "flood": (_on_linear_gradients(before=_STUDENT_FLOOD), "top", 17.0),
    "slow_drip": (_on_linear_gradients(before=_STUDENT_DRIP), "top", 17.0),
    # at the end, after every graded cell: 800 MiB of comm traffic may not drain within
    # nbclient's iopub_timeout (4 s), and the executor then stops the kernel, as for any output
    # flood; what this row proves is that the comms' buffers stay out of the notebook and out of
    # the grader's memory, and that a comm_open without _model_module does not fail the grading
    "widget_comms": (_WIDGETS, "end", 20.0),
    # normal_equation's reference calls no graded function, so its test binds no reference
    # (harness/isolation.py): the attack finds no callback and the real code earns full marks.
    # A long single reference call is no longer reachable in 1.1; the clock that would stop one
    # is proven in tests/test_harness_units.py.
    "reference_long": (_REFERENCE_LONG, "normal_equation", 20.0),
    "reference_loop": (_REFERENCE_LOOP, "gradient_descent", 17.0),
    # the reference fails at once on the kernel's proxies, the wrapper swallows that and returns
    # its correct result: full marks, and no harness work beyond the deadline
    "callback_calls_back": (_CALLS_BACK, "normal_equation", 20.0),
}


def _complete():
    return mutation.student_submission(release_nb(A), source_nb(A))


def _attacked(code, where):
    nb = _complete()
    if where == "top":
        at = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code") + 1
    elif where == "end":
        at = len(nb.cells)
    else:
        at = 1 + next(
            i
            for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and f"def {where}(" in c.source
        )
    nb.cells.insert(at, new_code_cell(code))
    return nb


# --- the executor's peak memory, per submission ----------------------------------------------


def _processes() -> dict[int, int]:
    """Return ``{pid: parent pid}`` of every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                table[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                pass
    return table


def _status(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])  # kB
    return 0


class PeakMonitor(threading.Thread):
    """Record each pool worker's VmHWM per submission it grades."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peaks: dict[str, float] = {}
        self.current: dict[int, str | None] = {}
        self.stopped = False

    def _student(self, worker: int, table: dict[int, int]) -> str | None:
        pending, seen = [worker], set()
        while pending:
            pid = pending.pop()
            seen.add(pid)
            pending += [child for child, parent in table.items() if parent == pid]
            if pid == worker:
                continue
            try:
                for name in os.listdir(f"/proc/{pid}/cwd"):
                    if name.startswith("quien_") and name.endswith(".txt"):
                        return name[len("quien_") : -len(".txt")]
            except OSError:
                pass
        return None

    def _close(self, worker: int) -> None:
        student = self.current.get(worker)
        try:
            peak = _status(worker, "VmHWM") / 1024
            with open(f"/proc/{worker}/clear_refs", "w") as clear:
                clear.write("5")  # resets VmHWM to the current RSS
        except OSError:
            return
        if student is not None:
            self.peaks[student] = max(self.peaks.get(student, 0.0), peak)

    def run(self):
        me = os.getpid()
        while not self.stopped:
            table = _processes()
            for worker in [pid for pid, parent in table.items() if parent == me]:
                student = self._student(worker, table)
                if student is not None and student != self.current.get(worker):
                    self._close(worker)
                    self.current[worker] = student
                elif self.current.get(worker) is not None:
                    try:
                        peak = _status(worker, "VmHWM") / 1024
                    except OSError:
                        continue
                    name = self.current[worker]
                    self.peaks[name] = max(self.peaks.get(name, 0.0), peak)
            time.sleep(0.2)
        for worker in list(self.current):
            self._close(worker)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("bounds")
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / A, course / name / A)
    limits = "\nc.Execute.timeout = 30\nc.ResilientExecute.notebook_timeout = 240\n"
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text() + limits)
    cases = {"honest": (_complete(), 20.0), "untouched": (release_nb(A), 0.0)}
    for name, (code, where, score) in ATTACKS.items():
        cases[name] = (_attacked(code, where), score)
    for student, (nb, _) in cases.items():
        target = course / "submitted" / student / A / f"{A}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
        (target.parent / f"quien_{student}.txt").write_text(student)
    monitor = PeakMonitor()
    monitor.start()
    status = cli.main(["--course", str(course), "grade", "--jobs", "2", A])
    monitor.stopped = True
    monitor.join(timeout=30)
    expected = {student: score for student, (_, score) in cases.items()}
    return course, status, expected, monitor.peaks


def _errors_of(course, student):
    """The errors of a graded notebook's code cells, for a failure's report."""
    nb = nbformat.read(course / "autograded" / student / A / f"{A}.ipynb", as_version=4)
    return [
        (i, o.ename, o.evalue[:160])
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]


@pytest.mark.slow
def test_every_attack_on_the_harness_is_bounded_and_the_batch_is_graded(graded):
    course, status, expected, peaks = graded
    scores = {g.student: g.auto_score for g in tools.grades(course)}
    print("\ntechnique              score  deserved  worker peak (MB)")
    for student in expected:
        peak = peaks.get(student)
        print(
            f"{student:22} {scores.get(student)!s:>6} {expected[student]:>9}  {peak:.0f}"
            if peak
            else f"{student:22} {scores.get(student)!s:>6} {expected[student]:>9}  ?"
        )
    for student in expected:
        if scores.get(student) != expected[student]:
            print(f"{student}: {_errors_of(course, student)}")
    assert status == 0
    # Known limit (README, trust model): after the harness refuses a callback of a reference
    # called in a loop, the kernel sometimes does not answer within the interrupt's grace under
    # load and is stopped, so that attacker also loses the cells after the one it attacked
    # (12 instead of 17). It never gains a point and no classmate loses one: asserted here.
    loop = scores.pop("reference_loop", None)
    assert loop is not None and 12.0 <= loop <= expected["reference_loop"], loop
    assert scores == {k: v for k, v in expected.items() if k != "reference_loop"}
    # peaks are sampled while a submission's kernel runs: a submission graded in a few seconds
    # may be missed by the sampler (jobs now run in their own children), never over the bound
    assert peaks and set(peaks) <= set(expected), sorted(peaks)
    assert max(peaks.values()) < PEAK_BOUND_MB, peaks


@pytest.mark.slow
def test_each_bounded_cell_says_why_in_spanish(graded):
    course, _, _, _ = graded

    def errors(student, grade_id):
        nb = nbformat.read(course / "autograded" / student / A / f"{A}.ipynb", as_version=4)
        cell = next(
            c
            for c in nb.cells
            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id
        )
        return " ".join(o.evalue for o in cell.outputs if o.output_type == "error")

    assert "demasiado grande" in errors("keras_huge_config", "test_linear_gradients")
    assert "16384 unidades" in errors("keras_huge_config", "test_linear_gradients")
    assert "pesos" in errors("keras_huge_weights", "test_linear_gradients")
    assert "anidados" in errors("keras_nested", "test_linear_gradients")
    assert "demasiado grande" in errors("repeated_buffer", "test_linear_gradients")
    assert "demasiados mensajes" in errors("flood", "test_linear_gradients")
    assert "no terminó" in errors("slow_drip", "test_linear_gradients")
    for student, grade_id in (("reference_loop", "test_gradient_descent"),):
        assert "agotó su tiempo" in errors(student, grade_id), (student, errors(student, grade_id))
    nb = nbformat.read(course / "autograded" / "widget_comms" / A / f"{A}.ipynb", as_version=4)
    assert "widgets" not in nb.metadata
    assert Path(course / "autograded" / "widget_comms" / A / f"{A}.ipynb").stat().st_size < 2**20
