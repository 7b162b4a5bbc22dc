"""Attacks on the protocol itself: a kernel that answers the harness wrongly.

Each submission is the complete, correct 1.1 with one cell added at the top
that changes the kernel's agent (which lives in the student's process, so a
student can). The harness must not crash, hang or be misled: every test cell
that needed the kernel fails with a Spanish message, the batch finishes, and
the honest submissions beside them keep their exact scores. A kernel that
sends extra answers nobody asked for, before the right one, or loses its first "ready", keeps full marks.
"""

import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from autograder import cli, mutation
from autograder import nbgrader_tools as tools

from .conftest import ROOT, release_nb, source_nb

#: One process runs this module: its module-scoped fixture is built once (make test uses
#: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("protocol_attacks")

A = "1.1_RegresionLineal"


_PATCH_ANSWER = """import autograder.run.agent as _A
_real_answer = _A.Agent.answer
def _evil(self, request, buffers):
    reply, out = _real_answer(self, request, buffers)
    if request.get("op") != "get_global":
        {change}
    return reply, out
_A.Agent.answer = _evil
"""

ATTACKS = {
    # a declared array far bigger than the bytes that come with it
    "huge_array": (
        _PATCH_ANSWER.format(
            change='reply["value"] = {"$": "nd", "dtype": "<f8", "shape": [10**6, 10**6], "buf": 0}'
        ),
        0.0,
    ),
    # an array whose data never comes
    "truncated_array": (
        _PATCH_ANSWER.format(
            change='reply["value"] = {"$": "nd", "dtype": "<f8", "shape": [3], "buf": 7}; out = []'
        ),
        0.0,
    ),
    # a dtype that is not numeric (object arrays could smuggle anything)
    "object_dtype": (
        _PATCH_ANSWER.format(
            change='reply["value"] = {"$": "nd", "dtype": "|O", "shape": [1], "buf": 0}; out = [b"12345678"]'
        ),
        0.0,
    ),
    # NaN and infinity where numbers are expected
    "nan_everywhere": (_PATCH_ANSWER.format(change='reply["value"] = float("nan")'), 0.0),
    # a reference to an object the harness never sent
    "unknown_ref": (
        _PATCH_ANSWER.format(change='reply["value"] = {"$": "ref", "ref": 987654}'),
        0.0,
    ),
    # a string far too long
    "huge_string": (_PATCH_ANSWER.format(change='reply["value"] = "x" * 5_000_000'), 0.0),
    # a value kind the protocol does not know
    "unknown_kind": (
        _PATCH_ANSWER.format(change='reply["value"] = {"$": "pickle", "data": "gASVAAAA"}'),
        0.0,
    ),
    # half a message
    "truncated_json": (
        "import autograder.run.agent as _A\n"
        "_real_dumps = _A.protocol.dumps\n"
        "def _half(tree):\n"
        "    text = _real_dumps(tree)\n"
        "    return text[: len(text) // 2] if tree.get('kind') == 'answer' else text\n"
        "_A.protocol.dumps = _half\n",
        0.0,
    ),
    # lists nested a hundred thousand deep
    "deep_nesting": (
        "import autograder.run.agent as _A\n"
        "_real_dumps = _A.protocol.dumps\n"
        "def _deep(tree):\n"
        "    if tree.get('kind') != 'answer':\n"
        "        return _real_dumps(tree)\n"
        '    return (\'{"kind": "answer", "seq": %d, "ok": true, "value": \' % tree.get(\'seq\')\n'
        "            + '[' * 100000 + ']' * 100000 + '}')\n"
        "_A.protocol.dumps = _deep\n",
        0.0,
    ),
    # the agent never answers
    "no_reply": (
        "import autograder.run.agent as _A\n_A.Agent.on_msg = lambda self, msg: None\n",
        0.0,
    ),
    # the first "ready" lost on the way (as a ROUTER socket drops messages to a peer it has not
    # finished connecting): the agent sends it again and the submission keeps full marks
    "lost_ready": (
        "import autograder.run.agent as _A\n"
        "_real_exchange = _A.Agent.exchange\n"
        "_lost = []\n"
        "def _lossy(self, message, buffers):\n"
        "    if message.get('kind') == 'ready' and not _lost:\n"
        "        _lost.append(1)\n"
        "        session = self.stdin[0].session\n"
        "        real_send = session.send\n"
        "        def _drop_once(*args, **kwargs):\n"
        "            session.send = real_send\n"
        "        session.send = _drop_once\n"
        "    return _real_exchange(self, message, buffers)\n"
        "_A.Agent.exchange = _lossy\n",
        None,  # full marks: replaced below
    ),
    # answers nobody asked for, before each right one: ignored
    "unasked_replies": (
        "import autograder.run.agent as _A\n"
        "_real_exchange = _A.Agent.exchange\n"
        "def _noisy(self, message, buffers):\n"
        "    if message.get('kind') == 'answer':\n"
        "        kernel, ident, parent = self.stdin\n"
        "        for fake in ({'kind': 'answer', 'seq': -5, 'ok': True, 'value': 1.0},\n"
        "                     {'kind': 'ready'},\n"
        "                     {'kind': 'answer', 'seq': 'otra', 'ok': True, 'value': 0.0}):\n"
        "            kernel.session.send(kernel.stdin_socket, 'input_request',\n"
        "                                {'prompt': _A.protocol.dumps(fake), 'password': False}, parent, ident=ident)\n"
        "    return _real_exchange(self, message, buffers)\n"
        "_A.Agent.exchange = _noisy\n",
        None,  # full marks: replaced below
    ),
}


def _complete():
    return mutation.student_submission(release_nb(A), source_nb(A))


def _attacked(code):
    nb = _complete()
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first_code + 1, new_code_cell(code))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("protocol")
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / A, course / name / A)
    limits = "\nc.Execute.timeout = 30\nc.ResilientExecute.notebook_timeout = 200\n"
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text() + limits)
    cases = {"honest": (_complete(), 20.0), "untouched": (release_nb(A), 0.0)}
    for name, (code, score) in ATTACKS.items():
        cases[name] = (_attacked(code), 20.0 if score is None else score)
    for student, (nb, _) in cases.items():
        target = course / "submitted" / student / A / f"{A}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
    status = cli.main(["--course", str(course), "grade", "--jobs", "2", A])
    return course, status, {student: score for student, (_, score) in cases.items()}


@pytest.mark.slow
def test_a_lying_kernel_cannot_crash_hang_or_mislead_the_harness(graded):
    course, status, expected = graded
    assert status == 0
    scores = {g.student: g.auto_score for g in tools.grades(course)}
    assert scores == expected


@pytest.mark.slow
def test_each_failed_cell_says_why_in_spanish(graded):
    course, _, expected = graded
    for student, score in expected.items():
        if score or student in ("untouched", "nan_everywhere"):
            continue  # NaN is data: the tests' own checks say what they say about it
        nb = nbformat.read(course / "autograded" / student / A / f"{A}.ipynb", as_version=4)
        tests = [
            c
            for c in nb.cells
            if c.cell_type == "code"
            and c.get("metadata", {}).get("nbgrader", {}).get("grade")
            and not c.metadata.nbgrader.get("solution")
        ]
        for cell in tests:
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert errors, f"{student}: {cell.metadata.nbgrader.grade_id} has no error"
            message = errors[0].evalue
            assert any(
                word in message
                for word in (
                    "tu kernel",
                    "Tu kernel",
                    "no es un número",
                    "no finito",
                    "debe",
                    "tu código",
                    "revisa",
                )
            ), f"{student}: {message!r}"
