"""nbgrader configuration of the fidelity course: the harness wired as the main course wires it.

``tests/test_fidelity.py`` grades this course with ``autograder grade`` (this file) and with
stock ``nbgrader autograde`` (a minimal configuration it writes in a copy) and compares them.
"""

import os

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "fidelity_course"
c.CourseDirectory.root = ROOT
c.Exchange.root = os.path.join(ROOT, "exchange")
c.Exchange.path_includes_course = True
c.IncludeHeaderFooter.header = os.path.join(ROOT, "source", "header.ipynb")
c.Execute.timeout = 120
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.log_level=ERROR",
    # the kernel side of the harness's protocol (autograder.run.agent)
    "--IPKernelApp.exec_lines=import autograder.run.agent as _a; _a.install(); del _a",
]
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[\s\S]"  # stderr is library chatter in this course, as in the main one

from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties,
    CheckCellMetadata,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from autograder.feedback import HideHiddenTests, SanitizeOutputs  # noqa: E402
from autograder.harness.execute import TrustedExecute  # noqa: E402

# the sealed unit and the trusted harness, as the main course's nbgrader_config.py has them
c.ResilientExecute.sandbox = True
c.TrustedExecute.harness = True
c.ResilientExecute.notebook_timeout = 600
c.Autograde.autograde_preprocessors = [
    TrustedExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
    SanitizeOutputs,
]
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, SanitizeOutputs]
