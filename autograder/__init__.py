"""Support package of the course "Introducción al Aprendizaje Profundo", unit 1.

- :mod:`autograder.checks`: the checks that test cells use (Spanish messages).
- :mod:`autograder.datasets`: the course data sets, verified by checksum.
- :mod:`autograder.nbgrader_tools`: the instructor pipeline on top of nbgrader.
"""

__version__ = "0.1.0"
