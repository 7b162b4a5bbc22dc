"""Cascade isolation (autograder.harness.isolation): small notebooks, exact verdicts.

A helper ``double`` and a function ``quadruple`` that calls it, each with its
own test cell, and an end-to-end cell that uses both. A wrong ``double``
must cost its own cell and the end-to-end one, never ``quadruple``'s; a
``quadruple`` that tries to use the references where it should not gains
nothing.
"""

from nbformat.v4 import new_code_cell, new_notebook

from autograder import mutation
from autograder import nbgrader_tools as tools
from autograder.harness import isolation
from autograder.harness import plan as planning

from .conftest import ROOT, nbgrader_cell

DOUBLE = "def double(x):\n    return 2 * x"
QUADRUPLE = "def quadruple(x):\n    return double(double(x))"


_cell = nbgrader_cell


def _source():
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        new_code_cell("import numpy as np"),
        _cell(DOUBLE, "double", solution=True),
        _cell("assert double(3) == 6, 'double(3) debe ser 6'", "test_double", points=1),
        _cell(QUADRUPLE, "quadruple", solution=True),
        _cell(
            # the expected value uses double: a helper, so the right one while this cell runs
            "assert quadruple(3) == 12 == double(6), 'quadruple(3) debe ser 12'",
            "test_quadruple",
            points=2,
        ),
        _cell(
            "assert quadruple(1) + double(1) == 6, 'juntas'", "test_e2e", points=1, end_to_end=True
        ),
    ]
    return nb


def _scores(answers):
    nb = mutation.mutant(_source(), answers)
    results = tools.run_and_score(nb, ROOT, timeout=60, reference=_source())
    return {gid: r.score for gid, r in results.items()}


def test_plan_binds_earlier_functions_the_cell_does_not_name():
    plan = planning.make_plan(_source())
    assert plan.isolate == {4: frozenset({"double"})}  # not in test_double, nor end to end
    assert "def quadruple" in plan.reference and "def double" in plan.reference


def test_the_functions_under_test_are_the_latest_the_cell_names():
    functions = {"double": 1, "quadruple": 3, "later": 9}
    tests = {
        2: "fn = globals()['double']\nassert fn(1) == 2",  # a name in a string counts
        4: "assert quadruple(1) == double(2)",  # quadruple under test, double a helper
        5: "assert True",  # names nothing: every earlier function is a helper
        6: "assert double(1) == 2",
    }
    assert isolation.bindings(functions, tests, {6}) == {
        4: frozenset({"double"}),
        5: frozenset({"double", "quadruple"}),
    }


def test_reference_code_keeps_definitions_only():
    code = isolation.reference_code(["import numpy as np\nx = train()\ndef f():\n    return 1"])
    assert "train" not in code
    assert "def f" in code and "import numpy" in code


def test_one_wrong_helper_costs_its_own_cell_and_the_end_to_end_one():
    wrong = "def double(x):\n    return 2 * x + 1"
    assert _scores({"double": wrong}) == {"test_double": 0, "test_quadruple": 2, "test_e2e": 0}
    # the student's own functions are back after the cell: the end-to-end cell saw them
    assert _scores({}) == {"test_double": 1, "test_quadruple": 2, "test_e2e": 1}


def test_a_wrong_caller_still_fails_its_own_test():
    wrong = "def quadruple(x):\n    return double(x) + x"
    assert _scores({"quadruple": wrong}) == {"test_double": 1, "test_quadruple": 0, "test_e2e": 0}


def test_a_missing_helper_is_no_excuse_and_no_cascade():
    # double never defined by the student: quadruple, right, still gets its points
    assert _scores({"double": "pass"}) == {"test_double": 0, "test_quadruple": 2, "test_e2e": 0}


def test_the_references_cannot_be_kept_for_later_cells():
    stash = (
        "STASH = []\n"
        "def quadruple(x):\n"
        "    STASH.append(double)  # the reference while quadruple's cell runs\n"
        "    return double(double(x))"
    )
    probe = (
        "def probe():\n"
        "    try:\n"
        "        STASH[0](1)\n"
        "    except Exception:\n"
        "        return 'no'\n"
        "    return 'yes'"
    )
    nb = mutation.mutant(_source(), {"quadruple": stash})
    # a later function of the student's calls the kept reference: it reaches nothing any more
    nb.cells[5:5] = [
        _cell(probe, "probe", solution=True),
        _cell("assert probe() == 'no', 'la referencia siguió viva'", "test_probe", points=1),
    ]
    results = tools.run_and_score(nb, ROOT, timeout=60, reference=_source())
    assert results["test_quadruple"].passed, results["test_quadruple"].error
    assert results["test_probe"].passed, results["test_probe"].error


def test_a_function_under_test_cannot_reach_its_own_reference():
    cheat = (
        "def quadruple(x):\n"
        "    own = globals()['quadruple']\n"
        "    if type(own).__name__ == 'Callback':\n"
        "        return own(x)\n"
        "    return 0"
    )
    assert _scores({"quadruple": cheat})["test_quadruple"] == 0


def test_a_reference_failing_on_the_students_data_says_so_in_spanish():
    wrong = "def quadruple(x):\n    return double(double(None))"
    nb = mutation.mutant(_source(), {"quadruple": wrong})
    results = tools.run_and_score(nb, ROOT, timeout=60, reference=_source())
    assert results["test_quadruple"].score == 0
    assert "versión correcta de `double`" in results["test_quadruple"].error


def test_a_reference_cannot_exhaust_the_graders_memory(monkeypatch):
    from autograder.harness import execute

    monkeypatch.setattr(execute, "REFERENCE_MEMORY", 256 * 2**20)
    source = _source()
    source.cells[1].source = (
        DOUBLE + "\n\ndef grid(n):\n    return float((np.zeros((n, n)) + 1).sum())"
    )
    hog = "def quadruple(x):\n    grid(8000)  # 512 MB, twice: more than the grader allows\n    return 4 * x"
    nb = mutation.mutant(source, {"quadruple": hog})
    results = tools.run_and_score(nb, ROOT, timeout=60, reference=source)
    assert results["test_double"].passed
    assert results["test_quadruple"].score == 0
    assert "más de 0.25 GiB de memoria" in results["test_quadruple"].error
