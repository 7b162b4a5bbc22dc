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

# the same execution step as the course: ResilientExecute, as the course configures it
try:
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        GetGrades,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )

    from autograder.faults import ResilientExecute
    from autograder.feedback import HideHiddenTests, SanitizeOutputs

    c.Autograde.autograde_preprocessors = [
        ResilientExecute,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
        SanitizeOutputs,
    ]
    c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, SanitizeOutputs]
except ImportError:  # the course package is not installed: nbgrader's default pipeline
    pass
