"""Build notebooks from a source notebook: student submissions and mutants.

Used by the test suite (mutation catalogues: a mistake must fail a test cell,
a correct alternative must pass them all) and to build the bundled example
submissions. The solutions come from the source notebook given; this module
holds none.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
#: Lines of a model answer that start with this are the instructor's rubric, not the answer.
RUBRIC_PREFIX = "*Rúbrica"


def grade_id(cell: NotebookNode) -> str | None:
    """Return the nbgrader ``grade_id`` of a cell, or None."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_solution(cell: NotebookNode) -> bool:
    """Tell whether a cell is an nbgrader answer cell (autograded code or a manually graded answer)."""
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def strip_markers(source: str) -> str:
    """Remove the solution delimiter lines, keeping the solution itself (what a student would write)."""
    return "\n".join(
        line
        for line in source.splitlines()
        if line.strip() not in SOLUTION_MARKERS and not line.startswith(RUBRIC_PREFIX)
    ).strip()


def cells_by_id(nb: NotebookNode) -> dict[str, NotebookNode]:
    """Map grade ids to cells."""
    return {grade_id(cell): cell for cell in nb.cells if grade_id(cell)}


def mutant(source_nb: NotebookNode, replacements: Mapping[str, str]) -> NotebookNode:
    """Return a copy of the source notebook with some answer cells replaced by other code.

    Parameters
    ----------
    source_nb : NotebookNode
        The instructor's notebook (solutions and hidden tests).
    replacements : mapping of grade id to str
        The new source of each answer cell to replace.
    """
    nb = copy.deepcopy(source_nb)
    found = set()
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in replacements:
            if not is_solution(cell):
                raise ValueError(f"cell {gid!r} is not an answer cell")
            cell.source = replacements[gid]
            found.add(gid)
    missing = set(replacements) - found
    if missing:
        raise KeyError(f"no answer cells with ids {sorted(missing)}")
    return nb


def student_submission(
    release_nb: NotebookNode,
    source_nb: NotebookNode,
    replacements: Mapping[str, str] | None = None,
    untouched: bool = False,
) -> NotebookNode:
    """Return the student version filled in as a student would submit it.

    Every answer cell gets the source notebook's answer without the solution
    delimiters, or the code given in ``replacements``; with ``untouched`` the
    release notebook is returned as it is.
    """
    nb = copy.deepcopy(release_nb)
    if untouched:
        return nb
    answers = {
        gid: strip_markers(cell.source)
        for gid, cell in cells_by_id(source_nb).items()
        if is_solution(cell)
    }
    answers.update(replacements or {})
    for cell in nb.cells:
        gid = grade_id(cell)
        if is_solution(cell) and gid in answers:
            cell.source = answers[gid]
    return nb


def with_hidden_tests(release_nb: NotebookNode, source_nb: NotebookNode) -> NotebookNode:
    """Return the source notebook with its answer cells as in ``release_nb``.

    This is what the autograder runs for an untouched student version: the
    stubs, plus every test cell with its hidden tests restored.
    """
    stubs = {gid: cell.source for gid, cell in cells_by_id(release_nb).items() if is_solution(cell)}
    return mutant(source_nb, stubs)


# --- many mutants in one kernel -------------------------------------------------

#: Separates a test cell's grade id from the trial it belongs to, in a trials notebook.
TRIAL_SEPARATOR = "@"

_SNAPSHOT = """\
# autograder.mutation: remember the state before the trials of the next answer cell
import copy as _iap_copy, types as _iap_types
import numpy as _iap_np

def _iap_user_vars():
    hidden = {"In", "Out", "get_ipython", "exit", "quit"}
    return {
        k: v
        for k, v in globals().items()
        if not k.startswith("_") and k not in hidden and not isinstance(v, _iap_types.ModuleType)
    }

_IAP_SHARED = {"matplotlib", "keras", "tensorflow", "IPython", "ipykernel", "threadpoolctl"}

def _iap_clone(value):
    if type(value).__module__.split(".")[0] in _IAP_SHARED:
        return value  # plots, models, tensors: kept as they are (and copying a figure is slow)
    try:
        return _iap_copy.deepcopy(value)
    except Exception:  # files, locks: kept as they are
        return value

_iap_objects = _iap_user_vars()
_iap_saved = {k: _iap_clone(v) for k, v in _iap_objects.items()}
_iap_random = _iap_np.random.get_state()
"""

_RESTORE = """\
# autograder.mutation: undo what the trial changed
for _iap_k in [k for k in _iap_user_vars() if k not in _iap_saved]:
    del globals()[_iap_k]
for _iap_k, _iap_v in _iap_saved.items():
    _iap_now = globals().get(_iap_k)
    if (
        isinstance(_iap_v, _iap_np.ndarray)
        and _iap_now is _iap_objects[_iap_k]
        and _iap_now.shape == _iap_v.shape
        and _iap_now.dtype == _iap_v.dtype
        and _iap_now.flags.writeable
    ):
        _iap_np.copyto(_iap_now, _iap_v)  # the same array, its saved values: one memcpy
    else:
        _iap_objects[_iap_k] = globals()[_iap_k] = _iap_clone(_iap_v)
_iap_np.random.set_state(_iap_random)
"""


def trials_notebook(
    source_nb: NotebookNode, trials: Mapping[str, tuple[str, str, list[str]]]
) -> NotebookNode:
    """Return one notebook that runs many mutants of ``source_nb`` in a single kernel.

    Starting a kernel and reaching an answer cell (imports, data, training)
    costs far more than a mutant's own cells, so each trial runs in place:
    right before the answer cell it replaces, the notebook saves the state,
    runs the trial's code and the cells up to the last of its test cells,
    and restores the state; then the notebook goes on as the source.

    Parameters
    ----------
    source_nb : NotebookNode
        The instructor's notebook (solutions and hidden tests).
    trials : mapping of label to (answer cell id, code, test cell ids)
        The trials; a label may not contain ``TRIAL_SEPARATOR``.

    Returns
    -------
    NotebookNode
        The notebook, cut after the last trial. Each trial's copy of a test
        cell ``t`` has the grade id ``t@label``: see :func:`split_trials`.
    """
    nb = copy.deepcopy(source_nb)
    position = {grade_id(cell): i for i, cell in enumerate(nb.cells) if grade_id(cell)}
    by_cell: dict[int, list[str]] = {}
    for label, (cell_id, _, tests) in trials.items():
        if TRIAL_SEPARATOR in label:
            raise ValueError(f"trial label {label!r} contains {TRIAL_SEPARATOR!r}")
        if cell_id not in position or not is_solution(nb.cells[position[cell_id]]):
            raise KeyError(f"no answer cell with id {cell_id!r}")
        missing = [t for t in tests if t not in position]
        if missing:
            raise KeyError(f"trial {label!r}: no test cells {missing}")
        by_cell.setdefault(position[cell_id], []).append(label)
    cells, end = [], 0
    for index, cell in enumerate(nb.cells):
        for label in by_cell.get(index, []):
            if not end or len(cells) > end:
                cells.append(new_code_cell(_SNAPSHOT))
            cell_id, code, tests = trials[label]
            last = max(position[t] for t in tests)
            block = [copy.deepcopy(c) for c in nb.cells[index : last + 1] if c.cell_type == "code"]
            block[0].source = code
            for trial_cell in block:
                trial_cell.metadata["mutation_trial"] = label
                gid = grade_id(trial_cell)
                if gid:
                    trial_cell.metadata.nbgrader.grade_id = f"{gid}{TRIAL_SEPARATOR}{label}"
            cells += [*block, new_code_cell(_RESTORE)]
            end = len(cells)
        cells.append(cell)
    nb.cells = cells[:end]
    return nb


def split_trials(results: Mapping[str, object]) -> dict[str, dict[str, object]]:
    """Group the scored cells of an executed trials notebook by trial: ``{label: {test id: result}}``."""
    grouped: dict[str, dict[str, object]] = {}
    for key, result in results.items():
        if TRIAL_SEPARATOR in key:
            gid, label = key.split(TRIAL_SEPARATOR, 1)
            grouped.setdefault(label, {})[gid] = result
    return grouped


# --- the seed sweep: every trial against the hidden tests, for many seeds ----------------

HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


@dataclass
class SweepFailure:
    """A trial of a catalogue that misbehaved for one seed (``None``: for every seed)."""

    cell_id: str
    kind: str
    name: str
    seed: int | None
    detail: str

    def __str__(self) -> str:
        seed = "every seed" if self.seed is None else f"seed {self.seed}"
        return f"{self.kind[:-1]} {self.cell_id}:{self.name} ({seed}): {self.detail}"


@dataclass
class SweepResult:
    """What :func:`hidden_sweep` found for one assignment."""

    assignment: str
    seeds: list[int]
    trials: int = 0
    runs: int = 0
    failures: list[SweepFailure] = field(default_factory=list)


def _is_test_cell(cell: NotebookNode) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _is_end_to_end(cell: NotebookNode) -> bool:
    return bool((cell.get("metadata", {}).get("autograder") or {}).get("end_to_end"))


def _run_test(code, namespace: dict) -> str | None:
    """Run a test cell's compiled text; return its failure (``"Name: message"``) or None."""
    import contextlib
    import io
    import warnings

    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(code, namespace)  # noqa: S102  (the instructor's tests)
        except BaseException as exc:  # noqa: BLE001  (any failure of the cell counts)
            if isinstance(exc, KeyboardInterrupt):
                raise
            return f"{type(exc).__name__}: {exc}"
    return None


def hidden_sweep(
    assignment: str,
    source_nb: NotebookNode,
    catalogue: Mapping[str, dict],
    seeds: list[int],
    folder: str | None = None,
) -> SweepResult:
    """Prove a catalogue against the hidden tests for many seeds of ``checks.hidden_rng``.

    The source's code cells (not its test cells) run once, in a Python
    namespace (no kernel), up to the last test cell of the catalogue. Each
    trial (the source's own answer, every correct alternative, every mistake)
    then replaces its answer cell in a copy of that namespace and runs its
    function's test cells: those without a hidden block once, those with one
    under ``checks.hidden_seed(s)`` for every seed. End-to-end cells are left
    out (they draw nothing from ``hidden_rng``).

    A correct trial must pass every test cell for every seed; a mistake must
    fail one of them for every seed, the same ones for every seed (so its score
    does not depend on the seed), and the messages of the failing cells must
    hold the mistake's message fragment (when the catalogue gives one).

    Parameters
    ----------
    assignment : str
        The assignment id (for the result).
    source_nb : NotebookNode
        The source notebook (solutions and hidden tests).
    catalogue : mapping
        The assignment's ``CATALOGUE`` (see ``tests/catalogue``).
    seeds : list of int
        The seeds to try.
    folder : str, optional
        Where the notebook's code runs (its relative paths), by default the current folder.

    Returns
    -------
    SweepResult
        Counts and every failure.
    """
    import contextlib
    import os

    import numpy as np

    from . import checks

    result = SweepResult(assignment, list(seeds))
    cells = source_nb.cells
    position = {grade_id(c): i for i, c in enumerate(cells) if grade_id(c)}
    wanted = [position[t] for entry in catalogue.values() for t in entry["tests"] if t in position]
    last = max([*wanted, *(position[c] for c in catalogue if c in position)], default=-1)
    compiled = {
        i: compile(c.source, f"<{assignment} celda {i + 1}>", "exec")
        for i, c in enumerate(cells[: last + 1])
        if c.cell_type == "code"
    }
    base: dict = {"__name__": "__main__"}
    previous = os.getcwd()
    try:
        if folder:
            os.chdir(folder)
        for i in sorted(compiled):
            if _is_test_cell(cells[i]):
                continue
            failure = _run_test(compiled[i], base)
            if failure:
                raise RuntimeError(f"{assignment}: cell {i + 1} of the source failed: {failure}")
        for cell_id, entry in catalogue.items():
            tests = [
                position[t]
                for t in entry["tests"]
                if t in position and not _is_end_to_end(cells[position[t]])
            ]
            fixed = [i for i in tests if HIDDEN_MARKERS[0] not in cells[i].source]
            seeded = [i for i in tests if HIDDEN_MARKERS[0] in cells[i].source]
            trials = [("alternatives", "solution", strip_markers(cells[position[cell_id]].source))]
            trials += [("alternatives", n, code) for n, code in entry["alternatives"].items()]
            trials += [("mistakes", n, code) for n, (_, code) in entry["mistakes"].items()]
            fragments = {n: fragment for n, (fragment, _) in entry["mistakes"].items()}
            for kind, name, code in trials:
                result.trials += 1
                state = np.random.get_state()
                namespace = dict(base)
                setup = _run_test(compile(code, f"<{cell_id}>", "exec"), namespace)
                if setup:
                    result.failures.append(
                        SweepFailure(cell_id, kind, name, None, f"the answer fails: {setup}")
                    )
                    continue
                visible = {i: _run_test(compiled[i], dict(namespace)) for i in fixed}
                outcomes: dict[frozenset, list[int]] = {}
                for seed in seeds:
                    with checks.hidden_seed(seed):
                        errors = dict(visible)
                        for i in seeded:
                            errors[i] = _run_test(compiled[i], dict(namespace))
                    result.runs += 1
                    failed = {grade_id(cells[i]): e for i, e in errors.items() if e}
                    outcomes.setdefault(frozenset(failed), []).append(seed)
                    if kind == "alternatives" and failed:
                        result.failures.append(SweepFailure(cell_id, kind, name, seed, str(failed)))
                    elif kind == "mistakes" and not failed:
                        result.failures.append(
                            SweepFailure(cell_id, kind, name, seed, "passes every test")
                        )
                    elif kind == "mistakes" and fragments[name] not in "\n".join(failed.values()):
                        result.failures.append(
                            SweepFailure(
                                cell_id, kind, name, seed, f"not named ({fragments[name]!r})"
                            )
                        )
                if kind == "mistakes" and len(outcomes) > 1:  # the same score for every seed
                    sets = "; ".join(
                        f"{sorted(cells_failed)} for seeds {seeds_of[:5]}"
                        for cells_failed, seeds_of in outcomes.items()
                    )
                    result.failures.append(
                        SweepFailure(cell_id, kind, name, None, f"the failing cells vary: {sets}")
                    )
                np.random.set_state(state)
    finally:
        os.chdir(previous)
        with contextlib.suppress(Exception):
            import matplotlib.pyplot as plt

            plt.close("all")
    return result
