"""No TensorFlow or absl log line reaches a student's screen.

TensorFlow 2.21 writes two lines at import (the absl notice and the oneDNN
one) whatever TF_CPP_MIN_LOG_LEVEL says; importing ``autograder`` first (as
every notebook's setup cell does) keeps them out. The browser test checks the
page; this proves the same on a plain interpreter, and that the lines are real.
"""

import os
import subprocess
import sys

import pytest

from .conftest import ROOT

CODE = "import tensorflow as tf, keras; keras.layers.Dense(1)(tf.ones((2, 3))); print('ok')"


def _stderr(code):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr
    return run.stderr


@pytest.mark.slow
def test_tensorflow_logs_at_import_without_the_package():
    noise = _stderr(CODE)
    assert "absl::InitializeLog" in noise or "oneDNN" in noise, (
        "TensorFlow no longer logs at import: the quieting in autograder/__init__ may go"
    )


@pytest.mark.slow
def test_importing_the_package_first_silences_tensorflow():
    assert _stderr("import autograder; " + CODE) == ""
