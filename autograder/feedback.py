"""Private, safe feedback: students see their results, never the hidden tests or live student HTML.

Three pieces:

- :class:`HideHiddenTests` (in ``GenerateFeedback.preprocessors``): a test
  cell with hidden tests shows only the check's message, never its code or
  other outputs; visible test cells keep their code and show the final
  message of a failure instead of a traceback. Answer cells are never parsed
  for markers, so a student who writes ``BEGIN HIDDEN TESTS`` breaks nothing.
- :class:`SanitizeOutputs`: student HTML outputs keep only safe markup (a pandas
  table, say) through nh3 (the Rust ``ammonia`` sanitiser): scripts, styles,
  event handlers and dangerous URL schemes are dropped; JavaScript is dropped;
  SVG, Markdown and LaTeX outputs become plain text; the HTML in student Markdown
  cells is escaped,
  raw cells are not rendered and widget state is dropped. It runs in the
  feedback and, listed last in ``Autograde.autograde_preprocessors``, on the
  autograded notebook that nbgrader's formgrader shows.
- :func:`generate_feedback`: one submission after another with
  :class:`FeedbackConverter`, nbgrader's ``GenerateFeedback`` restricted to
  the assignment's notebooks (regular files only) and copying no other file
  of the student's folder. nbgrader's own scan of that folder is quadratic in
  its number of files (``utils.find_all_files`` calls ``is_ignored``, which
  lists the whole folder with ``glob`` for every file); this one looks only
  at the notebook names it expects, so its time does not depend on what else
  the folder holds. A failure is recorded and the next submission goes on.

The page is in the course's language (``c.Autograder.language``): the
``feedback`` template is nbgrader's feedback template with its labels taken
from :mod:`autograder.i18n`. The feedback pipeline is the course's
``c.GenerateFeedback.preprocessors`` (set by :func:`autograder.configure`).
"""

from __future__ import annotations

import copy
import os
import re
import stat
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbgrader.converters import GenerateFeedback
from nbgrader.preprocessors import ClearHiddenTests, GetGrades
from nbgrader.utils import is_grade, is_locked, is_solution
from traitlets import Bool

from .i18n import labels, language_of, t

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "feedback"


def _is_test_cell(cell) -> bool:
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def test_title(source: str) -> str:
    """Return what a test cell checks, for the feedback's summary: its first comment line.

    The course's test cells open with one (``# Pruebas visibles de standardize``);
    a cell without one gets an empty title (the summary then shows its grade id).
    Only the first line is read, before any hidden block, so nothing hidden shows.
    """
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    if not first.startswith("#") or "BEGIN HIDDEN TESTS" in first:
        return ""
    return first.lstrip("#").strip()[:120]


class GetGradesAndPending(GetGrades):
    """nbgrader's ``GetGrades``, and mark the cells still waiting for a manual grade.

    A written answer nobody graded yet has no score: the feedback shows it as
    pending review, never as 0.
    """

    def _get_score(self, cell, resources):
        super()._get_score(cell, resources)
        grade = self.gradebook.find_grade(
            cell.metadata["nbgrader"]["grade_id"],
            self.notebook_id,
            self.assignment_id,
            self.student_id,
        )
        cell.metadata.nbgrader["pending"] = bool(grade.needs_manual_grade)


class HideHiddenTests(ClearHiddenTests):
    """Show hidden-test cells as their result only, and failed tests as their final message."""

    def preprocess_cell(self, cell, resources, cell_index):
        """Hide hidden-test code and outputs; shorten the tracebacks of test cells."""
        if not _is_test_cell(cell):
            return cell, resources  # answer cells are the student's: never parsed for markers
        cell.metadata.nbgrader["title"] = test_title(cell.source)
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        for output in errors:
            output.traceback = [f"{output.get('ename', '')}: {output.get('evalue', '')}"]
        if self.begin_test_delimeter in cell.source:
            cell.source = t("feedback.hidden_test", language_of(self.config))
            cell.outputs = errors
        return cell, resources


#: Output MIME types shown as they are; ``text/html`` is kept sanitized; any other becomes
#: text (or is dropped).
SAFE_MIME = ("text/plain", "image/png", "image/jpeg", "image/gif")
_TEXT_MIME = ("text/html", "text/markdown", "text/latex", "image/svg+xml", "application/json")
#: The HTML an output may keep: text markup and tables (no images: a remote image would
#: tell a third party when the page is read; no forms, frames, styles or scripts).
HTML_TAGS = {
    *("a", "abbr", "b", "br", "code", "div", "em", "hr", "i", "kbd", "p", "pre", "q", "s"),
    *("samp", "small", "span", "strong", "sub", "sup", "u", "var", "blockquote"),
    *("h1", "h2", "h3", "h4", "h5", "h6", "ol", "ul", "li", "dl", "dt", "dd"),
    *("table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"),
}
HTML_ATTRIBUTES = {
    "*": {"class", "title"},
    "a": {"href"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "table": {"border"},
}


def clean_html(markup: str) -> str:
    """Return student HTML with only safe tags and attributes (nh3).

    Scripts, styles and their content, event handlers (``onerror=``), ``style``
    attributes and every URL scheme but http, https and mailto are removed; links
    get ``rel="noopener noreferrer"``. Idempotent.

    Parameters
    ----------
    markup : str
        The HTML of an output.
    """
    import nh3

    return nh3.clean(
        markup,
        tags=HTML_TAGS,
        attributes=HTML_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


_URL_SCHEME = re.compile(r"(?i)(javascript|vbscript|data)\s*:")


class SanitizeOutputs(Preprocessor):
    """Make a student's notebook safe to render as HTML (feedback and formgrader).

    Plain text and PNG, JPEG and GIF images stay as they are; HTML outputs
    keep their safe markup only (:func:`clean_html`: a table stays a table, a
    script or an ``onerror`` handler goes); Markdown, LaTeX, SVG and JSON
    outputs become plain text (escaped when rendered); JavaScript and every
    other MIME type are dropped. In Markdown
    cells the student may edit (answer cells and unlocked cells), HTML is
    escaped and ``javascript:``-like link schemes are defused; raw cells lose
    their format (nbconvert renders no raw cell without one); notebook widget
    state is dropped.
    """

    enabled = Bool(True, help="Sanitize (on unless configured off).").tag(config=True)

    def preprocess(self, nb, resources):
        """Sanitize every cell, and drop widget state from the notebook metadata."""
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        """Sanitize one cell's outputs, Markdown or raw content."""
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                data = output.get("data")
                if isinstance(data, dict):
                    output["data"] = _safe_data(data)
                    if "metadata" in output:
                        output["metadata"] = {}
        elif cell.cell_type == "markdown":
            if not is_locked(cell) or is_solution(cell):
                # "<" only: idempotent (the feedback sanitizes an already sanitized notebook)
                blocked = t("feedback.blocked_scheme", language_of(self.config))
                cell.source = _URL_SCHEME.sub(rf"\1-{blocked}:", cell.source.replace("<", "&lt;"))
            for name, attachment in list(cell.get("attachments", {}).items()):
                kept = {k: v for k, v in attachment.items() if k in SAFE_MIME[1:]}
                if kept:
                    cell.attachments[name] = kept
                else:
                    del cell.attachments[name]
        elif cell.cell_type == "raw":
            cell.metadata.pop("format", None)
            cell.metadata.pop("raw_mimetype", None)
        return cell, resources


def _safe_data(data: dict) -> dict:
    safe = {k: v for k, v in data.items() if k in SAFE_MIME}
    html = data.get("text/html")
    if html is not None:
        safe["text/html"] = clean_html(html if isinstance(html, str) else "".join(html))
    if "text/plain" not in safe and "text/html" not in safe:
        for mime in _TEXT_MIME:
            if mime in data:
                value = data[mime]
                safe["text/plain"] = value if isinstance(value, str) else str(value)
                break
    return safe


class FeedbackLabels(Preprocessor):
    """Give the feedback template its labels in the course's language (``resources.labels``)."""

    enabled = Bool(True, help="nbconvert's preprocessors are off unless enabled").tag(config=True)

    def preprocess(self, nb, resources):
        """Put the labels of ``c.Autograder.language`` into the resources."""
        resources["labels"] = labels(language_of(self.config))
        return nb, resources


def feedback_steps(config) -> list:
    """Return the course's feedback pipeline (``c.GenerateFeedback.preprocessors``) and the labels.

    Parameters
    ----------
    config : traitlets.config.Config
        The course configuration; without a feedback pipeline, :func:`autograder.configure`'s.
    """
    from .config import feedback_pipeline

    steps = list(config.GenerateFeedback.get("preprocessors") or feedback_pipeline())
    return [*steps, FeedbackLabels]


class FeedbackConverter(GenerateFeedback):
    """nbgrader's ``GenerateFeedback`` for one submission, hardened against its folder.

    Only the assignment's notebooks (``notebooks``, names without ``.ipynb``)
    are converted, and only when they are regular files; no other file of the
    folder is copied to the feedback, and the folder is never scanned.
    """

    notebooks_to_convert: list[str] = []

    def init_notebooks(self):
        """Find the expected notebooks of the one submission (regular files only)."""
        self.assignments = {}
        self.notebooks = []
        folder = self._format_source(self.coursedir.assignment_id, self.coursedir.student_id)
        found = []
        for name in self.notebooks_to_convert:
            path = os.path.join(folder, f"{name}.ipynb")
            try:
                if stat.S_ISREG(os.lstat(path).st_mode):
                    found.append(path)
            except OSError:
                continue
        if not found:
            raise FileNotFoundError(f"no autograded notebook in {folder}")
        self.assignments[folder] = found

    def init_assignment(self, assignment_id, student_id):
        """Copy nothing: the feedback holds the HTML pages only."""


def generate_feedback(course, assignment: str, students: list[str]):
    """Write the HTML feedback of autograded submissions, one after the other.

    Parameters
    ----------
    course : autograder.course.Course
        The course.
    assignment : str
        The assignment id.
    students : list of str
        The students whose autograded submission gets feedback.

    Returns
    -------
    done : list of str
        The students whose feedback was written.
    failed : list of (str, str)
        The students whose feedback failed, with the reason; the others went on.
    """
    from nbgrader.coursedir import CourseDirectory

    from . import nbgrader_tools as tools

    config = copy.deepcopy(course.config)
    config.CourseDirectory.db_url = tools.db_url(course.root)
    nbgrader_templates = _nbgrader_templates()
    config.HTMLExporter.template_name = TEMPLATE
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES), str(nbgrader_templates)]
    config.HTMLExporter.sanitize_html = True
    tools._tools_on_path()
    notebooks = course.notebooks(assignment)
    steps = feedback_steps(config)
    done, failed = [], []
    for student in students:
        try:
            coursedir = CourseDirectory(config=config)
            coursedir.assignment_id = assignment
            coursedir.student_id = student
            converter = FeedbackConverter(coursedir=coursedir, config=config)
            converter.preprocessors = steps
            converter.force = True
            converter.notebooks_to_convert = notebooks
            converter.start()
        except Exception as exc:  # noqa: BLE001  (one submission never stops the others)
            failed.append((student, f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"))
        else:
            done.append(student)
    return done, failed


def _nbgrader_templates() -> Path:
    import nbgrader

    return (
        Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader" / "templates"
    )
