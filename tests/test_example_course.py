"""Another nbgrader course, graded by `autograder` exactly as stock `nbgrader autograde` grades it.

The example course in ``tests/example_course/`` is shaped like nbgrader's documented one:
assignment ``ps1`` of two notebooks, a header notebook, a data file the first notebook
reads, students who hand in both notebooks, one, or none.
"""

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import cli
from autograder import nbgrader_tools as tools

#: One process runs this module: its module-scoped fixture is built once (make test uses
#: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("example_course")

EXAMPLE = Path(__file__).resolve().parent / "example_course"
NBGRADER = str(Path(sys.executable).parent / "nbgrader")

# answers by grade id; bitdiddle makes mistakes, hacker solves problem1 only
BITDIDDLE = {
    "problem1": {
        "squares": "def squares(n):\n    return [i**2 for i in range(1, n + 1)]",
        "sum_of_squares": "def sum_of_squares(n):\n    return n",
        "sum_of_squares_equation": "Creo que es $n^2$.",
        "mean_value": "def mean_value():\n    import csv\n"
        '    with open("data.csv", newline="") as handle:\n'
        '        values = [float(r["value"]) for r in csv.DictReader(handle)]\n'
        "    return sum(values) / len(values)",
    },
    "problem2": {"cubes": "def cubes(n):\n    return [1, 8][:n]", "cubes_answer": "`squares`"},
}
HACKER = {
    "problem1": {
        "squares": "def squares(n):\n    if n < 1:\n        raise ValueError(n)\n"
        "    return [i * i for i in range(1, n + 1)]",
        "sum_of_squares": "def sum_of_squares(n):\n    return n * (n + 1) * (2 * n + 1) // 6",
        "sum_of_squares_equation": "$n(n+1)(2n+1)/6$",
        "mean_value": "def mean_value():\n    return 2.5",
    }
}
# stock nbgrader's scores (autograded part), as the test asserts below
EXPECTED = {("bitdiddle", "ps1"): 2.0, ("hacker", "ps1"): 5.0}


def answered(blank, answers):
    """Return the student version with the answer cells of ``answers`` filled in."""
    nb = copy.deepcopy(blank)
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def make_course(folder: Path) -> Path:
    """Copy the example course to ``folder``, release it and write the submissions."""
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("build.py", "__pycache__"))
    tools.release(folder, ["ps1"])
    for student, answers in (("bitdiddle", BITDIDDLE), ("hacker", HACKER)):
        target = folder / "submitted" / student / "ps1"
        target.mkdir(parents=True)
        (target / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC")
        for name, cells in answers.items():
            blank = nbformat.read(folder / "release" / "ps1" / f"{name}.ipynb", as_version=4)
            nbformat.write(answered(blank, cells), target / f"{name}.ipynb")
    (folder / "submitted" / "ghost" / "ps1").mkdir(parents=True)  # handed in nothing
    return folder


def stock_config(path: Path) -> str:
    """Return the course's config without the two lines of autograder: the course before adopting it."""
    text = path.read_text()
    adopted = "from autograder import configure  # noqa: E402\n\nconfigure(c)\n"
    assert adopted in text
    return text.replace(adopted, "")


def test_the_example_course_adopts_autograder_in_two_lines():
    from nbgrader.preprocessors import Execute

    from autograder.harness.execute import TrustedExecute

    config = tools.load_config(EXAMPLE)
    steps = config.Autograde.autograde_preprocessors
    assert TrustedExecute in steps and Execute not in steps
    # configure's defaults: the trusted harness on, cascade isolation left to the course (off)
    assert config.TrustedExecute.harness is True and config.TrustedExecute.isolate is False


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The example course graded by `autograder grade` (and, in a copy, by stock nbgrader)."""
    base = tmp_path_factory.mktemp("example")
    ours = make_course(base / "ours")
    stock = base / "stock"
    shutil.copytree(ours, stock)
    shutil.rmtree(stock / "submitted" / "ghost")  # stock nbgrader fails a folder without notebooks
    (stock / "nbgrader_config.py").write_text(stock_config(ours / "nbgrader_config.py"))
    before = {p: p.read_bytes() for p in (ours / "submitted").rglob("*") if p.is_file()}
    status = cli.main(["--course", str(ours), "grade", "--jobs", "1", "ps1"])
    run = subprocess.run(
        [NBGRADER, "autograde", "ps1", "--force"], cwd=stock, capture_output=True, text=True
    )
    return ours, stock, status, run, before


def test_same_scores_as_stock_nbgrader_in_every_cell(graded):
    ours, stock, status, run, _ = graded
    assert status == 0
    assert run.returncode == 0, run.stderr[-3000:]
    mine = tools.cell_scores(ours)
    theirs = tools.cell_scores(stock)
    assert {k: v for k, v in mine.items() if k[0] != "ghost"} == theirs
    totals = {(g.student, g.assignment): g.auto_score for g in tools.grades(stock)}
    assert totals == EXPECTED
    ours_totals = {(g.student, g.assignment): g.auto_score for g in tools.grades(ours)}
    assert ours_totals == {**EXPECTED, ("ghost", "ps1"): 0.0}
    # the data file travelled with the assignment: bitdiddle's mean_value read it
    assert theirs[("bitdiddle", "ps1", "problem1", "correct_mean_value")] == (1.0, 1.0)


def test_submitted_is_never_edited_and_notes_reach_the_student(graded):
    ours, _, _, _, before = graded
    after = {p: p.read_bytes() for p in (ours / "submitted").rglob("*") if p.is_file()}
    assert after == before
    hacker = nbformat.read(ours / "autograded" / "hacker" / "ps1" / "problem1.ipynb", as_version=4)
    assert "No entregaste «problem2.ipynb»" in hacker.cells[0].source
    ghost = nbformat.read(ours / "autograded" / "ghost" / "ps1" / "problem1.ipynb", as_version=4)
    assert "No se encontró este notebook" in ghost.cells[0].source
    # the header notebook heads the student version and the graded notebooks
    assert "Curso de ejemplo" in "".join(c.source for c in hacker.cells[:3])


def test_feedback_export_report_validate_work_on_it(graded, capsys):
    ours = graded[0]
    assert cli.main(["--course", str(ours), "feedback", "ps1"]) == 0
    page = (ours / "feedback" / "hacker" / "ps1" / "problem1.html").read_text()
    assert "Puntuación" in page and "Prueba" in page and "Respuesta escrita" in page
    assert "BEGIN HIDDEN TESTS" not in page and "squares(-4)" not in page
    assert "No entregaste" in page
    assert not (ours / "feedback" / "hacker" / "ps1" / "data.csv").exists()
    assert cli.main(["--course", str(ours), "export"]) == 0
    lms = (ours / "grades_lms.csv").read_text().splitlines()
    assert lms[0] == "student_id,ps1" and "hacker,5" in lms and "ghost,0" in lms
    assert cli.main(["--course", str(ours), "report"]) == 0
    report = (ours / "reports" / "informe.html").read_text()
    assert "pending" in report  # written answers awaiting a grade are not failures
    assert cli.main(["--course", str(ours), "validate", "ps1"]) == 0
    assert "ps1: ok" in capsys.readouterr().out


def test_feedback_in_the_language_of_an_english_course(graded, tmp_path, monkeypatch):
    from autograder import i18n

    monkeypatch.setenv(i18n.VARIABLE, "es")  # configure(c) sets the process's: restored
    course = tmp_path / "english"
    shutil.copytree(graded[0], course, ignore=shutil.ignore_patterns("feedback"))
    config = course / "nbgrader_config.py"
    two_lines = "from autograder import configure"
    config.write_text(
        config.read_text().replace(two_lines, 'c.Autograder.language = "en"\n' + two_lines)
    )
    assert cli.main(["--course", str(course), "feedback", "ps1"]) == 0
    page = (course / "feedback" / "hacker" / "ps1" / "problem1.html").read_text()
    assert '<html lang="en">' in page
    assert "Score" in page and "Written answer" in page
    assert "# Hidden test: its code is not shown, only its result." in page
    assert "Puntuación" not in page and "Prueba oculta" not in page
    assert "squares(-4)" not in page
