"""nbgrader preprocessor for private feedback: students see results, not the hidden tests.

nbgrader's ``generate_feedback`` renders the autograded notebook as it is,
hidden tests and their tracebacks included. :class:`HideHiddenTests` runs in
``GenerateFeedback.preprocessors`` (see ``nbgrader_config.py``): it removes
the hidden-test regions from every cell and replaces the traceback of a
failed test cell by its final message (the Spanish text of the check), so the
tests can be reused next year.
"""

from __future__ import annotations

from nbgrader.preprocessors import ClearHiddenTests
from nbgrader.utils import is_grade


class HideHiddenTests(ClearHiddenTests):
    """Strip hidden tests and the tracebacks that would quote them."""

    def preprocess_cell(self, cell, resources, cell_index):
        """Remove hidden-test code and shorten error outputs of grade cells."""
        had_hidden = "HIDDEN TESTS" in cell.source
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if had_hidden:
            cell.source = cell.source.rstrip() + "\n# (pruebas ocultas: el código no se muestra)"
        if cell.cell_type == "code" and is_grade(cell):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
