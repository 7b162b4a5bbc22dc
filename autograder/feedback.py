"""Private, safe feedback: students see their results, never the hidden tests or live student HTML.

Three pieces:

- :class:`HideHiddenTests` (in ``GenerateFeedback.preprocessors``): a test
  cell with hidden tests shows only the check's message, never its code or
  other outputs; visible test cells keep their code and show the final
  message of a failure instead of a traceback. Answer cells are never parsed
  for markers, so a student who writes ``BEGIN HIDDEN TESTS`` breaks nothing.
- :class:`SanitizeOutputs`: student HTML, JavaScript, SVG, Markdown and LaTeX
  outputs become plain text, the HTML in student Markdown cells is escaped,
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

The page is in Spanish (the ``feedback_es`` template, nbgrader's feedback
template translated).
"""

from __future__ import annotations

import copy
import os
import re
import stat
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbgrader.converters import GenerateFeedback
from nbgrader.preprocessors import ClearHiddenTests
from nbgrader.utils import is_grade, is_locked, is_solution
from traitlets import Bool

TEMPLATES = Path(__file__).resolve().parent / "templates"
HIDDEN_NOTE = "# Prueba oculta: su código no se muestra, solo su resultado."


def _is_test_cell(cell) -> bool:
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


class HideHiddenTests(ClearHiddenTests):
    """Show hidden-test cells as their result only, and failed tests as their final message."""

    def preprocess_cell(self, cell, resources, cell_index):
        """Hide hidden-test code and outputs; shorten the tracebacks of test cells."""
        if not _is_test_cell(cell):
            return cell, resources  # answer cells are the student's: never parsed for markers
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        for output in errors:
            output.traceback = [f"{output.get('ename', '')}: {output.get('evalue', '')}"]
        if self.begin_test_delimeter in cell.source:
            cell.source = HIDDEN_NOTE
            cell.outputs = errors
        return cell, resources


#: Output MIME types shown as they are; any other becomes text (or is dropped).
SAFE_MIME = ("text/plain", "image/png", "image/jpeg", "image/gif")
_TEXT_MIME = ("text/html", "text/markdown", "text/latex", "image/svg+xml", "application/json")
_URL_SCHEME = re.compile(r"(?i)(javascript|vbscript|data)\s*:")


class SanitizeOutputs(Preprocessor):
    """Make a student's notebook safe to render as HTML (feedback and formgrader).

    Only plain text and PNG, JPEG and GIF images stay as they are; HTML,
    Markdown, LaTeX, SVG and JSON outputs become plain text (escaped when
    rendered); JavaScript and every other MIME type are dropped. In Markdown
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
                cell.source = _URL_SCHEME.sub(r"\1-bloqueado:", cell.source.replace("<", "&lt;"))
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
    if "text/plain" not in safe:
        for mime in _TEXT_MIME:
            if mime in data:
                value = data[mime]
                safe["text/plain"] = value if isinstance(value, str) else str(value)
                break
    return safe


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
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import GetGrades

    from . import nbgrader_tools as tools

    config = copy.deepcopy(course.config)
    config.CourseDirectory.db_url = tools.db_url(course.root)
    nbgrader_templates = _nbgrader_templates()
    config.HTMLExporter.template_name = "feedback_es"
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES), str(nbgrader_templates)]
    config.HTMLExporter.sanitize_html = True
    tools._tools_on_path()
    notebooks = course.notebooks(assignment)
    done, failed = [], []
    for student in students:
        try:
            coursedir = CourseDirectory(config=config)
            coursedir.assignment_id = assignment
            coursedir.student_id = student
            converter = FeedbackConverter(coursedir=coursedir, config=config)
            converter.preprocessors = [
                GetGrades,
                HideHiddenTests,
                SanitizeOutputs,
                CSSHTMLHeaderPreprocessor,
            ]
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
