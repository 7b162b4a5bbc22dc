"""The fault suite: broken submissions graded in one batch with good ones.

Each broken submission gets its own fair score and a clear note; the good
ones are graded as usual; the gradebook holds every student.
"""

import shutil

import nbformat
import pytest

from autograder import cli, mutation
from autograder import nbgrader_tools as tools

from .catalogue.a1_1_regresionlineal import CATALOGUE
from .conftest import ROOT, release_nb, source_nb

A = "1.1_RegresionLineal"
FULL = 20.0  # autograded points of 1.1


def _solved(replacements=None):
    return mutation.student_submission(release_nb(A), source_nb(A), replacements or {})


def _answer(cell_id):
    return mutation.strip_markers(mutation.cells_by_id(source_nb(A))[cell_id].source)


def _without(nb, grade_id):
    nb.cells = [c for c in nb.cells if mutation.grade_id(c) != grade_id]
    return nb


def _edited(nb, grade_id, source):
    mutation.cells_by_id(nb)[grade_id].source = source
    return nb


def _duplicated(nb, grade_id):
    index = next(i for i, c in enumerate(nb.cells) if mutation.grade_id(c) == grade_id)
    nb.cells.insert(
        index + 1, nbformat.from_dict(nbformat.v4.new_code_cell(nb.cells[index].source))
    )
    nb.cells[index + 1].metadata = nb.cells[index].metadata
    return nb


SNOOP = """import os, signal, socket
def _attempt(what, action):
    try:
        action()
        print("FUGA:", what)
    except Exception as exc:
        print("bloqueado:", what, type(exc).__name__)
_attempt("source", lambda: open("../../../source/1.1_RegresionLineal/1.1_RegresionLineal.ipynb").read())
_attempt("listar source", lambda: os.listdir("../../../source"))
_attempt("gradebook", lambda: open("../../../gradebook.db", "rb").read(16))
_attempt("entrega ajena", lambda: open("../../../submitted/good/1.1_RegresionLineal/1.1_RegresionLineal.ipynb").read())
_attempt("calificado ajeno", lambda: os.listdir("../../good"))
_attempt("escribir fuera", lambda: open("../../../hackeo.txt", "w").write("x"))
_attempt("escribir en /usr", lambda: open("/usr/hackeo-iap.txt", "w").write("x"))
_attempt("red", lambda: socket.create_connection(("1.1.1.1", 80), timeout=3))
_attempt("senal al calificador", lambda: os.kill(os.getppid(), 0))
open("mi_archivo.txt", "w").write("permitido")  # its own folder is writable
print("escrito:", open("mi_archivo.txt").read())

"""

NO_M = CATALOGUE["linear_gradients"]["mistakes"]["no_1_over_m"][1].strip()

# student -> (what is written to submitted/<student>/1.1/..., file name, expected score, note fragment)
CASES = {
    "good": (lambda: _solved(), f"{A}.ipynb", FULL, None),
    "invalid_json": (lambda: '{"cells": [', f"{A}.ipynb", 0.0, "no es un notebook válido"),
    "empty_file": (lambda: "", f"{A}.ipynb", 0.0, "el archivo está vacío"),
    "renamed": (lambda: _solved(), "Copia de 1.1 (2).ipynb", FULL, "se llamaba"),
    # a deleted test cell is restored and run: right code keeps its points
    "deleted_test": (lambda: _without(_solved(), "test_mse_cost_hidden"), f"{A}.ipynb", FULL, None),
    # an edited test cell is restored: the mistake it hid is still caught (as for carla: 15)
    "edited_test": (
        lambda: _edited(
            _solved({"linear_gradients": NO_M}), "test_linear_gradients_hidden", "pass"
        ),
        f"{A}.ipynb",
        15.0,
        None,
    ),
    "duplicated_test": (
        lambda: _duplicated(_solved(), "test_standardize"),
        f"{A}.ipynb",
        FULL,
        None,
    ),
    # normal_equation never gets defined: its 2 cells (3) and the convergence check (2) fail
    "endless_loop": (
        lambda: _solved(
            {"normal_equation": "while True:\n    pass\n\n" + _answer("normal_equation")}
        ),
        f"{A}.ipynb",
        15.0,
        None,
    ),
    "memory_hog": (
        lambda: _solved(
            {"normal_equation": "_hog = np.ones(2 * 10**9)\n\n" + _answer("normal_equation")}
        ),
        f"{A}.ipynb",
        15.0,
        None,
    ),
    # the cell ignores the interrupt its timeout sends: the kernel is stopped,
    # everything before keeps its points
    "ignores_interrupt": (
        lambda: _solved(
            {
                "normal_equation": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                "while True:\n    pass\n"
            }
        ),
        f"{A}.ipynb",
        15.0,
        None,
    ),
    # three slow cells of 15 s each: the notebook's 40 s run out in gradient_descent,
    # whose tests (3) and everything after it (5) score 0
    "too_slow": (
        lambda: _solved(
            {
                name: "import time\ntime.sleep(15)\n\n" + _answer(name)
                for name in ("mse_cost", "linear_gradients", "gradient_descent")
            }
        ),
        f"{A}.ipynb",
        12.0,
        None,
    ),
    # tries to read the tests, the gradebook and a classmate's work, to write
    # outside its folder and to reach the network; then solves honestly
    "snooper": (
        lambda: _solved({"standardize": SNOOP + _answer("standardize")}),
        f"{A}.ipynb",
        FULL,
        None,
    ),
    # the kernel dies in the normal_equation cell: everything before keeps its points
    "kernel_dies": (
        lambda: _solved(
            {"normal_equation": _answer("normal_equation") + "\n\nimport os\nos._exit(1)\n"}
        ),
        f"{A}.ipynb",
        15.0,
        None,
    ),
}


@pytest.fixture
def course(tmp_path):
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / A, tmp_path / name / A)
    config = (ROOT / "nbgrader_config.py").read_text()
    # a short cell timeout keeps the endless loop cheap; 40 s for a whole notebook
    # (the solution needs about 7 s) stops the slow one
    limits = "\nc.Execute.timeout = 20\nc.ResilientExecute.notebook_timeout = 40\n"
    (tmp_path / "nbgrader_config.py").write_text(config + limits)
    for student, (make, filename, _, _) in CASES.items():
        target = tmp_path / "submitted" / student / A / filename
        target.parent.mkdir(parents=True)
        content = make()
        if isinstance(content, str):
            target.write_text(content)
        else:
            nbformat.write(content, target)
    return tmp_path


@pytest.mark.slow
def test_fault_suite(course, capsys):
    status = cli.main(["--course", str(course), "grade", "--jobs", "2", A])
    out = capsys.readouterr().out
    assert status == 0, out
    scores = {g.student: g.auto_score for g in tools.grades(course)}
    assert scores == {student: case[2] for student, case in CASES.items()}
    for student, (_, _, _, fragment) in CASES.items():
        if fragment:
            assert fragment in out, f"{student}: no note {fragment!r} in the grading output"
    for student in ("invalid_json", "empty_file"):
        graded = nbformat.read(course / "autograded" / student / A / f"{A}.ipynb", as_version=4)
        assert "No se pudo leer tu entrega" in graded.cells[0].source, (
            f"{student}: no note in the notebook"
        )
    # the dead kernel and the memory hog are explained in the graded notebooks
    dead = nbformat.read(course / "autograded" / "kernel_dies" / A / f"{A}.ipynb", as_version=4)
    assert "KernelDetenido" in str(dead)
    hog = nbformat.read(course / "autograded" / "memory_hog" / A / f"{A}.ipynb", as_version=4)
    assert "MemoryError" in str(hog)
    # a cell stopped by its timeout says so in Spanish
    endless = nbformat.read(course / "autograded" / "endless_loop" / A / f"{A}.ipynb", as_version=4)
    assert "TiempoAgotado" in str(endless)
    stuck = nbformat.read(
        course / "autograded" / "ignores_interrupt" / A / f"{A}.ipynb", as_version=4
    )
    assert "no respondió a la interrupción" in str(stuck)
    slow = nbformat.read(course / "autograded" / "too_slow" / A / f"{A}.ipynb", as_version=4)
    assert "agotó su tiempo de calificación" in str(slow)
    # the sandbox stopped every attempt of the snooper, and only those
    snooper = course / "autograded" / "snooper" / A
    printed = "".join(
        output.get("text", "")
        for cell in nbformat.read(snooper / f"{A}.ipynb", as_version=4).cells
        for output in cell.get("outputs", [])
    )
    assert "FUGA" not in printed, printed
    assert printed.count("bloqueado:") == 9, printed
    assert "escrito: permitido" in printed
    # the executor returns the executed notebook only: what the kernel wrote stays in its scratch
    assert not (snooper / "mi_archivo.txt").exists()
    assert not (course / "hackeo.txt").exists()
    # submitted/ is never edited: repairs happened on staged copies
    assert (course / "submitted" / "invalid_json" / A / f"{A}.ipynb").read_text() == '{"cells": ['
    assert (course / "submitted" / "renamed" / A / "Copia de 1.1 (2).ipynb").is_file()
    # feedback works for every submission, broken ones included
    assert cli.main(["--course", str(course), "feedback", A]) == 0
    for student in CASES:
        assert (course / "feedback" / student / A / f"{A}.html").is_file()
