"""Every assignment: sources pass, untouched student versions fail, nothing leaks, release is in sync."""

import subprocess
import time

import nbformat
import pytest

from autograder import mutation
from autograder import nbgrader_tools as tools

from .conftest import ASSIGNMENTS, ROOT, record_time, release_nb, run_source, source_nb

# The course's time bars (NumPy notebooks in < 60 s, TensorFlow ones in < 5 min) are a
# benchmark, never a pass/fail test: a machine shared with other jobs must not fail the suite.
# Each run's times are written to reports/notebook_times.txt beside the bar.
RUNTIME_BAR = {"default": 60, "tensorflow": 300}


def test_there_are_assignments():
    assert "1.1_RegresionLineal" in ASSIGNMENTS


def test_committed_notebooks_have_no_outputs():
    tracked = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    paths = tracked.stdout.split()
    assert paths, "no notebooks are tracked"
    dirty = []
    for path in paths:
        nb = nbformat.read(ROOT / path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
                dirty.append(path)
                break
    assert not dirty, f"notebooks committed with outputs or execution counts: {dirty}"


SHORTENED_WHEN_GRADED = [a for a in ASSIGNMENTS if "NBGRADER_EXECUTION" in str(source_nb(a))]


@pytest.mark.slow
def test_source_passes_every_test_cell(assignment):
    """Every test cell passes on the source (its time is recorded beside the course's bar).

    A notebook that trains less when graded (``SHORTENED_WHEN_GRADED``) runs
    here as a student runs it, training in full, so its test cells check the
    spec's full-length bars (1.8: NumPy and Keras >= 0.97 test accuracy after
    10 epochs); its shortened graded run is the cluster test's complete
    example (``tests/test_cluster.py``).
    """
    start = time.perf_counter()
    if assignment in SHORTENED_WHEN_GRADED:
        results = tools.run_and_score(source_nb(assignment), ROOT, timeout=600, grading=False)
    else:
        results = run_source(assignment)
    elapsed = time.perf_counter() - start
    autograded = [r for r in results.values() if r.score is not None]
    assert autograded, "the source has no autograded test cells"
    failed = {r.grade_id: r.error for r in autograded if not r.passed}
    assert not failed, f"source test cells fail: {failed}"
    uses_tf = "tensorflow" in str(source_nb(assignment)).lower()
    record_time(assignment, elapsed, RUNTIME_BAR["tensorflow" if uses_tf else "default"])


@pytest.mark.slow
def test_untouched_student_version_passes_no_test_cell(assignment):
    nb = mutation.with_hidden_tests(release_nb(assignment), source_nb(assignment))
    results = tools.run_and_score(nb, ROOT)
    passed = [r.grade_id for r in results.values() if r.score]
    assert not passed, f"the untouched student version passes {passed}"


@pytest.mark.slow
def test_release_equals_fresh_generate_assignment(assignment):
    fresh = tools.generate_release_copy(ROOT, assignment)
    assert release_nb(assignment) == fresh, "release/ is out of date: run `make release` and commit"


def _split_lines(nb):
    """Return (lines inside solution or hidden-test regions, lines outside them), stripped."""
    inside_lines, outside_lines = set(), set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            marker = line.strip()
            if marker in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                inside = True
            elif marker in ("### END SOLUTION", "### END HIDDEN TESTS"):
                inside = False
            else:
                (inside_lines if inside else outside_lines).add(marker)
    return inside_lines, outside_lines


def test_no_solution_or_hidden_test_in_release(assignment):
    release_lines = {
        line.strip() for cell in release_nb(assignment).cells for line in cell.source.splitlines()
    }
    text = "\n".join(release_lines)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "Rúbrica", "MARK SCHEME"):
        assert marker not in text, f"{marker!r} appears in the student version"
    secret, public = _split_lines(source_nb(assignment))
    leaked = sorted(line for line in (secret - public) & release_lines if len(line) >= 12)
    assert not leaked, f"solution or hidden-test lines in the student version: {leaked[:5]}"


def test_graded_functions_have_visible_and_hidden_tests(assignment):
    cells = mutation.cells_by_id(source_nb(assignment))
    for gid, cell in cells.items():
        if cell.cell_type != "code" or not mutation.is_solution(cell):
            continue
        visible, hidden = cells.get(f"test_{gid}"), cells.get(f"test_{gid}_hidden")
        assert visible is not None and visible.metadata.nbgrader.get("points"), (
            f"{gid}: no visible test cell"
        )
        assert hidden is not None and "### BEGIN HIDDEN TESTS" in hidden.source, (
            f"{gid}: no hidden tests"
        )
        assert cell.metadata.nbgrader.get("grade") is False, f"{gid}: answer cells carry no points"
