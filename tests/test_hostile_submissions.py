"""Hostile submissions of the example course: each is graded for what its code does, with a note,
and none stops grading or feedback, leaks a solution or reaches the page live.

`submitted/` is never edited; repairs happen on staged copies (``autograder.repair``).
"""

import copy
import json
import os
import re
import shutil
import time

import nbformat
import pytest
from nbformat.v4 import new_output

from autograder import cli
from autograder import nbgrader_tools as tools
from autograder.feedback import generate_feedback

from .test_example_course import HACKER, answered, make_course

#: One process runs this module: its module-scoped fixture is built once (make test uses
#: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("hostile_submissions")

SOLVED = {
    "problem1": HACKER["problem1"],
    "problem2": {"cubes": "def cubes(n):\n    return [i**3 for i in range(1, n + 1)]"},
}
FULL = 7.0
CAP = 200_000  # bytes: the course caps notebooks at 200 kB for this test


def _blank(course, name):
    return nbformat.read(course / "release" / "ps1" / f"{name}.ipynb", as_version=4)


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _solved(course, edits=None):
    """The solved notebooks of ps1, with ``edits[name](nb)`` applied."""
    nbs = {name: answered(_blank(course, name), SOLVED[name]) for name in SOLVED}
    for name, edit in (edits or {}).items():
        edit(nbs[name])
    return nbs


def _claims_points(nb):
    meta = _cell(nb, "squares").metadata.nbgrader
    meta.update(grade=True, points=100)


def _huge_output(nb):
    cell = _cell(nb, "squares")
    cell.outputs = [new_output("stream", name="stdout", text="x" * (2 * CAP))]


def _duplicate_test(nb):
    index = nb.cells.index(_cell(nb, "correct_squares"))
    nb.cells.insert(index + 1, copy.deepcopy(nb.cells[index]))
    nb.cells[index + 1].id = "copia"


def _marker_in_answer(nb):
    cell = _cell(nb, "squares")
    cell.source = "### BEGIN HIDDEN TESTS\n" + cell.source + "\n# END HIDDEN TESTS? no\n"


def _scripts(nb):
    cell = _cell(nb, "cubes")
    cell.source += (
        "\nfrom IPython.display import HTML, Javascript, display\n"
        "display(HTML(\"<script>alert('html')</script><b>hola</b>\"))\n"
        "display(Javascript('alert(1)'))\n"
    )
    _cell(nb, "cubes_answer").source = "<script>alert('md')</script> [x](javascript:alert(3))"


def _slipped(nb):
    data = json.loads(nbformat.writes(nb))
    data["cells"][2]["metadata"]["collapsed"] = "sí"
    data["cells"][2]["unknown_key"] = 1
    return json.dumps(data)


# student -> (notebooks to write, extra setup of the folder, expected autograded score, note)
CASES = {
    "honest": (lambda c: _solved(c), None, FULL, None),
    "claims_points": (
        lambda c: _solved(c, {"problem1": _claims_points}),
        None,
        FULL,
        "marcas de calificación de squares estaban modificadas",
    ),
    "too_big": (
        lambda c: _solved(c, {"problem1": _huge_output}),
        None,
        2.0,
        "más que el máximo",
    ),
    "broken_json": (
        lambda c: {**_solved(c), "problem1": '{"cells": ['},
        None,
        2.0,
        "no es un notebook válido",
    ),
    "empty_file": (lambda c: {**_solved(c), "problem2": ""}, None, 5.0, "está vacío"),
    "duplicated_test": (
        lambda c: _solved(c, {"problem1": _duplicate_test}),
        None,
        FULL,
        "duplicadas",
    ),
    "marker_in_answer": (lambda c: _solved(c, {"problem1": _marker_in_answer}), None, FULL, None),
    "scripts": (lambda c: _solved(c, {"problem2": _scripts}), None, FULL, None),
    # a FIFO, an extra notebook, and problem2 as a symlink to the instructor's solution
    "odd_files": (
        lambda c: {"problem1": _solved(c)["problem1"], "notas": _solved(c)["problem2"]},
        "odd",
        5.0,
        "No entregaste «problem2.ipynb»",
    ),
    # schema slips Jupyter itself repairs (bad metadata, an unknown cell key) cost nothing
    "schema_slips": (
        lambda c: {**_solved(c), "problem1": _slipped(_solved(c)["problem1"])},
        None,
        FULL,
        None,
    ),
    "renamed_copy": (
        lambda c: {"problem1": _solved(c)["problem1"], "problem2 (1)": _solved(c)["problem2"]},
        None,
        FULL,
        "se llamaba «problem2 (1).ipynb»",
    ),
    "many_files": (lambda c: _solved(c), "many", FULL, "No se copiaron 19800 archivo(s)"),
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("hostile") / "course")
    with open(course / "nbgrader_config.py", "a") as handle:
        handle.write(f"\nc.Course.max_notebook_bytes = {CAP}\n")
    shutil.rmtree(course / "submitted")
    for student, (make, extra, _, _) in CASES.items():
        folder = course / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        for name, nb in make(course).items():
            path = folder / f"{name}.ipynb"
            if isinstance(nb, str):
                path.write_text(nb)
            else:
                nbformat.write(nb, path)
        if extra == "odd":
            os.mkfifo(folder / "tubo.csv")
            (folder / "problem2.ipynb").symlink_to(course / "source" / "ps1" / "problem2.ipynb")
        if extra == "many":
            for i in range(20_000):
                (folder / f"f{i:05d}.txt").write_text("x")
    before = {
        p: (p.read_bytes() if p.is_file() and not p.is_symlink() else None)
        for p in (course / "submitted").rglob("*")
    }
    status = cli.main(["--course", str(course), "grade", "--jobs", "1", "ps1"])
    return course, status, before


def test_every_hostile_submission_is_graded_with_a_note(course, capsys):
    root, status, before = course
    assert status == 0
    scores = {g.student: g.auto_score for g in tools.grades(root)}
    assert scores == {student: case[2] for student, case in CASES.items()}
    for student, (_, _, _, note) in CASES.items():
        graded = root / "autograded" / student / "ps1"
        first = nbformat.read(graded / "problem1.ipynb", as_version=4).cells[0].source
        if note:
            pages = [nbformat.read(p, as_version=4).cells[0].source for p in graded.glob("*.ipynb")]
            assert any(note in page for page in pages), (student, pages)
        else:
            assert "Nota del calificador" not in first, (student, first)
    # submitted/ is exactly as handed in
    after = {
        p: (p.read_bytes() if p.is_file() and not p.is_symlink() else None)
        for p in (root / "submitted").rglob("*")
    }
    assert after == before
    # nothing odd reached the graded folder; the solution behind the symlink never did
    odd = root / "autograded" / "odd_files" / "ps1"
    assert sorted(p.name for p in odd.iterdir()) == ["data.csv", "problem1.ipynb"]  # data: source
    assert len(list((root / "autograded" / "many_files" / "ps1").iterdir())) < 1000


def test_student_html_and_scripts_are_not_live_in_the_graded_notebook(course):
    root = course[0]
    graded = nbformat.read(root / "autograded" / "scripts" / "ps1" / "problem2.ipynb", as_version=4)
    text = nbformat.writes(graded)
    assert "application/javascript" not in text
    # the HTML output keeps its safe markup only (nh3): the script and its content are gone
    outputs = json.dumps(_cell(graded, "cubes").outputs)
    assert "<b>hola</b>" in outputs and "<script" not in outputs and "alert" not in outputs
    answer = _cell(graded, "cubes_answer").source
    assert "<script>" not in answer and "&lt;script>" in answer
    assert "javascript:" not in answer


def test_feedback_goes_on_for_everyone_and_leaks_nothing(course, capsys):
    root = course[0]
    # what a kernel may leave in its graded folder: a FIFO and an extra notebook
    graded = root / "autograded" / "marker_in_answer" / "ps1"
    os.mkfifo(graded / "fifo.ipynb")
    shutil.copy(graded / "problem1.ipynb", graded / "otro.ipynb")
    os.mkfifo(graded / "problem2.ipynb.tmp")
    assert cli.main(["--course", str(root), "feedback", "ps1"]) == 0
    for student in CASES:
        folder = root / "feedback" / student / "ps1"
        pages = sorted(p.name for p in folder.iterdir())
        assert pages and set(pages) <= {"problem1.html", "problem2.html"}, (student, pages)
        for page in folder.iterdir():
            html = page.read_text()
            assert "squares(-4)" not in html and "sum_of_squares(10)" not in html
            assert "cubes(4)" not in html
            # no live student script: alert() appears only as highlighted code or escaped text
            assert re.search(r"<script[^>]*>[^<]*alert", html) is None
            assert "Puntuación" in html
    scripts = (root / "feedback" / "scripts" / "ps1" / "problem2.html").read_text()
    # the student's Markdown HTML shows as text, its links are defused, its JS output is
    # dropped, its HTML output keeps its safe markup only
    assert "&lt;script&gt;alert('md')&lt;/script&gt;" in scripts
    assert 'href="javascript-bloqueado:alert(3)"' in scripts
    assert "<b>hola</b>" in scripts  # rendered: the safe part of the student's HTML output
    assert "alert('html')</script>" not in scripts
    marker = (root / "feedback" / "marker_in_answer" / "ps1" / "problem1.html").read_text()
    assert "BEGIN HIDDEN TESTS" in marker  # the student's own text, shown as written
    assert "Prueba oculta" in marker


def test_feedback_time_is_linear_in_the_files_of_a_folder(course):
    root = course[0]
    student = "many_files"
    graded = root / "autograded" / student / "ps1"
    course_obj = tools.get_course(root)
    times = {}
    made = 0
    for count in (1000, 2000, 4000, 20_000):
        while made < count:
            (graded / f"g{made:05d}.txt").write_text("x")
            made += 1
        start = time.perf_counter()
        done, failed = generate_feedback(course_obj, "ps1", [student])
        times[count] = time.perf_counter() - start
        assert done == [student] and not failed
    print("feedback seconds by files in the folder:", {k: round(v, 2) for k, v in times.items()})
    # 20x the files may not cost 20x the time: the folder is never scanned
    assert times[20_000] < 3 * times[1000] + 2.0, times


def test_a_failing_feedback_is_reported_and_the_others_written(course, capsys):
    root = course[0]
    phantom = root / "autograded" / "phantom" / "ps1"
    phantom.mkdir(parents=True)
    os.mkfifo(phantom / "problem1.ipynb")  # no readable notebook at all
    shutil.rmtree(root / "feedback", ignore_errors=True)  # written by an earlier test, or not
    assert cli.main(["--course", str(root), "feedback", "ps1"]) == 1
    err = capsys.readouterr().err
    assert "feedback failed for phantom" in err
    for student in CASES:
        assert (root / "feedback" / student / "ps1" / "problem1.html").is_file()


def test_a_submission_folder_linking_to_a_classmate_is_not_followed(course):
    from autograder.course import Course

    root = course[0]
    link = root / "submitted" / "copion" / "ps1"
    link.parent.mkdir(parents=True)
    link.symlink_to(root / "submitted" / "honest" / "ps1", target_is_directory=True)
    assert "copion" not in Course(root).submissions("ps1")
