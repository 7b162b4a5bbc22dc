"""nbgrader configuration of the fidelity course: adopted with ``configure(c)``, like any course.

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
]
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[\s\S]"  # stderr is library chatter in this course, as in the main one

c.ResilientExecute.notebook_timeout = 600

# Adopting autograder: the sealed unit, the trusted harness, safe feedback.
from autograder import configure  # noqa: E402

configure(c)
