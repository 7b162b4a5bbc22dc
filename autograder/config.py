"""Adopt ``autograder`` for any nbgrader course in two lines.

At the end of a course's ``nbgrader_config.py``::

    from autograder import configure
    configure(c)

:func:`configure` is the one place where the course's nbgrader is wired to
``autograder``: the sealed execution unit, the trusted harness, safe feedback and the
student-version setup cell. Everything else (course id, stubs, time and memory limits,
what stderr costs, the bundle's URL, the language) is the course's own and stays in its
file; a setting the course wrote *before* the call always wins.

Settings it reads or fills in (the course may set any of them before the call):

``c.Autograder.language``
    The language of everything the grader shows a student (feedback labels, repair
    notes, the harness's messages, through :func:`autograder.i18n.t`): ``"es"`` (the
    default) or ``"en"``. Instructor output is always English. ``configure`` also makes it
    the grader process's language (:func:`autograder.i18n.set_language`).
``c.TrustedExecute.harness``
    Evaluate test cells in the trusted harness (default here: on).
``c.TrustedExecute.isolate``
    Cascade isolation: while a test cell runs, the other graded functions are the
    reference's, so one mistake costs its own function's points only. This changes a
    course's grading policy, so it is off unless the course turns it on.
``c.Autograde.autograde_preprocessors``
    nbgrader's default pipeline with ``TrustedExecute`` in place of ``Execute`` and
    ``SanitizeOutputs`` last (the formgrader shows no live student HTML).
``c.GenerateFeedback.preprocessors``
    nbgrader's default with ``GetGradesAndPending`` (written answers awaiting review marked)
    in place of ``GetGrades``, then ``HideHiddenTests`` and ``SanitizeOutputs``.
``c.GenerateAssignment.preprocessors``
    nbgrader's default preceded by ``SetupCell`` (writes ``c.StudentBundle.package_url``).
``c.Execute.extra_arguments``
    The course's list, plus ``--IPKernelApp.no_stdout=True`` (no kernel banner on the
    instructor's terminal).
"""

from __future__ import annotations

#: The kernel argument that keeps ipykernel's start-up banner off the instructor's terminal.
QUIET_KERNEL = "--IPKernelApp.no_stdout=True"

#: The marker :func:`configure` leaves in the config, so that a second call changes nothing.
_DONE = "_autograder_configured"


def _default(section, name: str, value) -> None:
    """Set ``section.name`` unless the course already set it."""
    if name not in section:
        setattr(section, name, value)


def autograde_pipeline() -> list:
    """Return nbgrader's default autograde pipeline, made safe.

    Returns
    -------
    list of type
        The steps: ``TrustedExecute`` in place of nbgrader's ``Execute`` and
        ``SanitizeOutputs`` appended.
    """
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    from .feedback import SanitizeOutputs
    from .harness.execute import TrustedExecute

    steps = Autograde.class_traits()["autograde_preprocessors"].default()
    steps = [TrustedExecute if step is Execute else step for step in steps]
    return [*steps, SanitizeOutputs]


def feedback_pipeline() -> list:
    """Return nbgrader's default feedback pipeline with the hidden tests hidden and outputs sanitized.

    Returns
    -------
    list of type
        ``GetGradesAndPending`` (nbgrader's ``GetGrades``, marking written answers awaiting a
        manual grade), ``HideHiddenTests``, ``SanitizeOutputs``, then nbgrader's other steps.
    """
    from nbgrader.converters import GenerateFeedback
    from nbgrader.preprocessors import GetGrades

    from .feedback import GetGradesAndPending, HideHiddenTests, SanitizeOutputs

    steps = []
    for step in GenerateFeedback.class_traits()["preprocessors"].default():
        if step is GetGrades:  # and marks the written answers still awaiting a manual grade
            steps += [GetGradesAndPending, HideHiddenTests, SanitizeOutputs]
        else:
            steps.append(step)
    return steps


def configure(c) -> None:
    """Wire a course's nbgrader configuration to ``autograder``, keeping what the course set.

    Call it at the end of ``nbgrader_config.py``. It is idempotent, and it never
    overrides a setting the course made before the call (``"name" in c.Section``).

    Parameters
    ----------
    c : traitlets.config.Config
        The configuration ``get_config()`` returned in ``nbgrader_config.py``.

    Raises
    ------
    ValueError
        When ``c.Autograder.language`` is not a language of :mod:`autograder.i18n`.
    """
    from nbgrader.converters import GenerateAssignment

    from . import i18n
    from .bundle import SetupCell

    language = i18n.language_of(c)
    # the harness, in the grader's process, speaks the language of the course it grades
    i18n.set_language(language)
    if c.Autograder.get(_DONE):
        return
    _default(c.Autograder, "language", language)
    _default(c.TrustedExecute, "harness", True)
    _default(c.TrustedExecute, "isolate", False)
    _default(c.ResilientExecute, "sandbox", True)
    _default(c.Autograde, "autograde_preprocessors", autograde_pipeline())
    _default(c.GenerateFeedback, "preprocessors", feedback_pipeline())
    steps = GenerateAssignment.class_traits()["preprocessors"].default()
    _default(c.GenerateAssignment, "preprocessors", [SetupCell, *steps])
    # ipykernel prints its Ctrl-C note and connection info on the grader's terminal at every
    # start; the kernel's own output still reaches the notebook (added to the course's list)
    arguments = list(c.Execute.get("extra_arguments", []))
    if QUIET_KERNEL not in arguments:
        c.Execute.extra_arguments = [*arguments, QUIET_KERNEL]
    # (the kernels of any course get the protocol's agent from TrustedExecute itself, when
    # it starts them: see TrustedExecute.async_start_new_kernel)
    c.Autograder[_DONE] = True


def is_configured(config) -> bool:
    """Return True when ``configure(c)`` ran on ``config`` (the course's nbgrader_config.py).

    Parameters
    ----------
    config : traitlets.config.Config
        A loaded course configuration.
    """
    return bool(config.Autograder.get(_DONE))
