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
            if fresh and "checks.hidden_rng(" not in text:
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


# --- attacks, graded through `autograder grade` in one batch beside honest and untouched work ---

A11 = "1.1_RegresionLineal"
A17 = "1.7_shallowNN"

#: 1.1: normal_equation runs gradient_descent to convergence, hoping for the bound reference.
NE_CALLS_GD = """
def normal_equation(X, y):
    gd = globals()["gradient_descent"]
    w, b, _ = gd(np.zeros((X.shape[0], 1)), 0.0, X, y, 0.05, 20000)
    return w, b
"""

#: 1.1: a cost of 0 everywhere, and right-shaped garbage for every other function.
MSE_ZERO = {
    "linear_forward": "def linear_forward(w, b, X):\n    return np.zeros((1, X.shape[1]))",
    "mse_cost": "def mse_cost(y_hat, y):\n    return 0.0",
    "linear_gradients": (
        "def linear_gradients(w, b, X, y):\n    return np.zeros((X.shape[0], 1)), 0.0"
    ),
    "gradient_descent": (
        "def gradient_descent(w, b, X, y, alpha, num_iters):\n"
        "    return np.zeros((X.shape[0], 1)), 0.0, [0.0] * num_iters"
    ),
    "normal_equation": "def normal_equation(X, y):\n    return np.zeros((X.shape[0], 1)), 0.0",
}

#: 1.7: predict (correct, its own code) trains with nn_model while its cell runs, hoping for the
#: bound reference, and keeps the trained parameters; nn_model answers only from that cache.
PREDICT_CACHES = """
_CACHE = {}


def predict(parameters, X):
    trainer = globals()["nn_model"]
    if not _CACHE:
        try:
            _CACHE["mnist"] = trainer(X_train, Y_train, 128, 200, 1.0, SEED)
            from sklearn.datasets import make_moons

            rows, labels = make_moons(n_samples=400, noise=0.2, random_state=SEED)
            _CACHE["moons"] = trainer(rows.T, labels.reshape(1, -1), 8, 3000, 2.0, SEED)
        except Exception:
            _CACHE["none"] = True
    Z2 = parameters["W2"] @ np.tanh(parameters["W1"] @ X + parameters["b1"]) + parameters["b2"]
    return (Z2 > 0).astype(int)
"""
NN_FROM_CACHE = """
def nn_model(X, Y, n1, num_iterations, alpha, seed):
    key = {(784, 4000): "mnist", (2, 400): "moons"}.get(X.shape)
    if key in _CACHE:
        return _CACHE[key]
    raise NotImplementedError()
"""


def _submission(assignment, replacements=None, honest=False):
    """The student version with the given answer cells (every answer cell when ``honest``)."""
    from autograder import mutation

    from .conftest import release_nb

    if honest:
        return mutation.student_submission(
            release_nb(assignment), source_nb(assignment), replacements
        )
    nb = release_nb(assignment)
    for cell in nb.cells:
        if mutation.is_solution(cell) and mutation.grade_id(cell) in (replacements or {}):
            cell.source = replacements[mutation.grade_id(cell)].strip() + "\n"
    return nb


def _cases():
    """student -> (assignment, notebook, deserved score, score before this rule)."""
    return {
        "honest_11": (A11, _submission(A11, honest=True), 20.0, 20.0),
        "untouched_11": (A11, _submission(A11), 0.0, 0.0),
        # deserves 0 for normal_equation's cells (3 before: the bound gradient_descent converged)
        "ne_calls_gd_11": (A11, _submission(A11, {"normal_equation": NE_CALLS_GD}), 0.0, 3.0),
        # deserves 0 on test_convergence (2 before: it compared two of the student's costs)
        "mse_zero_garbage_11": (A11, _submission(A11, MSE_ZERO), 0.0, 2.0),
        # a wrong mse_cost with everything else right: the convergence check still passes
        "mse_zero_honest_11": (
            A11,
            _submission(A11, {"mse_cost": MSE_ZERO["mse_cost"]}, honest=True),
            17.0,
            17.0,
        ),
        "honest_17": (A17, _submission(A17, honest=True), 29.0, 29.0),
        "untouched_17": (A17, _submission(A17), 0.0, 0.0),
        # predict's own code earns its 3 points; nothing else is implemented (8 before)
        "predict_caches_17": (
            A17,
            _submission(A17, {"predict": PREDICT_CACHES, "nn_model": NN_FROM_CACHE}),
            3.0,
            8.0,
        ),
    }


@pytest.mark.slow
def test_bound_references_answer_nothing_graded(tmp_path, capsys):
    import shutil

    import nbformat

    from autograder import cli
    from autograder import nbgrader_tools as tools

    cases = _cases()
    course = tmp_path / "course"
    for assignment in (A11, A17):
        for name in ("source", "release"):
            shutil.copytree(ROOT / name / assignment, course / name / assignment)
    config = (ROOT / "nbgrader_config.py").read_text()
    limits = "\nc.Execute.timeout = 300\nc.ResilientExecute.notebook_timeout = 900\n"
    (course / "nbgrader_config.py").write_text(config + limits)
    for student, (assignment, nb, _, _) in cases.items():
        target = course / "submitted" / student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
    status = cli.main(["--course", str(course), "grade", "--jobs", "2", A11, A17])
    scores = {(g.student, g.assignment): g.auto_score for g in tools.grades(course)}
    rows = [
        f"| {student} | {assignment} | {before:g} | {scores.get((student, assignment))} | {deserved:g} |"
        for student, (assignment, _, deserved, before) in cases.items()
    ]
    with capsys.disabled():
        print(
            "\n| submission | assignment | before | score | deserved |\n|---|---|---|---|---|\n"
            + "\n".join(rows)
        )
    assert status == 0
    wrong = {
        student: (scores.get((student, assignment)), deserved)
        for student, (assignment, _, deserved, _) in cases.items()
        if scores.get((student, assignment)) != deserved
    }
    assert not wrong, f"(got, deserved): {wrong}"
