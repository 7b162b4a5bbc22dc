"""The instructor's report: how often the class made each known mistake, and written answers pending.

Three real submissions of 1.1 built from its mutation catalogue are graded by
``autograder grade`` (hidden tests included), and the report must count the
mistakes that the failing checks named, exactly.
"""

import shutil

import nbformat
import pytest

from autograder import cli, mutation
from autograder import nbgrader_tools as tools
from autograder.report import mistake_counts

from .catalogue import load_all
from .conftest import ROOT, release_nb, source_nb

#: One process runs this module: its module-scoped fixture is built once (make test uses
#: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("report")

A = "1.1_RegresionLineal"
NO_1_OVER_M = "parece que olvidaste dividir entre m"
NO_HALF = "falta el factor ½ de la pérdida"


def _mistake(cell_id, name):
    return load_all()[A].CATALOGUE[cell_id]["mistakes"][name][1].strip() + "\n"


# student -> the answer cells replaced by a catalogued mistake (the rest is the solution)
SUBMISSIONS = {
    "ana": {},
    "carla": {"linear_gradients": _mistake("linear_gradients", "no_1_over_m")},
    "dora": {
        "linear_gradients": _mistake("linear_gradients", "no_1_over_m"),
        "mse_cost": _mistake("mse_cost", "no_half"),
    },
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / A, course / name / A)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    for student, replacements in SUBMISSIONS.items():
        nb = mutation.student_submission(release_nb(A), source_nb(A), replacements)
        folder = course / "submitted" / student / A
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{A}.ipynb")
    assert cli.main(["--course", str(course), "grade", "--jobs", "1", A]) == 0
    return course


@pytest.mark.slow
def test_the_report_counts_each_named_mistake_per_test_cell(graded):
    counts = mistake_counts(graded, tools.cell_grades(graded))
    assert {key: dict(counter) for key, counter in counts.items()} == {
        # the visible tests name these mistakes too; the gradient-descent cells that fail
        # after them (a diverging descent) name no mistake
        (A, A, "test_linear_gradients"): {NO_1_OVER_M: 2},
        (A, A, "test_linear_gradients_hidden"): {NO_1_OVER_M: 2},
        (A, A, "test_mse_cost"): {NO_HALF: 1},
        (A, A, "test_mse_cost_hidden"): {NO_HALF: 1},
    }
    assert cli.main(["--course", str(graded), "report"]) == 0
    page = (graded / "reports" / "informe.html").read_text()
    assert "<h3>Known mistakes</h3>" in page
    for cell, mistake, count in [
        ("test_linear_gradients_hidden", NO_1_OVER_M, "2 of 3"),
        ("test_mse_cost_hidden", NO_HALF, "1 of 3"),
    ]:
        assert f"<td>{cell}</td><td class='msg'>«{mistake}»</td><td>{count}</td>" in page


@pytest.mark.slow
def test_written_answers_awaiting_a_grade_are_pending_not_failed(graded):
    assert cli.main(["--course", str(graded), "report"]) == 0
    page = (graded / "reports" / "informe.html").read_text()
    written = [
        gid
        for gid, cell in mutation.cells_by_id(source_nb(A)).items()
        if cell.cell_type == "markdown" and mutation.is_solution(cell)
    ]
    assert len(written) == 2
    for gid in written:
        row = f"<tr><td>{gid}</td><td>0</td><td>0</td><td>-</td><td>3 pending</td><td>-</td></tr>"
        assert row in page
    assert "3 await manual grading of written answers" in page


@pytest.mark.slow
def test_grader_failures_are_told_apart_from_student_mistakes(graded, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(graded, course)
    times = course / "reports" / "grading_times.csv"
    rows = times.read_text().splitlines()
    assert rows[0] == "assignment,student,seconds,success" and len(rows) == 4
    # dora's grading FAILED (the grader's failure): left out of the class's numbers
    times.write_text(
        "\n".join(r.replace(",True", ",False") if ",dora," in r else r for r in rows) + "\n"
    )
    # carla's failed gradient test was cut by the notebook's time limit instead
    path = course / "autograded" / "carla" / A / f"{A}.ipynb"
    nb = nbformat.read(path, as_version=4)
    (cell,) = [
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "test_linear_gradients"
    ]
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert errors
    for output in errors:
        output.ename = "TiempoAgotado"
    nbformat.write(nb, path)
    assert cli.main(["--course", str(course), "report"]) == 0
    page = (course / "reports" / "informe.html").read_text()
    assert "<h2>Grader failures</h2>" in page
    assert f"<tr><td>{A}</td><td>dora</td></tr>" in page
    assert "<p>2 submissions;" in page
    row = "<tr><td>test_linear_gradients</td><td>1</td><td>2</td><td>50 %</td><td>-</td><td>1</td></tr>"
    assert row in page
    # the mistake dora made is not counted: only carla's submission remains, and it timed out
    assert "2 of 3" not in page
