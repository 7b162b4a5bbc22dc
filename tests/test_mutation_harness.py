"""The harness that runs many mutants in one kernel must keep them apart."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from autograder import mutation
from autograder import nbgrader_tools as tools

from .conftest import ROOT, nbgrader_cell

_cell = nbgrader_cell


def _notebook():
    nb = new_notebook()
    nb.cells = [
        new_code_cell("import numpy as np\ndata = np.arange(5.0)\nCOUNTER = [0]"),
        _cell("def total(x):\n    return float(np.sum(x))", "total", solution=True),
        _cell(
            "COUNTER[0] += 1\nassert COUNTER[0] == 1, 'el estado no se restauró'\n"
            "assert total(data) == 10.0, 'total(data) debe ser 10'\n"
            "assert 'leftover' not in globals(), 'quedó una variable de otra prueba'",
            "test_total",
            points=1,
        ),
        new_code_cell("after = total(data)"),
    ]
    return nb


def test_trials_are_isolated_from_each_other():
    trials = {
        # modifies the global data in place, leaves a variable behind, and is wrong
        "in_place": (
            "total",
            "leftover = 1\ndef total(x):\n    x *= 0\n    return float(np.sum(x))",
            ["test_total"],
        ),
        "off_by_one": ("total", "def total(x):\n    return float(np.sum(x)) + 1", ["test_total"]),
        "right": ("total", "def total(x):\n    return float(x.sum())", ["test_total"]),
    }
    nb = mutation.trials_notebook(_notebook(), trials)
    # the notebook stops after the last trial's restore: the rest of the source adds nothing
    assert nb.cells[-1].source.startswith("# autograder.mutation: undo")
    results = mutation.split_trials(tools.run_and_score(nb, ROOT, timeout=60))
    assert set(results) == set(trials)
    assert not results["in_place"]["test_total"].passed
    assert "total(data) debe ser 10" in results["in_place"]["test_total"].error
    assert "debe ser 10" in results["off_by_one"]["test_total"].error
    # the right one passes: data, COUNTER (each trial runs the test cell) and the
    # leftover variable were all restored
    assert results["right"]["test_total"].passed, results["right"]["test_total"].error


def test_trials_notebook_rejects_unknown_cells():
    import pytest

    with pytest.raises(KeyError):
        mutation.trials_notebook(_notebook(), {"x": ("nope", "pass", ["test_total"])})
    with pytest.raises(KeyError):
        mutation.trials_notebook(_notebook(), {"x": ("total", "pass", ["nope"])})
    assert nbformat.validate(mutation.trials_notebook(_notebook(), {})) is None
