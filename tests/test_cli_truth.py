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
