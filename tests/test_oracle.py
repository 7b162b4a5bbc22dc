"""References are not an oracle: the isolation rule, checked on the nine source notebooks.

For every test cell of every assignment, the graded functions bound to their
references in the student's kernel (:mod:`autograder.harness.isolation`) must
not be able to produce what that cell, or a later end-to-end cell, asks the
student's code for: the bound set is disjoint from the functions under test,
from every graded function whose reference (transitively) calls one of them,
and from the graded functions a later end-to-end cell grades. The last set is
recomputed here independently, and cruder than the plan's: every graded
function a later end-to-end cell names, unless it declares that function's
inputs fresh. The table of bound sets is printed per assignment.
"""

import ast

import pytest

from autograder.harness import isolation
from autograder.harness import plan as planning

from .conftest import ROOT, source_nb

ASSIGNMENTS = sorted(p.name for p in (ROOT / "source").iterdir() if p.is_dir())


def _graph(reference):
    """The call graph of the references, built here with ast (not with the module's helper)."""
    tree = ast.parse(reference)
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    names = {n.name for n in defs}
    return {
        d.name: {s.id for s in ast.walk(d) if isinstance(s, ast.Name) and s.id in names} - {d.name}
        for d in defs
    }


def _closure(graph, name):
    seen, todo = set(), list(graph.get(name, ()))
    while todo:
        f = todo.pop()
        if f not in seen:
            seen.add(f)
            todo += graph.get(f, ())
    return seen


def _table(assignment):
    nb = source_nb(assignment)
    plan = planning.make_plan(nb)
    graph = _graph(plan.reference)
    functions = set(graph)
    rows, problems = [], []
    e2e = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and isolation.end_to_end(c)]
    for index, role in enumerate(plan.roles):
        if role != planning.TEST:
            continue
        gid = nb.cells[index].metadata["nbgrader"]["grade_id"]
        bound = plan.isolate.get(index, frozenset())
        helpers = plan.helpers.get(index, frozenset())
        text = plan.trusted[index]
        named = planning.loaded_names(text) | isolation._strings(text)
        tested = isolation.under_test(_definitions(nb, plan), text, index)
        callers = {f for f in functions if _closure(graph, f) & tested}
        later = set()
        for e in (e for e in e2e if e > index):
            later |= (planning.loaded_names(plan.trusted[e]) & functions) - isolation.fresh_inputs(
                nb.cells[e]
            )
        if index in e2e and (bound or helpers):
            problems.append(f"{gid}: end to end, yet binds {sorted(bound | helpers)}")
        for kind, clash in (
            ("a function under test", bound & tested),
            ("a caller of a function under test", bound & callers),
            ("a function a later end-to-end cell grades", bound & later),
        ):
            if clash:
                problems.append(f"{gid}: binds {sorted(clash)}, {kind}")
        if helpers & tested:
            problems.append(f"{gid}: the test's own helpers include {sorted(helpers & tested)}")
        if not tested <= named:
            problems.append(f"{gid}: under test {sorted(tested)} not named by the cell")
        if index in e2e:
            fresh = isolation.fresh_inputs(nb.cells[index])
            if fresh and "np.random.default_rng()" not in text:
                problems.append(f"{gid}: declares fresh inputs but draws none at grading time")
            rows.append(f"  {gid:34s} end to end; fresh inputs for {sorted(fresh)}")
            continue
        rows.append(
            f"  {gid:34s} under test {sorted(tested)!s:40s} kernel {sorted(bound)}"
            + (f"  harness only {sorted(helpers)}" if helpers else "")
        )
    return rows, problems


def _definitions(nb, plan):
    found = {}
    for index in sorted(plan.answer_names):
        for name in isolation.graded_functions([(index, nb.cells[index].source)]):
            found.setdefault(name, index)
    return found


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_bound_reference_answers_a_graded_cell(assignment, capsys):
    rows, problems = _table(assignment)
    with capsys.disabled():
        print(f"\n{assignment}\n" + "\n".join(rows))
    assert not problems, "\n".join(problems)


def test_the_known_oracles_are_closed():
    """The bindings the last round's attacks used are gone; the cascade helpers stay."""
    plans = {a: (source_nb(a), planning.make_plan(source_nb(a))) for a in ASSIGNMENTS}

    def bound(assignment, gid):
        nb, plan = plans[assignment]
        index = next(
            i
            for i, c in enumerate(nb.cells)
            if c.metadata.get("nbgrader", {}).get("grade_id") == gid
        )
        return plan.isolate.get(index, frozenset())

    # 1.7: predict's reference calls forward_propagation only: nn_model is never bound there
    assert bound("1.7_shallowNN", "test_predict") == {"forward_propagation"}
    # 1.1: normal_equation's reference calls no graded function: nothing is bound
    assert bound("1.1_RegresionLineal", "test_normal_equation_hidden") == frozenset()
    # 1.8: train is graded end to end; predict's test binds forward_propagation only
    assert bound("1.8_Proyecto_shallowNN_MNIST", "test_predict") == {"forward_propagation"}
    assert "train" not in bound("1.8_Proyecto_shallowNN_MNIST", "test_build_model")
    # the cascade helpers of nn_model and gradient_descent are still the references
    assert bound("1.7_shallowNN", "test_nn_model") == {
        "initialize_parameters",
        "forward_propagation",
        "compute_cost",
        "backward_propagation",
        "update_parameters",
    }
    assert bound("1.1_RegresionLineal", "test_gradient_descent") == {
        "linear_forward",
        "mse_cost",
        "linear_gradients",
    }
