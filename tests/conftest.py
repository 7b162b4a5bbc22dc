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
