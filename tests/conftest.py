"""Shared fixtures: the course root, its assignments, and cached notebook runs."""

import functools
import os
from pathlib import Path

import nbformat
import pytest

from autograder import nbgrader_tools as tools

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = tools.assignment_ids(ROOT)

# Quiet TensorFlow in every process the suite starts.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def nbgrader_cell(source, grade_id, solution=False, points=None, end_to_end=False):
    """Return a code cell with nbgrader metadata: an answer cell, a test cell (``points``) or both."""
    from nbformat.v4 import new_code_cell

    cell = new_code_cell(source)
    cell.metadata.nbgrader = {
        "grade_id": grade_id,
        "solution": solution,
        "grade": points is not None,
        "locked": not solution,
        "points": points,
        "schema_version": 3,
    }
    if end_to_end:
        cell.metadata.autograder = {"end_to_end": True}
    return cell


def record_time(name, seconds, bar):
    """Append a notebook's run time, beside the course's bar, to ``reports/notebook_times.txt``.

    The bars are a benchmark, never a pass/fail test (a shared machine must not fail the
    suite); this keeps each run's times for the README's table.
    """
    path = ROOT / "reports" / "notebook_times.txt"
    path.parent.mkdir(exist_ok=True)
    mark = "within" if seconds < bar else "OVER"
    with path.open("a", encoding="utf-8") as out:
        out.write(f"{name}\t{seconds:.1f} s\tbar {bar} s\t{mark}\n")


def source_nb(assignment):
    """Read the instructor notebook of an assignment."""
    return nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)


def release_nb(assignment):
    """Read the committed student version of an assignment."""
    return nbformat.read(ROOT / "release" / assignment / f"{assignment}.ipynb", as_version=4)


@functools.cache
def run_source(assignment):
    """Execute the source notebook once per process and return its cell results."""
    return tools.run_and_score(source_nb(assignment), ROOT)


@pytest.fixture(params=ASSIGNMENTS)
def assignment(request):
    """Each assignment id in source/."""
    return request.param


def pytest_collection_modifyitems(config, items):
    """Give grouped tests the ``@group`` suffix that ``--dist loadgroup`` schedules by.

    pytest-xdist 3.8 adds it by setting ``item._nodeid``, which pytest 9 no
    longer reads (node ids live in ``item._id``), so its ``xdist_group``
    marks were silently ignored and a module-scoped fixture (the cheat
    batch) was built once per process. This does what xdist means to.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        if not names or item.nodeid.rfind("@") > item.nodeid.rfind("]"):
            continue  # not grouped, or xdist already did it
        grouped = f"{item.nodeid}@{'_'.join(sorted(names))}"
        try:
            from _pytest.nodeid import coerce_node_id

            item._id = coerce_node_id(grouped)
        except ImportError:  # pytest < 9: xdist's own hook works there
            item._nodeid = grouped
