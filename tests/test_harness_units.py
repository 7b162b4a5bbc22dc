"""Small unit tests of the trusted harness's pieces: the Keras allow-list and the cell plan."""

import types

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


# --- fidelity: exceptions, imports, partial credit, data ---------------------------


def test_student_exceptions_become_builtin_ones_the_tests_can_catch():
    from autograder.harness.remote import StudentError, student_error

    error = student_error("ValueError", "n debe ser positivo", None, ["ValueError"], ["n"])
    assert isinstance(error, ValueError) and isinstance(error, StudentError)
    assert str(error) == "n debe ser positivo" and error.args == ("n",)
    with pytest.raises(ValueError, match="positivo"):
        raise error
    mine = student_error(
        "SaldoInsuficiente", "sin saldo", None, ["SaldoInsuficiente", "ValueError"]
    )
    assert type(mine).__name__ == "SaldoInsuficiente" and isinstance(mine, ValueError)
    assert type(mine) is type(student_error("SaldoInsuficiente", "otro", None, ["ValueError"]))
    # a BaseException that is not an Exception, or an unknown base: a plain StudentError
    assert type(student_error("SystemExit", "", None, ["SystemExit", "BaseException"])) is (
        StudentError
    )
    assert type(student_error("Raro", "", None, ["Raro", "object"])) is StudentError
    # the kernel names classes; it never chooses the harness's code: names only pick a base
    odd = student_error("os.system('x')", "", None, ["KeyError"])
    assert type(odd).__name__ == "KeyError" and isinstance(odd, KeyError)


def test_a_student_import_binds_only_allowed_modules_under_free_names():
    from autograder.harness.execute import Harness

    source_imports = {("fractions", "Fraction", "Fraction"), ("math", "", "m")}
    harness = Harness(lambda: None, {"f"}, imports=source_imports, trusted_names={"np"})
    harness.imported(
        "import numpy as np\nimport statistics as st\nimport os\nimport subprocess as sp\n"
        "from numpy import all as assert_allclose\nfrom fractions import Fraction\n"
        "import math as f\nfrom collections import Counter\nimport matplotlib.pyplot as plt\n"
        "from operator import truth as all\nimport math as m\nimport math as pd\n"
        "import numpy.linalg\nfrom numpy import testing"
    )
    import fractions
    import math
    import statistics

    import matplotlib.pyplot
    import numpy

    space = harness.namespace
    assert space["st"] is statistics and space["Fraction"] is fractions.Fraction
    assert space["plt"] is matplotlib.pyplot and space["m"] is math  # as the source does
    assert space["numpy"] is numpy and space["testing"] is numpy.testing
    assert "np" not in space  # the instructor's cells bind np: a student's import never does
    assert "os" not in space and "sp" not in space  # not allowed
    assert "f" not in space  # a graded name comes from the kernel only
    # a function taken out of a module, or a module under another's name: never
    assert "assert_allclose" not in space and "all" not in space and "pd" not in space
    assert "Counter" not in space


def test_plan_lists_the_sources_imports_and_the_trusted_names():
    source = _source(
        ("import numpy as np", {"grade_id": "setup", "locked": True}),
        ("import scipy.stats as ss\ndef f(x):\n    return x", {"grade_id": "f", "solution": True}),
        ("assert f(1) == 1", {"grade_id": "t", "grade": True, "points": 1}),
    )
    made = plan.make_plan(source)
    assert made.imports == {("scipy.stats", "", "ss")}
    assert made.trusted_names == {"np"}
    assert made.interface == {"f"}


def test_a_test_cells_last_number_is_its_score(monkeypatch):
    from autograder.harness.execute import Harness

    harness = Harness(lambda: None, set())
    outputs = harness.run("x = 3\nx / 4", "celda 1", None, result=True)
    assert [o.output_type for o in outputs] == ["execute_result"]
    assert outputs[0].data["text/plain"] == "0.75"
    assert harness.run("x / 4", "celda 2", None) == []  # an instructor cell: no result
    assert harness.run("y = x", "celda 3", None, result=True) == []
    assert harness.run("None", "celda 4", None, result=True) == []


def _round_trip(value):
    encoder = protocol.Encoder(lambda v: {"$": "handle", "id": 1})
    tree = protocol.loads(protocol.dumps(encoder.encode(value)))
    buffers = [bytes(b) for b in encoder.buffers]
    return protocol.Decoder(buffers, lambda r: None, lambda n: "handle").decode(tree)


def test_pandas_and_numpy_data_cross_as_data():
    import collections

    import numpy as np
    import pandas as pd

    frame = pd.DataFrame(
        {
            "a": [1, 2, 3],
            "b": ["x", "y", None],
            "c": pd.to_datetime(["2020-01-01", "2020-02-01", "2021-01-01"]),
            "d": pd.Series(["p", 1, None], dtype=object),
        },
        index=pd.Index(["r1", "r2", "r3"], name="fila"),
    )
    pd.testing.assert_frame_equal(_round_trip(frame), frame)
    series = pd.Series([1.0, 2.0], index=pd.date_range("2020-01-01", periods=2), name="v")
    pd.testing.assert_series_equal(_round_trip(series), series)
    pd.testing.assert_index_equal(_round_trip(pd.RangeIndex(0, 10, 2)), pd.RangeIndex(0, 10, 2))
    assert _round_trip(pd.Series(["a"], dtype="category")) == "handle"  # not data: a handle
    records = np.array([(1, b"ab", "xy")], dtype=[("i", "<i4"), ("b", "S2"), ("u", "U3")])
    assert _round_trip(records).dtype == records.dtype and _round_trip(records) == records
    days = np.array(["2024-01-01", "2024-03-01"], dtype="datetime64[D]")
    np.testing.assert_array_equal(_round_trip(days), days)
    assert _round_trip(np.datetime64("2020-01-01T10:00")) == np.datetime64("2020-01-01T10:00")
    assert type(_round_trip(np.str_("q"))) is str and _round_trip(b"xy") == b"xy"
    assert _round_trip({1, "a"}) == {1, "a"} and type(_round_trip(frozenset())) is frozenset
    counted = _round_trip(collections.Counter("abca"))
    assert type(counted) is collections.Counter and counted.most_common(1) == [("a", 2)]


@pytest.mark.parametrize(
    "node",
    [
        {"$": "nd", "dtype": "|O", "shape": [1], "buf": 0},  # objects never cross
        {"$": "nd", "dtype": "<U0", "shape": [1], "buf": 0},
        {"$": "nd", "dtype": {"names": ["a"], "formats": ["|O"], "offsets": [0], "itemsize": 8}},
        {"$": "nd", "dtype": {"names": ["a", "a"], "formats": ["<i4"] * 2, "offsets": [0, 4]}},
        {"$": "nd", "dtype": "<U2", "shape": [3], "buf": 0},  # 24 bytes declared, 8 carried
        {"$": "pd.series", "values": {"$": "pd.col", "dtype": "object", "items": [[1]]}},
        {
            "$": "pd.series",
            "index": {"$": "pd.range", "start": 0, "stop": 5, "step": 1, "name": None},
            "values": {"$": "pd.col", "dtype": "object", "items": [1]},  # length 1, index 5
            "name": None,
        },
        {"$": "set", "items": [{"$": "list", "items": []}]},
        {"$": "dict", "items": [], "cls": "Exec"},
    ],
)
def test_malformed_new_data_is_refused(node):
    decoder = protocol.Decoder([b"\0" * 8], lambda r: None, lambda n: None)
    with pytest.raises(protocol.ProtocolError):
        decoder.decode(node)


# --- bounds of the harness (issue 25) ------------------------------------------------------


def _dense(units, **extra):
    return {"class_name": "Dense", "module": "keras.layers", "config": {"units": units, **extra}}


def _sequential(layers, input_shape=None):
    if input_shape is not None:
        layers = [
            {
                "class_name": "InputLayer",
                "module": "keras.layers",
                "config": {"batch_shape": [None, *input_shape]},
            },
            *layers,
        ]
    return {"class_name": "Sequential", "module": "keras", "config": {"layers": layers}}


def test_keras_size_is_counted_from_the_config():
    from autograder.harness.remote import keras_config_size

    flatten = {"class_name": "Flatten", "module": "keras.layers", "config": {}}
    model = _sequential([flatten, _dense(128), _dense(10)], input_shape=(28, 28))
    assert keras_config_size(model) == (4, 784 * 128 + 128 + 128 * 10 + 10)
    # unknown input: only what the config fixes is counted (the tests' data bounds the rest)
    assert keras_config_size(_sequential([_dense(16), _dense(10)])) == (2, 16 + 16 * 10 + 10)


@pytest.mark.parametrize(
    ("config", "words"),
    [
        # 3 x Dense(16384): 2 KB of JSON that would make the grader allocate gigabytes
        (_sequential([_dense(16384)] * 3, input_shape=(16384,)), "16384 unidades"),
        # wide but under the unit cap: the parameter count refuses it
        (_sequential([_dense(8192)] * 3, input_shape=(8192,)), "parámetros"),
        (_sequential([_dense(2)] * 101, input_shape=(4,)), "capas"),
        (_sequential([_dense(2)], input_shape=(2**11, 2**10)), "valores por ejemplo"),
        (
            _sequential([_sequential([_sequential([_sequential([_sequential([_dense(2)])])])])]),
            "anidados",
        ),
    ],
)
def test_keras_size_bounds_refuse_before_building(config, words):
    from autograder.harness.remote import keras_config_size

    with pytest.raises(protocol.ProtocolError, match=words):
        keras_config_size(config)


def test_keras_weights_are_bounded_by_their_declared_shapes():
    from autograder.harness.remote import MAX_KERAS_WEIGHTS, check_keras_weights

    check_keras_weights([{"$": "nd", "dtype": "<f4", "shape": [784, 128], "buf": 0}])
    huge = {"$": "nd", "dtype": "<f4", "shape": [MAX_KERAS_WEIGHTS // 1000 + 1, 1000], "buf": 0}
    with pytest.raises(protocol.ProtocolError, match="pesos"):
        check_keras_weights([huge])
    with pytest.raises(protocol.ProtocolError):
        check_keras_weights([{"$": "ref", "ref": 1}])


def test_the_cell_clock_stops_harness_work_at_the_deadline():
    import time

    from autograder.harness.channel import CLOCK, HarnessTimeout

    spins = 0
    start = time.monotonic()
    with pytest.raises(HarnessTimeout, match="agotó su tiempo"):
        with CLOCK.armed(time.monotonic() + 0.3):
            while True:  # a reference looping on the kernel's arguments
                spins += 1
    assert spins > 0 and CLOCK.deadline is None
    # shielded code is never interrupted; it sees `expired` and the alarm raises after it
    finished = False
    with pytest.raises(HarnessTimeout):
        with CLOCK.armed(time.monotonic() + 0.2):
            with CLOCK.shield():
                while not CLOCK.expired:
                    pass
                finished = True
            while True:
                pass
    assert finished
    # disarmed: no alarm is left behind
    end = time.monotonic() + 0.8
    while time.monotonic() < end:
        pass
    assert time.monotonic() - start > 0.3


def test_a_reference_called_after_the_deadline_does_no_work():
    import time

    from autograder.harness.channel import CLOCK, HarnessTimeout
    from autograder.harness.execute import _reference

    calls = []
    wrapped = _reference("f", lambda x: calls.append(x))
    with CLOCK.armed(time.monotonic() + 3600):
        wrapped(1)
        CLOCK.deadline = time.monotonic() - 1  # as a non-main thread would see it: no alarm
        with pytest.raises(HarnessTimeout):
            wrapped(2)
    assert calls == [1]


def _pair(max_frame=None):
    import zmq
    from jupyter_client.session import Session

    from autograder.harness import channel

    context = zmq.Context()
    context.setsockopt(zmq.MAXMSGSIZE, max_frame or channel.MAX_FRAME_BYTES)
    harness_side = context.socket(zmq.PAIR)
    port = harness_side.bind_to_random_port("tcp://127.0.0.1")
    kernel_side = zmq.Context().socket(zmq.PAIR)
    kernel_side.connect(f"tcp://127.0.0.1:{port}")
    session = Session(key=b"k")
    chan = object.__new__(channel.Channel)
    chan.kc = types.SimpleNamespace(
        stdin_channel=types.SimpleNamespace(socket=harness_side), session=session
    )
    return chan, session, kernel_side


def _receive(chan):
    for _ in range(500):
        got = chan._receive()
        if got is not None:
            return got
    raise AssertionError("nothing received")


def test_message_caps_drop_buffers_before_deserializing(monkeypatch):
    from autograder.harness import channel

    chan, session, kernel = _pair()
    prompt = {"prompt": protocol.dumps({"kind": "answer", "seq": 1}), "password": False}
    session.send(kernel, "input_request", prompt, buffers=[b"x" * 10] * 3)
    msg, too_big = _receive(chan)
    assert too_big is None and [bytes(b) for b in msg["buffers"]] == [b"x" * 10] * 3
    # the same buffer repeated past the total: refused, buffers never deserialized
    monkeypatch.setattr(channel, "MAX_MESSAGE_BYTES", 25)
    session.send(kernel, "input_request", prompt, buffers=[b"x" * 10] * 3)
    msg, too_big = _receive(chan)
    assert msg["buffers"] == [] and "30 MiB" not in too_big and "MiB" in too_big
    assert msg["content"]["prompt"] == prompt["prompt"]  # its kind and seq are still known
    monkeypatch.setattr(channel, "MAX_FRAMES", 2)
    session.send(kernel, "input_request", prompt, buffers=[b"y"] * 3)
    msg, too_big = _receive(chan)
    assert msg["buffers"] == [] and too_big.startswith("3 bloques")
    # a JSON tree past its cap is dropped unread
    monkeypatch.setattr(channel, "MAX_CONTENT_BYTES", 100)
    session.send(kernel, "input_request", {"prompt": "x" * 200, "password": False})
    assert all(chan._receive() is None for _ in range(50))


def test_a_frame_past_maxmsgsize_never_arrives():
    import time

    chan, session, kernel = _pair(max_frame=1000)
    prompt = {"prompt": protocol.dumps({"kind": "answer", "seq": 1}), "password": False}
    session.send(kernel, "input_request", prompt, buffers=[b"z" * 5000])  # refused at its header
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        assert chan._receive() is None
    session.send(kernel, "input_request", prompt, buffers=[b"z" * 100])  # after the reconnection
    assert bytes(_receive(chan)[0]["buffers"][0]) == b"z" * 100


def test_widget_comms_are_dropped_and_counted():
    from autograder.faults import ResilientExecute

    executor = ResilientExecute(sandbox=False)
    executor._dropped_bytes = 0
    msg = {
        "msg_type": "comm_open",
        "content": {"comm_id": "c", "target_name": "jupyter.widget", "data": {"state": {}}},
        "buffers": [b"0" * 1000, memoryview(b"1" * 24)],
    }
    executor.handle_comm_msg([], msg, 0)  # no _model_module: nbclient would raise KeyError
    assert executor._dropped_bytes == 1024 and msg["buffers"] == []
    assert executor.widget_state == {} and executor.widget_buffers == {}


def _serving_channel(**km):
    """A channel over a socket pair, with a stand-in kernel manager that records interrupts."""
    chan, session, kernel = _pair()
    interrupts = []
    chan.km = types.SimpleNamespace(
        interrupt_kernel=lambda: interrupts.append(1),
        is_alive=lambda: True,
        shutdown_kernel=lambda now: None,
    )
    chan.stopped = chan.silent = False
    return chan, session, kernel, interrupts


def _send(session, kernel, message):
    session.send(kernel, "input_request", {"prompt": protocol.dumps(message), "password": False})


def test_a_flood_within_one_request_is_given_up(monkeypatch):
    import time

    from autograder.harness import channel

    monkeypatch.setattr(channel, "MAX_IGNORED_MESSAGES", 50)
    monkeypatch.setattr(channel, "INTERRUPT_GRACE", 0.5)
    chan, session, kernel, interrupts = _serving_channel()
    for _ in range(100):
        _send(session, kernel, {"kind": "noise"})
    _send(session, kernel, {"kind": "answer", "seq": 1, "ok": True, "value": 1.0})
    with pytest.raises(channel.KernelFailure, match="demasiados mensajes"):
        chan._wait(time.monotonic() + 600, 1, 600)
    assert interrupts == []  # it answered within the grace
    for _ in range(100):  # a flood that never ends: interrupted after the grace, then stopped
        _send(session, kernel, {"kind": "noise"})
    with pytest.raises(channel.KernelStopped, match="demasiados mensajes"):
        chan._wait(time.monotonic() + 600, 2, 600)
    assert interrupts == [1] and chan.stopped


def test_harness_work_for_the_kernel_stops_at_the_cells_deadline():
    import time

    from autograder.harness import channel

    chan, session, kernel, interrupts = _serving_channel()
    runs = []

    def forever(*args):  # a reference the kernel called with 5 000 000 iterations
        runs.append(1)
        while True:
            pass

    chan.serve_callback = forever
    _send(session, kernel, {"kind": "callback", "id": 1, "args": []})
    with channel.CLOCK.armed(time.monotonic() + 0.5):
        _send(session, kernel, {"kind": "callback", "id": 1, "args": []})  # refused: time is up
        _send(session, kernel, {"kind": "answer", "seq": 1, "ok": True, "value": 1.0})
        with pytest.raises(channel.KernelFailure, match="agotó su tiempo"):
            chan._wait(time.monotonic() + 600, 1, 600)
    assert runs == [1] and interrupts == []  # the kernel answered after the refusals
    replies = [
        protocol.loads(session.recv(kernel, mode=0)[1]["content"]["value"]) for _ in range(2)
    ]
    assert all(r["ok"] is False and "agotó su tiempo" in r["error"] for r in replies), replies


def test_a_crashed_cell_is_named_by_its_first_line_and_a_given_cell_explains_itself():
    from autograder.harness.execute import _given_cell_note, cell_name

    assert cell_name("\n# Entrenamiento de Keras\nmodel.fit(x)\n", 53) == (
        "celda que empieza con «# Entrenamiento de Keras»"
    )
    assert cell_name("", 3) == "celda 4"
    assert cell_name("x = " + "1" * 100, 0).endswith("…»")
    note = _given_cell_note("y = predict(parameters, X)\nprint(y)", {"predict", "train"})
    assert note.name == "stdout" and "`predict`" in note.text and "`train`" not in note.text
    assert "ya venía escrita" in note.text
