"""Adoption in two lines: ``from autograder import configure; configure(c)``."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.converters import Autograde
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearSolutions,
    Execute,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)
from traitlets.config import Config

from autograder import cli
from autograder import nbgrader_tools as tools
from autograder.bundle import SetupCell
from autograder.config import configure, is_configured
from autograder.feedback import GetGradesAndPending, HideHiddenTests, SanitizeOutputs
from autograder.harness.execute import TrustedExecute

EXAMPLE = Path(__file__).resolve().parent / "example_course"
TWO_LINES = "from autograder import configure  # noqa: E402\n\nconfigure(c)\n"

pytestmark = pytest.mark.xdist_group("example_course")


def test_configure_installs_the_sealed_unit_the_harness_and_safe_feedback():
    c = Config()
    c.CourseDirectory.course_id = "any"
    configure(c)
    assert c.Autograde.autograde_preprocessors == [
        TrustedExecute,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
        SanitizeOutputs,
    ]
    assert Execute not in c.Autograde.autograde_preprocessors
    assert c.GenerateFeedback.preprocessors == [
        GetGradesAndPending,
        HideHiddenTests,
        SanitizeOutputs,
        CSSHTMLHeaderPreprocessor,
    ]
    assert c.GenerateAssignment.preprocessors[0] is SetupCell
    assert ClearSolutions in c.GenerateAssignment.preprocessors
    assert c.TrustedExecute.harness is True
    assert c.TrustedExecute.isolate is False  # isolation is the course's choice
    assert c.ResilientExecute.sandbox is True
    assert c.Autograder.language == "es"
    assert c.CourseDirectory.course_id == "any"
    assert is_configured(c) and not is_configured(Config())


def test_what_the_course_set_before_the_call_wins():
    c = Config()
    c.TrustedExecute.isolate = True
    c.TrustedExecute.harness = False
    c.Autograder.language = "en"
    c.GenerateFeedback.preprocessors = [GetGrades]
    configure(c)
    assert c.TrustedExecute.isolate is True
    assert c.TrustedExecute.harness is False
    assert c.Autograder.language == "en"
    assert c.GenerateFeedback.preprocessors == [GetGrades]
    assert TrustedExecute in c.Autograde.autograde_preprocessors


def test_configure_is_idempotent():
    once = Config()
    configure(once)
    twice = Config()
    configure(twice)
    twice.TrustedExecute.isolate = True  # set after the first call: a second call keeps it
    configure(twice)
    assert twice.TrustedExecute.isolate is True
    twice.TrustedExecute.isolate = False
    assert twice == once


def test_an_unknown_language_is_refused():
    c = Config()
    c.Autograder.language = "ru"
    with pytest.raises(ValueError, match="c.Autograder.language = 'ru'"):
        configure(c)


def test_the_package_stays_light_and_gives_configure_lazily():
    code = (
        "import sys, autograder\n"
        "assert 'nbgrader' not in sys.modules and 'autograder.config' not in sys.modules\n"
        "from autograder import configure\n"
        "print(configure.__module__)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "autograder.config"


def test_this_course_uses_configure():
    config = tools.load_config(tools.course_root())
    assert is_configured(config)
    assert config.TrustedExecute.isolate is True  # this course turns isolation on itself
    assert config.Autograde.autograde_preprocessors[0] is TrustedExecute


def test_a_plain_nbgrader_course_is_refused_with_the_real_cause_then_graded_after_two_lines(
    tmp_path, capsys
):
    from tests.test_example_course import make_course

    course = make_course(tmp_path / "course")
    config = course / "nbgrader_config.py"
    adopted = config.read_text()
    plain = adopted.replace(TWO_LINES, "")
    assert plain != adopted
    config.write_text(plain)
    assert Autograde.class_traits()["autograde_preprocessors"].default()[0] is Execute
    status = cli.main(["--course", str(course), "grade", "--jobs", "1", "ps1"])
    err = capsys.readouterr().err
    assert status == 2
    assert "nbgrader_config.py does not use autograder" in err, err
    assert "from autograder import configure; configure(c)" in err, err
    assert "apt-get" not in err and "no execute step" not in err, err
    assert not (course / "autograded").exists()

    config.write_text(adopted)  # the two lines back
    status = cli.main(["--course", str(course), "grade", "--jobs", "1", "ps1"])
    assert status == 0, capsys.readouterr().err
    totals = {(g.student, g.assignment): g.auto_score for g in tools.grades(course)}
    assert totals == {("bitdiddle", "ps1"): 2.0, ("hacker", "ps1"): 5.0, ("ghost", "ps1"): 0.0}


def test_a_pipeline_that_runs_nbgrader_execute_is_named(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "c", ignore=shutil.ignore_patterns("build.py"))
    c = tools.load_config(tmp_path / "c")
    c.Autograde.autograde_preprocessors = [Execute, SaveAutoGrades]
    assert "runs nbgrader's Execute" in cli.diagnose_pipeline(c)
    c.Autograde.autograde_preprocessors = [SaveAutoGrades]
    assert "has no execute step" in cli.diagnose_pipeline(c)
    c.Autograde.autograde_preprocessors = [TrustedExecute, SaveAutoGrades]
    assert cli.diagnose_pipeline(c) is None
    c.ResilientExecute.sandbox = False
    assert "c.ResilientExecute.sandbox = False" in cli.diagnose_pipeline(c)
