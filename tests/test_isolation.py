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
        _e2e(),
    ]
    return nb


def _e2e(fresh=True):
    """The integration check: on an input drawn while it runs (declared), or on a fixed one."""
    if fresh:
        cell = _cell(
            "x_e2e = int(np.random.default_rng().integers(1, 10**6))\n"
            "assert quadruple(x_e2e) + double(x_e2e) == 6 * x_e2e, 'juntas'",
            "test_e2e",
            points=1,
            end_to_end=True,
        )
        cell.metadata.autograder["fresh_inputs"] = ["double", "quadruple"]
        return cell
    return _cell(
        "assert quadruple(1) + double(1) == 6, 'juntas'", "test_e2e", points=1, end_to_end=True
    )


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
    graph = isolation.call_graph(DOUBLE + "\n" + QUADRUPLE)
    assert graph == {"double": frozenset(), "quadruple": frozenset({"double"})}
    tests = {
        2: "fn = globals()['double']\nassert fn(1) == 2",  # a name in a string counts
        4: "assert quadruple(1) == double(2)",  # quadruple under test, double a helper
        5: "assert True",  # names nothing: nothing is under test, nothing needed
        6: "assert double(1) == 2",
    }
    chosen = isolation.bindings(functions, tests, {6}, graph)
    assert chosen.under_test == {2: {"double"}, 4: {"quadruple"}, 5: frozenset()}
    assert chosen.kernel == {4: frozenset({"double"})}
    assert chosen.helpers == {}  # the test's call to double is the bound reference already


def test_only_what_the_reference_under_test_calls_is_bound():
    code = (
        "def f(x):\n    return x\n"
        "def g(x):\n    return f(x) + 1\n"
        "def h(x):\n    return 2 * x\n"
        "def k(x):\n    return g(x) + h(x)\n"
    )
    graph = isolation.call_graph(code)
    functions = {"f": 1, "g": 2, "h": 3, "k": 4}
    # k's reference reaches g and, through it, f, and h; a test of h reaches nothing
    chosen = isolation.bindings(
        functions, {5: "assert k(1) == 4", 6: "assert h(f(1)) == 2"}, set(), graph
    )
    assert chosen.kernel == {5: frozenset({"f", "g", "h"})}
    assert chosen.helpers == {6: frozenset({"f"})}  # the test's own call: harness only
    # never a function that calls the one under test, nor one a later end-to-end cell grades
    later = {5: frozenset({"h"}), 6: frozenset()}
    chosen = isolation.bindings(functions, {5: "assert k(1) == 4"}, set(), graph, later)
    assert chosen.kernel == {5: frozenset({"f", "g"})}
    # a function the test passes on (a callback), rather than calls, stays the student's
    chosen = isolation.bindings(functions, {6: "assert h(1) == 2 and callable(f)"}, set(), graph)
    assert chosen.helpers == {}


def test_graded_later_follows_the_end_to_end_cells_back_through_instructor_statements():
    cells = [
        (0, "student", "def f(x):\n    return x"),
        (1, "test", "assert f(1) == 1"),
        (2, "instructor", "data = 3\ny = f(data)\nplot = g(data)"),
        (3, "e2e", "assert y == 3"),
        (4, "e2e", "assert h(5) == 5"),
        (5, "e2e", "assert k(np.random.default_rng().integers(9)) >= 0"),
    ]
    later = isolation.graded_later(cells, {"f", "g", "h", "k"}, {5: frozenset({"k"})})
    # y comes from f (graded later); g's plot feeds no check; k's inputs are fresh
    assert later[1] == {"f", "h"}
    assert later[3] == {"h"} and later[4] == frozenset() and later[5] == frozenset()


def test_reference_code_keeps_definitions_only():
    code = isolation.reference_code(["import numpy as np\nx = train()\ndef f():\n    return 1"])
    assert "train" not in code
    assert "def f" in code and "import numpy" in code


def test_one_wrong_helper_costs_its_own_cell_and_the_end_to_end_one():
    wrong = "def double(x):\n    return 2 * x + 1"
    assert _scores({"double": wrong}) == {"test_double": 0, "test_quadruple": 2, "test_e2e": 0}
    # the student's own functions are back after the cell: the end-to-end cell saw them
    assert _scores({}) == {"test_double": 1, "test_quadruple": 2, "test_e2e": 1}


def test_a_helper_a_later_cell_grades_on_a_known_input_is_never_bound():
    # the integration check asks double(1): while quadruple's cell runs, the reference double
    # could answer it for the kernel to keep, so double stays the student's there (the cost:
    # a wrong double now also costs quadruple's cell, through the student's own double)
    source = _source()
    source.cells[-1] = _e2e(fresh=False)
    assert planning.make_plan(source).isolate == {}
    wrong = "def double(x):\n    return 2 * x + 1"
    nb = mutation.mutant(source, {"double": wrong})
    results = tools.run_and_score(nb, ROOT, timeout=60, reference=source)
    assert {g: r.score for g, r in results.items()} == {
        "test_double": 0,
        "test_quadruple": 0,
        "test_e2e": 0,
    }


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
    # the reference of quadruple uses grid, so grid is bound while quadruple's cell runs
    source.cells[3].source = "def quadruple(x):\n    grid(1)\n    return double(double(x))"
    hog = "def quadruple(x):\n    grid(8000)  # 512 MB, twice: more than the grader allows\n    return 4 * x"
    nb = mutation.mutant(source, {"quadruple": hog})
    results = tools.run_and_score(nb, ROOT, timeout=60, reference=source)
    assert results["test_double"].passed
    assert results["test_quadruple"].score == 0
    assert "más de 0.25 GiB de memoria" in results["test_quadruple"].error


def test_the_tests_own_helper_calls_use_references_the_kernel_never_reaches():
    source = _source()
    triple = "def triple(x):\n    return 3 * x"
    source.cells[4:5] = [
        _cell(triple, "triple", solution=True),
        # triple's reference calls no graded function: double is the test's own helper only
        _cell("assert triple(2) == double(3), 'triple(2) debe ser 6'", "test_triple", points=2),
    ]
    source.cells[-1] = _cell("assert True", "test_e2e", points=1, end_to_end=True)
    plan = planning.make_plan(source)
    assert plan.isolate == {} and plan.helpers == {5: frozenset({"double"})}
    wrong_double = "def double(x):\n    return 2 * x + 1"
    # a wrong double does not spoil the expected value: the harness computes it with the reference
    nb = mutation.mutant(source, {"double": wrong_double})
    scores = {g: r.score for g, r in tools.run_and_score(nb, ROOT, 60, reference=source).items()}
    assert scores == {"test_double": 0, "test_triple": 2, "test_e2e": 1}
    # and a triple that asks the kernel's double gets the student's own (wrong) one
    asks = "def triple(x):\n    return double(x) + x"
    nb = mutation.mutant(source, {"double": wrong_double, "triple": asks})
    scores = {g: r.score for g, r in tools.run_and_score(nb, ROOT, 60, reference=source).items()}
    assert scores["test_triple"] == 0
