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
