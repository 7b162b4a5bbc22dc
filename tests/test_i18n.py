"""The course's language: one catalogue, Spanish and English, chosen in the config."""

import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from traitlets.config import Config

from autograder import i18n
from autograder.course import Course
from autograder.feedback import FeedbackLabels, HideHiddenTests, SanitizeOutputs, clean_html
from autograder.repair import stage_submission

EXAMPLE = Path(__file__).resolve().parent / "example_course"


def test_every_language_has_every_message_with_the_same_placeholders():
    spanish = i18n.CATALOGUE["es"]
    for language, messages in i18n.CATALOGUE.items():
        assert set(messages) == set(spanish), language
        for key, text in messages.items():
            assert i18n.placeholders(text) == i18n.placeholders(spanish[key]), (language, key)


def test_t_fills_in_the_message_in_the_language_asked():
    assert i18n.t("repair.skipped_files", "en", count=3).startswith("3 file(s) of your folder")
    assert i18n.t("repair.skipped_files", "es", count=3).startswith("No se copiaron 3 archivo(s)")
    assert i18n.t("feedback.score", "en") == "Score"
    with pytest.raises(KeyError):
        i18n.t("no.such.key", "en")


def test_the_language_comes_from_the_config_and_an_unknown_one_is_refused():
    c = Config()
    assert i18n.language_of(c) == "es"  # the default
    c.Autograder.language = "en"
    assert i18n.language_of(c) == "en"
    c.Autograder.language = "fr"
    with pytest.raises(ValueError, match="the grader speaks es, en"):
        i18n.language_of(c)


def test_set_language_is_the_default_of_t(monkeypatch):
    monkeypatch.setenv(i18n.VARIABLE, "es")  # restored when the test ends
    assert i18n.t("feedback.test") == "Prueba"
    i18n.set_language("en")
    assert i18n.t("feedback.test") == "Test"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", {"score": "Puntuación", "test": "Prueba", "written_answer": "Respuesta escrita"}),
        ("en", {"score": "Score", "test": "Test", "written_answer": "Written answer"}),
    ],
)
def test_feedback_labels_and_hidden_test_note_in_the_course_language(language, expected):
    c = Config()
    c.Autograder.language = language
    nb, resources = FeedbackLabels(config=c).preprocess(new_notebook(), {})
    assert {k: resources["labels"][k] for k in expected} == expected
    assert resources["labels"]["lang"] == language
    cell = new_code_cell(
        "assert True\n### BEGIN HIDDEN TESTS\nassert f(2) == 4\n### END HIDDEN TESTS"
    )
    cell.metadata.nbgrader = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    cell, _ = HideHiddenTests(config=c).preprocess_cell(cell, {}, 0)
    assert cell.source == i18n.t("feedback.hidden_test", language)
    assert ("Hidden test" in cell.source) == (language == "en")


def test_a_repair_note_in_english_for_an_english_course(tmp_path, monkeypatch):
    monkeypatch.setenv(i18n.VARIABLE, "es")  # configure(c) makes "en" the process's: restored
    course_dir = tmp_path / "course"
    shutil.copytree(EXAMPLE, course_dir, ignore=shutil.ignore_patterns("build.py"))
    config = course_dir / "nbgrader_config.py"
    text = config.read_text()
    two_lines = "from autograder import configure"
    assert two_lines in text
    config.write_text(text.replace(two_lines, 'c.Autograder.language = "en"\n' + two_lines))
    release = course_dir / "release" / "ps1"
    release.mkdir(parents=True)
    for name in ("problem1", "problem2"):
        shutil.copy(course_dir / "source" / "ps1" / f"{name}.ipynb", release)
    submitted = course_dir / "submitted" / "alice" / "ps1"
    submitted.mkdir(parents=True)
    shutil.copy(course_dir / "source" / "ps1" / "problem1.ipynb", submitted)
    course = Course(course_dir)
    assert i18n.language_of(course.config) == "en" and i18n.current_language() == "en"
    notes = stage_submission(course, "ps1", "alice")
    assert notes == ["You did not hand in «problem2.ipynb»: that notebook scores 0 points."]
    staged = course.path_for_step("staging", "alice", "ps1") / "problem1.ipynb"
    first = nbformat.read(staged, as_version=4).cells[0].source
    assert first.startswith("**Note from the autograder.**")


def test_safe_html_outputs_keep_a_table_and_lose_scripts_and_handlers():
    table = (
        '<table border="1" class="dataframe"><thead><tr style="text-align: right;">'
        "<th></th><th>a</th></tr></thead><tbody><tr><th>0</th><td>1</td></tr></tbody></table>"
    )
    hostile = (
        '<script>alert("x")</script><style>body{display:none}</style>'
        '<img src=x onerror="alert(2)"><b onclick="alert(3)">hola</b>'
        '<a href="javascript:alert(4)">link</a><a href="https://example.org">ok</a>'
    )
    cleaned = clean_html(table + hostile)
    assert cleaned.startswith('<table border="1" class="dataframe"><thead><tr>')
    assert "<th>a</th>" in cleaned and "<td>1</td>" in cleaned
    for bad in ("<script", "alert", "<style", "display:none", "onerror", "onclick", "<img"):
        assert bad not in cleaned, bad
    assert "<b>hola</b>" in cleaned
    assert '<a href="https://example.org" rel="noopener noreferrer">ok</a>' in cleaned
    assert clean_html(cleaned) == cleaned  # idempotent

    cell = new_code_cell("df")
    cell.outputs = [
        new_output(
            "execute_result",
            {"text/html": table + hostile, "application/javascript": "alert(5)"},
            execution_count=1,
        )
    ]
    nb = new_notebook(cells=[cell])
    nb, _ = SanitizeOutputs().preprocess(nb, {})
    data = nb.cells[0].outputs[0]["data"]
    assert set(data) == {"text/html"}
    assert data["text/html"] == cleaned
