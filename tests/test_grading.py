"""Grading through nbgrader itself: stderr never zeroes a right answer, and the example submissions
get exact, repeatable scores from `nbgrader autograde`."""

import re
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder import cli
from autograder import nbgrader_tools as tools

from .catalogue import example_submissions
from .conftest import ROOT


def _grade_cell(source, grade_id, points=1):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "locked": True,
        "points": points,
        "grade_id": grade_id,
        "schema_version": 3,
        "task": False,
    }
    return cell


def _answer_cell(source, grade_id):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": False,
        "solution": True,
        "locked": False,
        "grade_id": grade_id,
        "schema_version": 3,
        "task": False,
    }
    return cell


NOISY = """import os, sys, warnings
def noisy():
    # what TensorFlow and Keras write to stderr, from inside the student's code
    print('WARNING: All log messages before absl::InitializeLog() is called are written to STDERR', file=sys.stderr)
    print('I0000 00:00:1795860711.793630    1933 cpu_feature_guard.cc:227] This TensorFlow binary is optimized', file=sys.stderr)
    print('/x/keras/layer.py:93: UserWarning: Do not pass an input_shape', file=sys.stderr)
    warnings.warn('a library complains', UserWarning)
    return 3
def log_level():
    return os.environ.get('TF_CPP_MIN_LOG_LEVEL')
print('kernel chatter', file=sys.stderr)
"""


@pytest.mark.slow
def test_stderr_chatter_does_not_zero_a_passing_test_cell(monkeypatch):
    # the parent's environment must not be what silences TensorFlow: the course config must
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    nb = new_notebook(
        cells=[
            _answer_cell(NOISY, "noisy"),
            # test cells run in the trusted harness: the student's stderr and warnings, and
            # TensorFlow's logs in either process, never reach a test cell's stderr
            _grade_cell("assert log_level() == '3'", "env_set_in_kernel"),
            _grade_cell("assert noisy() == 3", "student_stderr_and_warnings"),
            _grade_cell(
                "import tensorflow as tf\nassert float(tf.reduce_sum(tf.ones(3))) == 3.0",
                "real_tensorflow",
            ),
            _grade_cell("assert 1 == 2, 'un fallo de verdad'", "real_failure"),
            _grade_cell("raise ValueError('también')", "real_error"),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    results = tools.run_and_score(nb, ROOT)
    assert {gid: r.passed for gid, r in results.items()} == {
        "env_set_in_kernel": True,
        "student_stderr_and_warnings": True,
        "real_tensorflow": True,
        "real_failure": False,
        "real_error": False,
    }


def test_example_submissions_are_in_sync_with_the_catalogue():
    built = example_submissions(ROOT)
    committed = {
        str(p.relative_to(ROOT / "examples" / "submissions")): nbformat.read(p, as_version=4)
        for p in (ROOT / "examples" / "submissions").rglob("*.ipynb")
    }
    assert sorted(committed) == sorted(built)
    for relpath, nb in built.items():
        assert committed[relpath] == nb, (
            f"{relpath} is out of date: run `python -m tests.catalogue`"
        )


# Exact autograded scores of the bundled examples (manual questions are graded by hand later).
EXPECTED_1_1 = {
    "ana_completa": 20.0,  # every test cell passes
    "beto_sin_tocar": 0.0,  # untouched student version
    # gradients without 1/m: both linear_gradients cells (3) and the end-to-end convergence
    # check (2); gradient_descent's own cells use the right gradients (cascade isolation)
    "carla_olvida_dividir_m": 15.0,
    "diego_con_ciclos": 20.0,  # loops instead of vectorised code: still correct
}


@pytest.fixture
def course(tmp_path):
    """A fresh copy of the course, as on a fresh clone (no gradebook, nothing submitted)."""
    # assignment 1.1 only: the bundled examples are of 1.1
    for name in ("source", "release"):
        shutil.copytree(
            ROOT / name / "1.1_RegresionLineal", tmp_path / name / "1.1_RegresionLineal"
        )
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    return tmp_path


@pytest.mark.slow
def test_demo_grades_the_examples_exactly_and_repeatably(course, capsys):
    assert cli.main(["--course", str(course), "demo", "--jobs", "2"]) == 0
    first = {(g.student, g.assignment): g.auto_score for g in tools.grades(course)}
    assert {s: first[(s, "1.1_RegresionLineal")] for s in EXPECTED_1_1} == EXPECTED_1_1
    manual = {g.student: g.needs_manual_grade for g in tools.grades(course)}
    assert manual["ana_completa"] and not manual["beto_sin_tocar"]
    # the demo wrote the table, the CSV and the feedback
    out = capsys.readouterr().out
    assert "carla_olvida_dividir_m" in out and "15.0" in out
    csv = (course / "grades.csv").read_text().splitlines()
    assert csv[0].startswith("assignment,duedate,timestamp,student_id")
    assert len([row for row in csv if row.startswith("1.1_RegresionLineal,")]) == len(EXPECTED_1_1)
    lms = (course / "grades_lms.csv").read_text().splitlines()
    assert lms[0] == "student_id,1.1_RegresionLineal"
    assert sorted(lms[1:]) == sorted(f"{s},{score:g}" for s, score in EXPECTED_1_1.items())
    for student in EXPECTED_1_1:
        html = (
            course / "feedback" / student / "1.1_RegresionLineal" / "1.1_RegresionLineal.html"
        ).read_text()
        # the feedback is private: results and messages, never the hidden test code
        assert (
            "BEGIN HIDDEN TESTS" not in html
            and "_dw_num" not in html
            and 'hidden_rng("linear_gradients")' not in html
        )
    carla = (
        course
        / "feedback"
        / "carla_olvida_dividir_m"
        / "1.1_RegresionLineal"
        / "1.1_RegresionLineal.html"
    )
    assert "parece que olvidaste dividir entre m" in carla.read_text()
    # the summary names each test by what it checks; written answers read "pending review"
    ana = (
        course / "feedback" / "ana_completa" / "1.1_RegresionLineal" / "1.1_RegresionLineal.html"
    ).read_text()
    assert "Prueba: Pruebas visibles de standardize" in ana
    assert "Prueba: Pruebas ocultas de standardize" in ana
    assert re.search(r"Respuesta escrita</a> \(pendiente de revisión, 2\.0 puntos\)", ana), ana
    assert "Respuesta escrita</a> (Puntuación: 0.0" not in ana
    # the instructor's report: distributions, failure rate per test cell, grading times
    report = (course / "reports" / "informe.html").read_text()
    assert report.count("<img") == 3 and "test_linear_gradients_hidden" in report
    assert "Grading time per submission" in report and "4 submissions" in report
    # the demo graded in parallel (2 jobs): every cell as in the stored serial run
    # (tests/expected_grades.json, `autograder grade --jobs 1`)
    from .expected_grades import load

    parallel = tools.cell_scores(course)
    assert len(parallel) == len(EXPECTED_1_1) * 15  # 13 test cells + 2 written answers each
    assert parallel == {k: v for k, v in load().items() if k[1] == "1.1_RegresionLineal"}


@pytest.mark.slow
def test_validate_exits_non_zero_on_a_stale_release(course, capsys):
    assert cli.main(["--course", str(course), "validate", "1.1_RegresionLineal"]) == 0
    path = course / "release" / "1.1_RegresionLineal" / "1.1_RegresionLineal.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source += "\nUn cambio hecho a mano en la versión del estudiante."
    nbformat.write(nb, path)
    assert cli.main(["--course", str(course), "validate", "1.1_RegresionLineal"]) == 1
    assert "out of date" in capsys.readouterr().err
