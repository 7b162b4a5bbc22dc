"""Commands tell the truth: no fallback course, nothing-to-do is said, unknown ids are refused."""

import shutil

import pytest

from autograder import cli
from autograder import nbgrader_tools as tools

from .test_example_course import EXAMPLE


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("build.py", "__pycache__"))
    return root


def test_a_folder_without_config_is_an_error_not_another_course(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--course", str(tmp_path), "grade"]) == 2
    assert "no nbgrader_config.py" in capsys.readouterr().err
    assert cli.main(["grade"]) == 2  # from a folder with no course above it
    with pytest.raises(tools.PipelineError):
        tools.course_root(tmp_path)


def test_unknown_ids_list_the_known_ones(course, capsys):
    assert cli.main(["--course", str(course), "grade", "ps9"]) == 1
    assert "unknown assignment(s): ps9; known: ps1" in capsys.readouterr().err
    assert cli.main(["--course", str(course), "report", "ps9"]) == 1


def test_nothing_to_do_is_said_and_fails_when_ids_were_named(course, capsys):
    assert cli.main(["--course", str(course), "grade", "ps1"]) == 1
    assert "nothing to grade: no submissions of ps1" in capsys.readouterr().err
    assert cli.main(["--course", str(course), "grade"]) == 0
    assert "nothing to grade" in capsys.readouterr().out
    assert cli.main(["--course", str(course), "feedback", "ps1"]) == 1
    assert "no feedback to write" in capsys.readouterr().err
    assert cli.main(["--course", str(course), "feedback"]) == 0
    assert cli.main(["--course", str(course), "export"]) == 0
    assert "nothing to export" in capsys.readouterr().out


def test_the_course_lists_multi_notebook_assignments_and_their_paths(course):
    found = tools.get_course(course)
    assert found.assignments() == ["ps1"]
    assert found.notebooks("ps1") == ["problem1", "problem2"]
    assert found.submitted("bitdiddle", "ps1") == course / "submitted" / "bitdiddle" / "ps1"


def test_configured_directories_are_honoured(course):
    with open(course / "nbgrader_config.py", "a") as handle:
        handle.write("\nc.CourseDirectory.submitted_directory = 'entregas'\n")
    (course / "entregas" / "ana" / "ps1").mkdir(parents=True)
    found = tools.get_course(course)
    assert found.submissions("ps1") == ["ana"]
    assert found.submitted("ana", "ps1") == course / "entregas" / "ana" / "ps1"


def _broken_assignment(root):
    """Add ``ps0``, which nbgrader refuses to generate (two cells share a grade id)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    cells = []
    for _ in range(2):
        cell = new_code_cell("x = 1")
        cell.metadata.nbgrader = {
            "grade_id": "twice",
            "grade": False,
            "solution": True,
            "locked": False,
            "schema_version": 3,
        }
        cells.append(cell)
    (root / "source" / "ps0").mkdir()
    nbformat.write(new_notebook(cells=cells), root / "source" / "ps0" / "broken.ipynb")


def test_release_and_validate_go_on_past_a_broken_assignment_without_banners(course, capfd):
    _broken_assignment(course)
    assert cli.main(["--course", str(course), "release"]) == 1
    out, err = capfd.readouterr()
    assert "released release/ps1/problem1.ipynb" in out
    assert "release failed for ps0" in err and "release: 1 assignment(s) failed: ps0" in err
    assert (course / "release" / "ps1" / "problem2.ipynb").is_file()
    assert cli.main(["--course", str(course), "validate"]) == 1
    out, err = capfd.readouterr()
    assert "ps0: BROKEN (could not be validated)" in out and "ps1: ok" in out
    assert "validate: 1 assignment(s) failed: ps0" in err
    # what the kernels print on start (ipykernel's Ctrl-C note) never reaches the terminal
    assert "Ctrl-C" not in out + err and "To connect another client" not in out + err


def test_grade_student_grades_that_student_only(tmp_path, capsys):
    from .test_example_course import make_course

    root = make_course(tmp_path / "c")
    assert cli.main(["--course", str(root), "grade", "--student", "nobody", "ps1"]) == 1
    assert "no submission of ps1 by nobody" in capsys.readouterr().err
    assert cli.main(["--course", str(root), "grade", "--jobs", "1", "--student", "hacker"]) == 0
    assert {(g.student, g.auto_score) for g in tools.grades(root)} == {("hacker", 5.0)}
    assert "grading 1 submission(s)" in capsys.readouterr().out
    # unchanged, named again: graded again (a regrade), still one student only
    assert cli.main(["--course", str(root), "grade", "--jobs", "1", "--student", "hacker"]) == 0
    out = capsys.readouterr().out
    assert "grading 1 submission(s)" in out and "hacker: graded" in out, out
    assert (
        cli.main(["--course", str(root), "grade", "--student", "ghost", "--student", "hacker"]) == 0
    )
    assert {g.student for g in tools.grades(root)} == {"hacker", "ghost"}
