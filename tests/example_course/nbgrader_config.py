"""nbgrader configuration of the example course (shaped like nbgrader's documented one)."""

import os

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "example_course"
c.CourseDirectory.root = ROOT
c.Exchange.root = os.path.join(ROOT, "exchange")
c.Exchange.path_includes_course = True
# nbgrader opens the header relative to the working folder: give it absolutely
c.IncludeHeaderFooter.header = os.path.join(ROOT, "source", "header.ipynb")
c.Execute.timeout = 60

# Adopting autograder: the two lines (the test strips them to grade with stock nbgrader).
from autograder import configure  # noqa: E402

configure(c)
