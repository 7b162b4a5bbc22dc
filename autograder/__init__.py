"""Support package of the course "Introducción al Aprendizaje Profundo", unit 1.

- :mod:`autograder.checks`: the checks that test cells use (Spanish messages).
- :mod:`autograder.datasets`: the course data sets, verified by checksum.
- :mod:`autograder.nbgrader_tools`: the instructor pipeline on top of nbgrader
  (not in the student wheel that ``autograder bundle`` writes).

Importing the package keeps TensorFlow's C++ log lines off a student's screen
(English noise in red, and stderr costs points under nbgrader) for a TensorFlow
imported afterwards: every notebook imports this package in its first cell.
"""

import contextlib as _contextlib
import importlib.machinery as _machinery
import os as _os
import sys as _sys

__version__ = "0.1.0"

# TensorFlow reads this when its C++ library loads. Colab presets it to "1", which lets
# warnings through: force "3" (errors still reach Python as exceptions).
_os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"


@_contextlib.contextmanager
def _stderr_fd_silenced():
    """Send what C code writes to file descriptor 2 to the null device for a while.

    Where that is impossible (no fd 2, the null device out of reach in a
    sandbox), nothing is silenced and nothing fails.
    """
    saved = null = None
    try:
        _sys.stderr.flush()
        saved = _os.dup(2)
        null = _os.open(_os.devnull, _os.O_WRONLY)
        _os.dup2(null, 2)
    except (OSError, ValueError, AttributeError):
        for fd in (saved, null):
            if fd is not None:
                _os.close(fd)
        saved = null = None
    try:
        yield
    finally:
        if saved is not None:
            _os.dup2(saved, 2)
            _os.close(saved)
            _os.close(null)


class _QuietLoader:
    """Wrap TensorFlow's loader: execute the package with file descriptor 2 silenced."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        module.__loader__ = self._loader
        with _stderr_fd_silenced():
            self._loader.exec_module(module)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _QuietTensorFlowImport:
    """Meta path finder for ``tensorflow`` only.

    TensorFlow 2.21 writes two lines at import ("All log messages before
    absl::InitializeLog() ..." and the oneDNN notice) whatever
    ``TF_CPP_MIN_LOG_LEVEL`` says; only ``TF_ENABLE_ONEDNN_OPTS=0`` would stop
    them, at the price of other numerics. This finder silences the C-level
    stderr while the ``tensorflow`` package itself executes, and nothing else:
    Python exceptions still propagate, and later log lines obey the level above.
    """

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname != "tensorflow":
            return None
        spec = _machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


if "tensorflow" not in _sys.modules and not any(
    isinstance(finder, type) and finder.__name__ == "_QuietTensorFlowImport"
    for finder in _sys.meta_path
):
    _sys.meta_path.insert(0, _QuietTensorFlowImport)

# Keras 3 warns, in English, against `Flatten(input_shape=...)`, which the slides use and the
# course accepts (1.8, 2.0): keep that one warning off the student's screen.
import warnings as _warnings  # noqa: E402

_warnings.filterwarnings(
    "ignore",
    message=r"Do not pass an `input_shape`/`input_dim` argument to a layer",
    category=UserWarning,
)


def __getattr__(name):
    """Give ``configure`` lazily: the student wheel has no nbgrader, and this stays light."""
    if name == "configure":
        from .config import configure

        return configure
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
