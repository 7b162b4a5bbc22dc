"""Set environment variables for the duration of a block (shared by the pipeline and the executor).

A module of its own, so that the executor, which must not import the
gradebook's code (:mod:`autograder.nbgrader_tools`), can use it too.
"""

from __future__ import annotations

import contextlib
import os


@contextlib.contextmanager
def environment(**values: str | None):
    """Set (or, with None, unset) environment variables for a block, then restore them."""
    previous = {name: os.environ.get(name) for name in values}
    try:
        _apply(values)
        yield
    finally:
        _apply(previous)


def _apply(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
