"""Build notebooks from a source notebook: student submissions and mutants.

Used by the test suite (mutation catalogues: a mistake must fail a test cell,
a correct alternative must pass them all) and to build the bundled example
submissions. The solutions come from the source notebook given; this module
holds none.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

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
