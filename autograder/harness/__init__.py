"""The trusted harness: every test cell is evaluated outside the student's kernel.

At grading time, :class:`autograder.harness.execute.TrustedExecute` runs the
student's cells in the submission's kernel and evaluates every autograded
test cell (visible and hidden) in the grader's own process, with the real
:mod:`autograder.checks`, NumPy and references. The names a test takes from
the student (the functions and classes their answer cells define) are
:mod:`proxies <autograder.harness.remote>` that reach the kernel only
through the data-only protocol of :mod:`autograder.protocol`
(:mod:`autograder.harness.channel` carries it over a Jupyter comm).

- ``plan``: which cells run where, from the instructor's source notebook.
- ``channel``: requests to the kernel, with timeouts, and callbacks from it.
- ``remote``: the proxies, and how values cross (write-back, Keras models).
- ``execute``: the nbgrader preprocessor that puts it together.
"""
