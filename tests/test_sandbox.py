"""The sandbox of a submission's kernel, tested directly (the fault suite tests it through nbgrader).

These tests need Linux with Landlock and unprivileged user namespaces, which
the course's CI machines have; elsewhere they are skipped with the reason,
and ``autograder grade`` says which layer is missing.
"""

import asyncio
import textwrap
from pathlib import Path

import pytest

from autograder import sandbox
from autograder.kernels import SandboxKernelManager

from .conftest import ROOT

CAPS = sandbox.capabilities()
pytestmark = pytest.mark.skipif(
    CAPS["landlock"] < 1 or not CAPS["namespaces"],
    reason=f"this machine lacks a sandbox layer: {sandbox.missing_layers()}",
)

ATTEMPTS = f"""
import os, resource, signal, socket

def attempt(what, action):
    try:
        action()
        print("ALLOWED", what)
    except Exception as exc:
        print("denied", what, type(exc).__name__)

attempt("read source", lambda: open({str(ROOT / "source" / "1.1_RegresionLineal" / "1.1_RegresionLineal.ipynb")!r}).read())
attempt("list the course", lambda: os.listdir({str(ROOT)!r}))
attempt("read the config", lambda: open({str(ROOT / "nbgrader_config.py")!r}).read())
attempt("write /tmp", lambda: open("/tmp/iap-sandbox-test.txt", "w").write("x"))
attempt("write the course", lambda: open({str(ROOT / "escape.txt")!r}, "w").write("x"))
attempt("network", lambda: socket.create_connection(("1.1.1.1", 80), timeout=3))
attempt("loopback server of the host", lambda: socket.create_connection(("127.0.0.1", 22), timeout=3))
attempt("signal the grader", lambda: os.kill(os.getppid(), 0))
attempt("raise the memory limit", lambda: resource.setrlimit(resource.RLIMIT_AS, (-1, -1)))
attempt("write here", lambda: open("here.txt", "w").write("x"))
attempt("write TMPDIR", lambda: open(os.path.join(os.environ["TMPDIR"], "t.txt"), "w").write("x"))
attempt("load the data", lambda: __import__("autograder.datasets").datasets.load_boston())
print("limit", resource.getrlimit(resource.RLIMIT_AS)[0])
print("home", os.environ["HOME"])
"""

EXPECTED_DENIED = {
    "read source",
    "list the course",
    "read the config",
    "write /tmp",
    "write the course",
    "network",
    "loopback server of the host",
    "signal the grader",
    "raise the memory limit",
}
EXPECTED_ALLOWED = {"write here", "write TMPDIR", "load the data"}


async def _run_in_sandbox(code, cwd, timeout=120):
    manager = SandboxKernelManager(memory_limit=4 * 1024**3)
    await manager.start_kernel(cwd=str(cwd))
    private = manager._private
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        msg_id = client.execute(code)
        text = []
        while True:
            msg = await client.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                text.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                text.append("ERROR " + msg["content"]["ename"])
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(text), private
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)


def test_sandbox_denies_everything_but_its_folder(tmp_path):
    out, private = asyncio.run(_run_in_sandbox(ATTEMPTS, tmp_path))
    verdicts = {}
    for line in out.splitlines():
        if line.startswith("ALLOWED "):
            verdicts[line.removeprefix("ALLOWED ")] = "allowed"
        elif line.startswith("denied "):  # "denied <what> <exception name>"
            verdicts[line.removeprefix("denied ").rsplit(" ", 1)[0]] = "denied"
    assert {w for w, v in verdicts.items() if v == "denied"} == EXPECTED_DENIED, out
    assert {w for w, v in verdicts.items() if v == "allowed"} == EXPECTED_ALLOWED, out
    assert f"limit {4 * 1024**3}" in out
    assert f"home {private}" in out
    assert (tmp_path / "here.txt").read_text() == "x"
    assert not (ROOT / "escape.txt").exists()
    # the private folder goes with the kernel
    assert not Path(private).exists()


def test_tensorflow_trains_in_the_sandbox(tmp_path):
    code = textwrap.dedent(
        """
        import numpy as np, keras
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile("sgd", "mse")
        history = model.fit(np.ones((8, 2)), np.ones(8), epochs=2, verbose=0)
        print("trained", len(history.history["loss"]))
        """
    )
    out, _ = asyncio.run(_run_in_sandbox(code, tmp_path, timeout=180))
    assert "trained 2" in out, out


def test_memory_hog_gets_memory_error(tmp_path):
    out, _ = asyncio.run(_run_in_sandbox("import numpy as np\nx = np.ones(10**9)\n", tmp_path))
    assert "ERROR MemoryError" in out, out
