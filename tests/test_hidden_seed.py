"""A leaked hidden test is worth nothing: hidden inputs drawn per grading (issue 25, item 3).

The unit tests pin ``checks.hidden_rng`` and the catalogue sweep; the leak test
grades, through ``autograder grade``, a probe of 1.1 that records every input
the tests give its (correct) functions with their answers, then a submission
that only replays that table: in another grading (a fresh seed) its hidden
cells earn nothing, while the same table under the probe's own seed would earn
everything (so the table is real and the seed is what defeats it).
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import zlib

import nbformat
import numpy as np
import pytest

from autograder import checks, cli, mutation, sandbox
from autograder import nbgrader_tools as tools
from autograder.grade.coordinator import SEEDS_FILE, file_digest

from .catalogue import load_all
from .conftest import ROOT, release_nb, source_nb
from .test_sandbox import HAVE_BWRAP

A = "1.1_RegresionLineal"
FUNCTIONS = [
    "standardize",
    "linear_forward",
    "mse_cost",
    "linear_gradients",
    "gradient_descent",
    "normal_equation",
]


# --- checks.hidden_rng ---------------------------------------------------------------


def test_hidden_rng_follows_the_seed_and_the_key(monkeypatch):
    monkeypatch.delenv(checks.HIDDEN_SEED_VARIABLE, raising=False)
    default = checks.hidden_rng("mse_cost").normal(size=4)
    assert checks.current_hidden_seed() == checks.HIDDEN_SEED
    with checks.hidden_seed(checks.HIDDEN_SEED):
        assert np.array_equal(checks.hidden_rng("mse_cost").normal(size=4), default)
    with checks.hidden_seed(7):
        seven = checks.hidden_rng("mse_cost").normal(size=4)
        assert checks.current_hidden_seed() == 7
        with checks.hidden_seed(None):  # None keeps the default
            assert checks.current_hidden_seed() == checks.HIDDEN_SEED
    assert checks.current_hidden_seed() == checks.HIDDEN_SEED  # restored
    assert not np.array_equal(seven, default)
    assert not np.array_equal(checks.hidden_rng("linear_forward").normal(size=4), default)
    monkeypatch.setenv(checks.HIDDEN_SEED_VARIABLE, "7")  # a kernel that runs its own tests
    assert np.array_equal(checks.hidden_rng("mse_cost").normal(size=4), seven)
    with checks.hidden_seed(8):  # the grader's choice wins over the environment
        assert checks.current_hidden_seed() == 8


def test_no_hidden_test_of_1_1_to_1_4_keeps_a_fixed_seed():
    for assignment in sorted(load_all()):
        if not assignment.startswith(("1.1", "1.2", "1.3", "1.4")):
            continue
        for cell in source_nb(assignment).cells:
            if mutation.HIDDEN_MARKERS[0] in cell.source:
                assert "default_rng(" not in cell.source, (assignment, mutation.grade_id(cell))
                assert "checks.hidden_rng(" in cell.source, (assignment, mutation.grade_id(cell))


# --- the sweep ---------------------------------------------------------------------


def test_sweep_finds_a_mistake_that_luck_lets_through():
    """A 'mistake' right for some seeds only, and one never caught: counted per seed."""
    catalogue = load_all()[A].CATALOGUE
    solution = mutation.strip_markers(mutation.cells_by_id(source_nb(A))["mse_cost"].source)
    lucky = solution.replace(
        "def mse_cost(y_hat, y):",
        "def mse_cost(y_hat, y):\n"
        "    if np.size(y_hat) == 40 and float(np.ravel(y_hat)[0]) > 0:\n"
        "        return 0.0\n",
        1,
    )
    entry = {
        "tests": catalogue["mse_cost"]["tests"],
        "mistakes": {"is_solution": ("", solution), "lucky": ("", lucky)},
        "alternatives": {"lucky": lucky},
    }
    seeds = list(range(8))
    result = mutation.hidden_sweep(
        A, source_nb(A), {"mse_cost": entry}, seeds, folder=str(ROOT / "source" / A)
    )
    # the first hidden ŷ is positive for some seeds: the alternative fails exactly for those
    positive = []
    for seed in seeds:
        with checks.hidden_seed(seed):
            positive.append(float(checks.hidden_rng("mse_cost").normal(size=(1, 40))[0, 0]) > 0)
    assert 0 < sum(positive) < len(seeds)
    failures = sorted(((f.kind, f.name, f.seed) for f in result.failures), key=repr)
    assert failures == sorted(
        [("mistakes", "is_solution", s) for s in seeds]
        + [("alternatives", "lucky", s) for s, p in zip(seeds, positive, strict=True) if p]
        + [("mistakes", "lucky", s) for s, p in zip(seeds, positive, strict=True) if not p]
        + [("mistakes", "lucky", None)],  # its failing cells, so its score, vary with the seed
        key=repr,
    )
    assert (result.trials, result.runs) == (4, 4 * len(seeds))


@pytest.mark.slow
def test_seed_sweep_of_1_1_to_1_4_with_three_seeds():
    run = subprocess.run(
        [sys.executable, "scripts/seed_sweep.py", "1.1", "1.2", "1.3", "1.4", "--seeds", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    rows = {line.split()[0]: line.split()[1:] for line in run.stdout.splitlines()[2:]}
    assert sorted(rows) == [
        a for a in sorted(load_all()) if a.startswith(("1.1", "1.2", "1.3", "1.4"))
    ]
    for assignment, (trials, seeds, runs, failures, _) in rows.items():
        assert (int(seeds), int(runs), int(failures)) == (3, 3 * int(trials), 0), assignment


# --- the leak test -----------------------------------------------------------------

_PROBE_TOOLS = """
import base64 as _b64, hashlib as _hl, json as _js, sys as _sys, zlib as _zl
import numpy as _np

_TABLE = {}
_DEPTH = [0]


def _key(name, args, kwargs):
    digest = _hl.sha256(name.encode())
    for k, a in [*enumerate(args), *sorted(kwargs.items())]:
        a = _np.ascontiguousarray(_np.asarray(a, dtype=float))
        digest.update(repr((k, a.shape)).encode() + a.tobytes())
    return digest.hexdigest()[:24]


def _enc(v):
    if isinstance(v, tuple):
        return {"tuple": [_enc(x) for x in v]}
    if isinstance(v, list):
        return {"list": [_enc(x) for x in v]}
    if isinstance(v, _np.ndarray):
        return {"array": v.tolist(), "dtype": str(v.dtype)}
    return {"num": float(v)}


def _probe(name, f):
    def wrapper(*args, **kwargs):
        key = _key(name, args, kwargs)
        print("PROBE-CALL", name, key, [_np.asarray(a).ravel()[:3].tolist() for a in args])
        print("PROBE-ERR", name, key, file=_sys.stderr)
        _DEPTH[0] += 1
        try:
            value = f(*args, **kwargs)
        finally:
            _DEPTH[0] -= 1
        if _DEPTH[0] == 0:  # the calls of the tests and cells, not the ones inside them
            _TABLE[key] = _enc(value)
        return value

    wrapper.__name__ = name
    return wrapper
"""

_REPLAY_TOOLS = """
import hashlib as _hl, json as _js
import numpy as _np

_TABLE = _js.loads(TABLE_JSON)


def _key(name, args, kwargs):
    digest = _hl.sha256(name.encode())
    for k, a in [*enumerate(args), *sorted(kwargs.items())]:
        a = _np.ascontiguousarray(_np.asarray(a, dtype=float))
        digest.update(repr((k, a.shape)).encode() + a.tobytes())
    return digest.hexdigest()[:24]


def _dec(v):
    if "tuple" in v:
        return tuple(_dec(x) for x in v["tuple"])
    if "list" in v:
        return [_dec(x) for x in v["list"]]
    if "array" in v:
        return _np.array(v["array"], dtype=v["dtype"])
    return v["num"]


def _lookup(name, args, kwargs):
    key = _key(name, args, kwargs)
    if key not in _TABLE:
        raise KeyError("no sé esta respuesta")
    return _dec(_TABLE[key])
"""


def _probe_submission() -> nbformat.NotebookNode:
    replacements = {}
    for index, name in enumerate(FUNCTIONS):
        answer = mutation.strip_markers(mutation.cells_by_id(source_nb(A))[name].source)
        head = _PROBE_TOOLS if index == 0 else ""
        replacements[name] = f"{head}\n{answer}\n\n{name} = _probe({name!r}, {name})\n"
    nb = mutation.student_submission(release_nb(A), source_nb(A), replacements)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            'print("PROBE-TABLE" + _b64.b64encode(_zl.compress(_js.dumps(_TABLE).encode())).decode()'
            ' + "END-TABLE")'
        )
    )
    return nb


def _replay_submission(table: dict) -> nbformat.NotebookNode:
    replacements = {}
    for index, name in enumerate(FUNCTIONS):
        head = _REPLAY_TOOLS.replace("TABLE_JSON", repr(json.dumps(table))) if index == 0 else ""
        replacements[name] = (
            f"{head}\n\ndef {name}(*args, **kwargs):\n    return _lookup({name!r}, args, kwargs)\n"
        )
    return mutation.student_submission(release_nb(A), source_nb(A), replacements)


def _graded(course, student) -> nbformat.NotebookNode:
    return nbformat.read(course / "autograded" / student / A / f"{A}.ipynb", as_version=4)


def _cell_scores(course, student) -> dict[str, float]:
    return {g: r.score for g, r in tools.score_cells(_graded(course, student)).items()}


def _seeds(course) -> dict:
    return json.loads((course / "autograded" / SEEDS_FILE).read_text())


def _grade(course, *extra) -> None:
    assert cli.main(["--course", str(course), "grade", "--jobs", "2", *extra, A]) == 0


def _outputs_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(str(output.get("text", "")))
        parts.append(json.dumps(output.get("data", {})))
        parts.append(str(output.get("evalue", "")))
        parts += [str(line) for line in output.get("traceback", [])]
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_BWRAP, reason=f"bubblewrap is missing: {sandbox.INSTALL_HINT}")
def test_a_leaked_table_is_worth_nothing_in_another_grading(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(checks.HIDDEN_SEED_VARIABLE, raising=False)
    course = tmp_path / "course"
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / A, course / name / A)
    config = (ROOT / "nbgrader_config.py").read_text()
    (course / "nbgrader_config.py").write_text(config + "\nc.Execute.timeout = 120\n")
    probe = course / "submitted" / "probe" / A / f"{A}.ipynb"
    probe.parent.mkdir(parents=True)
    nbformat.write(_probe_submission(), probe)

    # 1. the probe is graded: full marks (its functions are right), its table printed at the end
    _grade(course)
    points = {g: r.score for g, r in tools.score_cells(source_nb(A)).items()}
    hidden = {g for g in points if g.endswith("_hidden")}
    assert len(hidden) == 6
    assert _cell_scores(course, "probe") == points
    graded = _graded(course, "probe")
    text = _outputs_text(graded.cells[-1])
    packed = text.split("PROBE-TABLE", 1)[1].split("END-TABLE", 1)[0]
    table = json.loads(zlib.decompress(base64.b64decode(packed)))
    assert len(table) > 20  # the inputs of the visible and hidden calls, with their answers
    # no output produced while a test cell called the probe reaches the graded notebook...
    test_cells = [c for c in graded.cells if mutation.grade_id(c) in points]
    assert len(test_cells) == len(points)
    for cell in test_cells:
        assert "PROBE-" not in _outputs_text(cell), mutation.grade_id(cell)
    assert sum(_outputs_text(c).count("PROBE-CALL") for c in graded.cells) > 0  # it does print
    # ... nor the feedback: every call it shows comes from a cell of the student or instructor
    assert cli.main(["--course", str(course), "feedback", A]) == 0
    html = (course / "feedback" / "probe" / A / f"{A}.html").read_text()
    for word in ("PROBE-CALL", "PROBE-ERR"):  # in outputs of those cells, or the probe's code
        expected = sum(_outputs_text(c).count(word) + c.source.count(word) for c in graded.cells)
        assert html.count(word) == expected, word
    seed = _seeds(course)[f"{A}/probe"]["seed"]
    assert str(seed) not in html and str(seed) not in json.dumps(graded)

    # 2. the table, replayed by another student (a fresh seed) and, as a control, under the
    # probe's own seed (what a shared fixed seed would give)
    for student in ("replay", "replay_same_seed"):
        path = course / "submitted" / student / A / f"{A}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(_replay_submission(table), path)
    seeds = _seeds(course)
    seeds[f"{A}/replay_same_seed"] = {
        "seed": seed,
        "submission": file_digest([course / "submitted" / "replay_same_seed" / A]),
    }
    (course / "autograded" / SEEDS_FILE).write_text(json.dumps(seeds))
    _grade(course)
    recorded = _seeds(course)
    assert recorded[f"{A}/replay_same_seed"]["seed"] == seed
    assert recorded[f"{A}/replay"]["seed"] != seed
    assert _cell_scores(course, "replay_same_seed") == points  # the table is real
    deserved = {g: (0.0 if g in hidden else p) for g, p in points.items()}
    assert _cell_scores(course, "replay") == deserved  # worth nothing in another grading
    scores = {g.student: g.auto_score for g in tools.grades(course)}
    assert scores == {"probe": 20.0, "replay": 8.0, "replay_same_seed": 20.0}

    # 3. a regrade reuses the recorded seeds: same scores; --new-seed draws new ones
    _grade(course, "--force")
    assert _seeds(course) == recorded
    assert {g.student: g.auto_score for g in tools.grades(course)} == scores
    assert _cell_scores(course, "replay") == deserved
    _grade(course, "--new-seed")
    renewed = _seeds(course)
    assert all(renewed[k]["seed"] != recorded[k]["seed"] for k in recorded)
    assert {g.student: g.auto_score for g in tools.grades(course)} == {
        "probe": 20.0,
        "replay": 8.0,
        "replay_same_seed": 8.0,
    }
    assert os.stat(course / "autograded" / SEEDS_FILE).st_mode & 0o077 == 0
    capsys.readouterr()


def test_the_kernel_learns_the_seed_only_without_the_harness():
    from traitlets.config import Config

    from autograder.grade.executor import _harness_on

    harness = Config()
    harness.TrustedExecute.harness = True
    assert _harness_on(harness)
    assert not _harness_on(Config())  # tests in the kernel: it gets HIDDEN_SEED_VARIABLE
    assert _harness_on(tools.load_config(ROOT))  # the course grades with the harness
