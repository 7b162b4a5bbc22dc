"""Small unit tests of the trusted harness's pieces: the Keras allow-list and the cell plan."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder import protocol
from autograder.harness import plan
from autograder.harness.remote import check_keras_config


def _function(name, module="builtins"):
    return {
        "class_name": "function",
        "module": module,
        "config": name,
        "registered_name": "function",
    }


def test_keras_allow_list_accepts_functional_models_and_keras_functions():
    tensor = {"class_name": "__keras_tensor__", "config": {"shape": [None, 4], "dtype": "float32"}}
    config = {
        "class_name": "Functional",
        "module": "keras.src.models.functional",
        "config": {"layers": [{"class_name": "Dense", "module": "keras.layers", "config": {}}]},
        "inbound_nodes": [{"args": [tensor]}],
    }
    check_keras_config(config)  # raises when refused
    check_keras_config({"optimizer": "adam", "loss": _function("mean_squared_error")})
    check_keras_config({"loss": _function("binary_crossentropy", "keras.losses")})


@pytest.mark.parametrize(
    "config",
    [
        _function("system", "os"),  # any module's function: refused
        _function("eval"),  # a builtin that is not a Keras function
        {"class_name": "__lambda__", "config": {"code": "..."}},
        {"class_name": "Lambda", "module": "keras.layers", "config": {}},
        {"class_name": "MyLayer", "module": "keras.layers", "config": {}},
        {"class_name": "Dense", "module": "os", "config": {}},
        {"class_name": "Dense", "module": "keras.layers", "config": {}, "registered_name": "x>Y"},
    ],
)
def test_keras_allow_list_refuses_anything_else(config):
    with pytest.raises(protocol.ProtocolError):
        check_keras_config({"layers": [config]})


def _source(*cells):
    nb = new_notebook()
    for text, meta in cells:
        cell = new_code_cell(text)
        if meta:
            cell.metadata["nbgrader"] = meta
        nb.cells.append(cell)
    return nbformat.from_dict(nb)


ANSWER = {"solution": True, "grade": False, "grade_id": "f", "locked": False}
TEST = {"solution": False, "grade": True, "grade_id": "t", "points": 1, "locked": True}


def test_plan_skips_what_no_test_can_depend_on():
    nb = _source(
        ("import numpy as np\nX = np.ones(3)", None),  # data a test uses: runs in the harness
        ("def f(x):\n    return 2 * x", ANSWER),
        ("import matplotlib.pyplot as plt\nplt.plot(X)", None),  # a plot before the test
        ("history = [f(x) for x in X]", None),  # uses the student's code, feeds the test
        ("assert len(history) == 3", TEST),
        ("plots = [f(x) for x in X]\nprint(plots)", None),  # after the last test
    )
    made = plan.make_plan(nb)
    assert made.roles == [plan.INSTRUCTOR, plan.STUDENT, plan.INSTRUCTOR] + [
        plan.INSTRUCTOR,
        plan.TEST,
        plan.INSTRUCTOR,
    ]
    assert made.skip == {2, 5}
    assert made.interface == {"f"}


def test_plan_keeps_a_cell_that_may_change_what_a_test_reads():
    nb = _source(
        ("import numpy as np\nX = np.ones(3)", None),
        ("def f(x):\n    return 2 * x", ANSWER),
        ("scaled = f(X)", None),  # passes X to the student's code: it could change X
        ("assert X.sum() == 3", TEST),
    )
    assert plan.make_plan(nb).skip == set()


def test_plan_keeps_a_call_to_a_function_that_fills_a_global():
    nb = _source(
        ("agreement = {}\n\ndef compare(label, value):\n    agreement[label] = value", None),
        ("def f(x):\n    return 2 * x", ANSWER),
        ("start = 0\ncompare('f', f(3))", None),  # fills `agreement` through compare
        ("assert agreement['f'] == 6", TEST),
    )
    assert plan.make_plan(nb).skip == set()


def test_plan_keeps_a_cell_that_rebinds_globals_dynamically():
    nb = _source(
        ("import numpy as np\nCOUNTER = [0]\n_saved = {'COUNTER': [0]}", None),
        ("def f(x):\n    return 2 * x", ANSWER),
        ("COUNTER[0] += 1\nassert COUNTER[0] == 1", TEST),
        ("globals().update(_saved)", None),  # a restore: binds nothing the AST can see
        ("def restore():\n    globals().update(_saved)", None),
        ("_done = restore()", None),
        ("COUNTER[0] += 1\nassert COUNTER[0] == 1", {**TEST, "grade_id": "t2"}),
    )
    assert plan.make_plan(nb).skip == set()
