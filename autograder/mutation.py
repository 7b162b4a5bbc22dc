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
