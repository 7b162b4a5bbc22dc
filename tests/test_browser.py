"""Browser tests: what a student and an instructor see in JupyterLab 4 (Playwright + Chromium).

Screenshots go to ``reports/screenshots/`` (git-ignored) for a person to look at.
"""

import contextlib
import csv
import shutil
import sys
import time
from pathlib import Path

import pytest

from autograder import cli

from . import browser, student_env
from .conftest import ROOT

#: One process runs this module: its module-scoped fixture is built once (make test uses
#: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("browser")

A = "1.1_RegresionLineal"
TF = "1.2_Neurona_RegresionLineal"

LINEAR_FORWARD = '''def linear_forward(w, b, X):
    """Calcula las predicciones del modelo lineal."""
    return w.T @ X + b
'''
# The typical mistake: the cost without the 1/2 of the slide's definition.
MSE_COST_WITHOUT_HALF = '''def mse_cost(y_hat, y):
    """Calcula el costo (con un error típico: sin el 1/2)."""
    return float(np.mean((y_hat - y) ** 2))
'''
STUB_MESSAGE = "Completa esta celda: borra esta línea y escribe tu código."


def _index(nb_path: Path, grade_id: str) -> int:
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for i, c in enumerate(nb.cells):
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return i
    raise KeyError(grade_id)


def _main_jupyter_paths(env: dict[str, str]) -> dict[str, str]:
    """Let the student's server find JupyterLab's and nbgrader's extensions (data, config)."""
    env = dict(env)
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    env["JUPYTER_CONFIG_PATH"] = str(Path(sys.prefix) / "etc" / "jupyter")
    return env


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """A student's machine: the bundle's wheel in a fresh venv, the release notebooks unpacked."""
    base = tmp_path_factory.mktemp("browser-student")
    bundle = student_env.build_bundle(base / "bundle")
    work = base / "home"
    work.mkdir()
    python = student_env.student_venv(base / "venv", bundle.wheel, work)
    for assignment in (A, TF):
        shutil.copytree(bundle.root / assignment, work / assignment)
    return base, python, work


@pytest.mark.slow
def test_student_runs_fills_in_and_validates_a_release_notebook(student):
    base, python, work = student
    env = _main_jupyter_paths(student_env.student_env(base / "venv", work))
    nb_path = work / A / f"{A}.ipynb"
    forward, cost = _index(nb_path, "linear_forward"), _index(nb_path, "mse_cost")
    started = time.perf_counter()
    with (
        browser.jupyterlab(python, work, env, base / "lab-student.log") as (url, token),
        browser.browser_page() as page,
        contextlib.ExitStack() as stack,
    ):
        stack.enter_context(browser.screenshot_on_failure(page, "student"))
        browser.open_notebook(page, url, token, f"{A}/{A}.ipynb")
        browser.run_all(page)
        first_stub = browser.cell(page, _index(nb_path, "test_standardize"))
        first_stub.locator(".jp-OutputArea-output").first.wait_for()
        stub_text = first_stub.inner_text()
        assert "NotImplementedError" in stub_text and STUB_MESSAGE in stub_text
        # the data cell before it ran: the wheel's data loaded
        assert "X_rows: (506, 12)" in browser.cell(page, _index(nb_path, "load-data")).inner_text()
        first_stub.scroll_into_view_if_needed()
        print("screenshot:", browser.screenshot(page, "student-1-run-all-stub"))

        # One exercise done right: its visible test passes.
        browser.replace_cell_source(page, forward, LINEAR_FORWARD)
        browser.run_cells(page, forward, 2)
        passed = browser.cell(page, forward + 1)
        passed.scroll_into_view_if_needed()
        assert "¡Pruebas visibles superadas!" in passed.locator(".jp-OutputArea").inner_text()
        print("screenshot:", browser.screenshot(page, "student-2-visible-test-passes"))

        # Another with a typical mistake: the Spanish message of the check.
        browser.replace_cell_source(page, cost, MSE_COST_WITHOUT_HALF)
        browser.run_cells(page, cost, 2)
        failed = browser.cell(page, cost + 1)
        failed.scroll_into_view_if_needed()
        message = failed.locator(".jp-OutputArea").inner_text()
        # the visible test names the mistake (the catalogue's message for a missing ½)
        assert "CheckFailed" in message
        assert "`cost` no es correcto: falta el factor ½ de la pérdida" in message
        print("screenshot:", browser.screenshot(page, "student-3-typical-mistake"))

        # nbgrader's Validate button (saves, then runs the notebook on the server).
        page.locator(
            f"{browser.PANEL} .jp-Toolbar .jp-ToolbarButtonComponent", has_text="Validate"
        ).click()
        dialog = page.locator(".jp-Dialog", has_text="Validation Results")
        dialog.wait_for(timeout=180_000)
        result = dialog.inner_text()
        print("screenshot:", browser.screenshot(page, "student-4-validate"))
        assert "failed" in result and "NotImplementedError" in result, result[:2000]
        assert "# Pruebas visibles de standardize" in result
        assert "There was an error running the validate command" not in result
        dialog.get_by_role("button", name="Ok").click()
    print(f"student browser test: {time.perf_counter() - started:.0f} s")


@pytest.mark.slow
def test_tensorflow_import_prints_nothing_to_the_student(student):
    base, python, work = student
    env = _main_jupyter_paths(student_env.student_env(base / "venv", work))
    assert "TF_CPP_MIN_LOG_LEVEL" not in env
    nb_path = work / TF / f"{TF}.ipynb"
    setup, import_tf = _index(nb_path, "setup"), _index(nb_path, "import-tf")
    with (
        browser.jupyterlab(python, work, env, base / "lab-tf.log") as (url, token),
        browser.browser_page() as page,
    ):
        browser.open_notebook(page, url, token, f"{TF}/{TF}.ipynb")
        browser.run_cells(page, setup, 1)
        browser.run_cells(page, import_tf, 1)
        tf_cell = browser.cell(page, import_tf)
        tf_cell.scroll_into_view_if_needed()
        print("screenshot:", browser.screenshot(page, "student-5-tensorflow-import"))
        text = tf_cell.inner_text()
        assert tf_cell.locator(".jp-InputArea-prompt").inner_text().strip() != "[ ]:"
        assert not tf_cell.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count()
        for noise in ("absl", "oneDNN", "cpu_feature_guard", "I0000", "W0000", "E0000"):
            assert noise not in text, text
        page_text = page.locator(browser.NOTEBOOK).inner_text()
        assert "absl::InitializeLog" not in page_text and "oneDNN" not in page_text


@pytest.fixture
def graded_course(tmp_path):
    """A copy of the course with one example submission of 1.1 autograded."""
    course = tmp_path / "course"
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / A, course / name / A)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(
        ROOT / "examples" / "submissions" / "ana_completa" / A,
        course / "submitted" / "ana_completa" / A,
    )
    assert cli.main(["--course", str(course), "grade", A, "--jobs", "1"]) == 0
    return course


def _export_score(course: Path) -> float:
    assert cli.main(["--course", str(course), "export"]) == 0
    with open(course / "grades.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["student_id"] == "ana_completa"]
    assert len(rows) == 1
    return float(rows[0]["score"])


@pytest.mark.slow
def test_instructor_grades_a_written_answer_in_the_formgrader(graded_course, tmp_path):
    course = graded_course
    before = _export_score(course)
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("JUPYTER")}
    env["HOME"] = str(tmp_path)
    with (
        browser.jupyterlab(Path(sys.executable), course, env, tmp_path / "lab-instructor.log") as (
            url,
            token,
        ),
        browser.browser_page() as page,
    ):
        page.goto(f"{url}/lab?token={token}")
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Formgrader").first.click()
        frame = page.frame_locator("iframe").first
        frame.get_by_text("Manage Assignments").first.wait_for()
        frame.get_by_text(A).first.wait_for()
        print("screenshot:", browser.screenshot(page, "instructor-1-formgrader"))

        page.goto(f"{url}/formgrader/gradebook/{A}/{A}?token={token}")
        link = page.locator("a[href*='/formgrader/submissions/']").first
        link.wait_for()
        print("screenshot:", browser.screenshot(page, "instructor-2-submissions"))
        link.click()
        score = page.locator("input.score#question_learning_rate")
        score.wait_for()
        score.scroll_into_view_if_needed()
        score.fill("1.5")
        with page.expect_response(
            lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT",
            timeout=60_000,
        ) as saved:
            score.press("Tab")  # the formgrader saves on change
        assert saved.value.ok, saved.value.status
        page.wait_for_timeout(500)
        print("screenshot:", browser.screenshot(page, "instructor-3-manual-grade"))
    after = _export_score(course)
    assert after == pytest.approx(before + 1.5), (before, after)
