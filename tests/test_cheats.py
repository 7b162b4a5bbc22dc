"""Cheating submissions, graded through `autograder grade` beside honest ones.

The batch also holds 1.1's complete solution and untouched student version:
the first must get full marks and the second 0, through the real grading
path (sealed unit, trusted harness). Every assignment's complete and
untouched versions are graded the same way by the cluster test
(``tests/test_cluster.py``, every example submission), whose expected grades
``test_examples_score_full_marks_and_zero`` checks here; they are not graded
a second time in this batch.

Every technique of ``tests/cheats.py`` is applied to the untouched student
version (its code deserves 0) of four kinds of assignment: NumPy functions
(1.1), the `Neuron` class (1.2), optimizer classes that update in place
(1.6) and a Keras model built by the student (1.8). Some are also applied to
a submission with one real mistake, which must keep exactly the points its
code earns, in the same batch as the honest ones.
"""

import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from autograder import cli, mutation
from autograder import nbgrader_tools as tools

from .catalogue.a1_1_regresionlineal import CATALOGUE
from .cheats import CHEATS
from .conftest import ROOT, release_nb, source_nb

#: One process runs this module: its module-scoped fixture is built once (make test uses
#: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("cheats")

A11 = "1.1_RegresionLineal"
A12 = "1.2_Neurona_RegresionLineal"
A16 = "1.6_Neurona_RegresionLineal_NAG-ADAM"
A18 = "1.8_Proyecto_shallowNN_MNIST"
CHEATED = (A11, A12, A16, A18)
ASSIGNMENTS = CHEATED

#: Techniques also tried on the other assignments (all of them are tried on 1.1).
OTHERS = ("rebind_checks", "norm_is_zero", "ndarray_overloads", "pre_run_cell_hook")
#: Techniques added to a 1.1 submission that forgets 1/m in linear_gradients (it earns 15: its own cells and the end-to-end check fail).
ON_A_MISTAKE = ("rebind_checks", "norm_is_zero", "input_transformer", "fake_checks_module")
#: What that submission's code earns: 20 minus linear_gradients' cells (3) and the convergence check (2).
MISTAKE_POINTS = 15.0
NO_M = CATALOGUE["linear_gradients"]["mistakes"]["no_1_over_m"][1].strip()


def full_points(assignment):
    """Autograded points of an assignment, from its source."""
    return sum(
        float(cell.metadata.nbgrader.get("points", 0))
        for cell in source_nb(assignment).cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
        and not cell.metadata.nbgrader.get("solution")
    )


def with_cheat(nb, technique):
    """Return ``nb`` with the cheat's cell added where a student would put it."""
    nb = nbformat.from_dict(nb)
    where, code = CHEATS[technique]
    answers = [i for i, cell in enumerate(nb.cells) if mutation.is_solution(cell)]
    code_cells = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    index = code_cells[0] + 1 if where == "top" else answers[-1] + 1
    nb.cells.insert(index, new_code_cell(code))
    return nb


def submissions():
    """student -> (assignment, notebook, expected score)."""
    cases = {}
    for assignment in ASSIGNMENTS:
        short = assignment.split("_")[0].replace(".", "")
        untouched = release_nb(assignment)
        if assignment == A11:  # the others' honest versions: the cluster test's examples
            complete = mutation.student_submission(untouched, source_nb(assignment))
            cases[f"honest_{short}"] = (assignment, complete, full_points(assignment))
            cases[f"untouched_{short}"] = (assignment, untouched, 0.0)
        for technique in CHEATS if assignment == A11 else OTHERS:
            cases[f"{technique}_{short}"] = (assignment, with_cheat(untouched, technique), 0.0)
    mistake = mutation.student_submission(
        release_nb(A11), source_nb(A11), {"linear_gradients": NO_M}
    )
    cases["mistake_11"] = (A11, mistake, MISTAKE_POINTS)
    for technique in ON_A_MISTAKE:
        cases[f"mistake_{technique}_11"] = (A11, with_cheat(mistake, technique), MISTAKE_POINTS)
    return cases


CASES = submissions()
#: The table of every graded cheat (written by the test, for the record).
REPORT = ROOT / "reports" / "cheat_scores.md"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("cheats")
    for assignment in ASSIGNMENTS:
        for name in ("source", "release"):
            shutil.copytree(ROOT / name / assignment, course / name / assignment)
    config = (ROOT / "nbgrader_config.py").read_text()
    limits = "\nc.Execute.timeout = 120\nc.ResilientExecute.notebook_timeout = 600\n"
    (course / "nbgrader_config.py").write_text(config + limits)
    for student, (assignment, nb, _) in CASES.items():
        target = course / "submitted" / student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
    status = cli.main(["--course", str(course), "grade", "--jobs", "2", *ASSIGNMENTS])
    return course, status


@pytest.mark.slow
def test_every_cheat_gets_what_its_code_deserves(graded):
    course, status = graded
    assert status == 0
    scores = {(g.student, g.assignment): g.auto_score for g in tools.grades(course)}
    expected = {(student, case[0]): case[2] for student, case in CASES.items()}
    rows = [
        f"| {student} | {assignment} | {scores.get((student, assignment))} | {deserved} |"
        for (student, assignment), deserved in sorted(expected.items())
    ]
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(
        "| submission | assignment | score | deserved |\n|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n"
    )
    wrong = {k: (scores.get(k), v) for k, v in expected.items() if scores.get(k) != v}
    assert not wrong, f"(got, deserved): {wrong}"


@pytest.mark.slow
def test_cheats_leave_no_trace_of_hidden_tests(graded):
    course, _ = graded
    for student, (assignment, _, _) in CASES.items():
        graded_nb = course / "autograded" / student / assignment / f"{assignment}.ipynb"
        outputs = "".join(
            str(output)
            for cell in nbformat.read(graded_nb, as_version=4).cells
            for output in cell.get("outputs", [])
        )
        assert "BEGIN HIDDEN TESTS" not in outputs, student


def test_examples_score_full_marks_and_zero():
    """Every assignment's complete example earns full marks and its untouched one 0.

    The expected grades come from ``autograder grade`` on the example
    submissions (``python -m tests.expected_grades``); the cluster test
    proves a live run still equals them.
    """
    from .expected_grades import load

    totals = {}
    for (student, assignment, _, _), (score, maximum) in load().items():
        got, full = totals.get((student, assignment), (0.0, 0.0))
        totals[(student, assignment)] = (got + (score or 0.0), full + maximum)
    for assignment in tools.assignment_ids(ROOT):
        # the maximum also counts the written answers, graded by hand
        assert totals[("ana_completa", assignment)][0] == full_points(assignment), assignment
        assert totals[("beto_sin_tocar", assignment)][0] == 0.0, assignment
