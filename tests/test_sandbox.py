"""The sealed execution unit of a submission's kernel, tested directly.

The attack batch (``tests/test_attacks.py``) tests it through
``autograder grade``. These tests need bubblewrap (``apt-get install -y
bubblewrap``; ``make test`` installs it); outside CI they are skipped
without it, in CI (``CI`` set) they fail.
"""

import asyncio
import os
import shutil
import socket
import textwrap
import threading
from pathlib import Path

import pytest

from autograder import sandbox
from autograder.kernels import SandboxKernelManager

from .conftest import ROOT

HAVE_BWRAP = shutil.which(os.environ.get(sandbox.BWRAP_VARIABLE) or "bwrap") is not None
if not HAVE_BWRAP and os.environ.get("CI"):
    raise RuntimeError(
        f"CI must run the isolation tests: install bubblewrap ({sandbox.INSTALL_HINT})"
    )
pytestmark = pytest.mark.skipif(
    not HAVE_BWRAP, reason=f"bubblewrap is missing: {sandbox.INSTALL_HINT}"
)

SECRET = "iap-secret-7f3a9c"

ATTEMPTS = f"""
import os, resource, signal, socket

def attempt(what, action):
    try:
        action()
        print("ALLOWED", what)
    except Exception as exc:
        print("denied", what, type(exc).__name__)

attempt("read source", lambda: open({str(ROOT / "source" / "1.1_RegresionLineal" / "1.1_RegresionLineal.ipynb")!r}).read())
attempt("list source", lambda: os.listdir({str(ROOT / "source")!r}))
print("course", sorted(os.listdir({str(ROOT)!r})))
attempt("read the config", lambda: open({str(ROOT / "nbgrader_config.py")!r}).read())
attempt("read the notebook beside it", lambda: open("hidden.ipynb").read())
attempt("read /etc/shadow", lambda: open("/etc/shadow").read())
attempt("write the course", lambda: open({str(ROOT / "escape.txt")!r}, "w").write("x"))
attempt("write the Python installation", lambda: open(os.__file__ + ".x", "w").write("x"))
attempt("write the unit folder", lambda: open({sandbox.UNIT_DIR!r} + "/x", "w").write("x"))
attempt("network", lambda: socket.create_connection(("1.1.1.1", 80), timeout=3))
attempt("loopback server of the host", lambda: socket.create_connection(("127.0.0.1", 22), timeout=3))
attempt("signal the supervisor", lambda: os.kill(os.getppid(), 0))
attempt("raise the memory limit", lambda: resource.setrlimit(resource.RLIMIT_AS, (-1, -1)))
attempt("write here", lambda: open("here.txt", "w").write("x"))
attempt("write /tmp", lambda: open("/tmp/t.txt", "w").write("x"))
attempt("write /dev/shm", lambda: open("/dev/shm/t", "w").write("x"))
attempt("load the data", lambda: __import__("autograder.datasets").datasets.load_boston())
print("limit", resource.getrlimit(resource.RLIMIT_AS)[0])
print("uid", os.getuid(), open("/proc/self/uid_map").read().split())
print("secret", os.environ.get("IAP_TEST_SECRET"))
print("env", sorted(os.environ))
"""

EXPECTED_DENIED = {
    "read source",
    "list source",
    "read the config",
    "read the notebook beside it",
    "read /etc/shadow",
    "write the course",
    "write the Python installation",
    "write the unit folder",
    "network",
    "loopback server of the host",
    "signal the supervisor",
    "raise the memory limit",
}
EXPECTED_ALLOWED = {"write here", "write /tmp", "write /dev/shm", "load the data"}


async def _run(code, cwd, timeout=120, manager=None, after=None):
    manager = manager or SandboxKernelManager(memory_limit=4 * 1024**3)
    await manager.start_kernel(cwd=str(cwd))
    private = manager._private
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        msg_id = client.execute(code)
        if after:
            await after(manager)
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
        await manager.shutdown_kernel()


def test_unit_denies_everything_but_its_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("IAP_TEST_SECRET", SECRET)
    (tmp_path / "hidden.ipynb").write_text("BEGIN HIDDEN TESTS")
    (tmp_path / "datos.txt").write_text("entrada")
    out, private = asyncio.run(_run(ATTEMPTS, tmp_path))
    verdicts = {}
    for line in out.splitlines():
        if line.startswith("ALLOWED "):
            verdicts[line.removeprefix("ALLOWED ")] = "allowed"
        elif line.startswith("denied "):  # "denied <what> <exception name>"
            verdicts[line.removeprefix("denied ").rsplit(" ", 1)[0]] = "denied"
    assert {w for w, v in verdicts.items() if v == "denied"} == EXPECTED_DENIED, out
    assert {w for w, v in verdicts.items() if v == "allowed"} == EXPECTED_ALLOWED, out
    assert f"limit {4 * 1024**3}" in out
    # of the course folder, only the package, the data and the Python installation are there
    assert "course ['.venv', 'autograder', 'data']" in out, out
    assert SECRET not in out and "secret None" in out
    uid_line = next(line for line in out.splitlines() if line.startswith("uid "))
    uid = int(uid_line.split()[1])
    assert uid != 0
    # the uid map says which host uid the kernel is: never root
    mapping = eval(uid_line.split(" ", 2)[2])  # noqa: S307 - our own printed list
    outside = dict(zip(mapping[::3], mapping[1::3], strict=False))[str(uid)]
    assert outside != "0"
    # what the kernel wrote in its folder comes back; the notebook was never inside
    assert (tmp_path / "here.txt").read_text() == "x"
    assert (tmp_path / "hidden.ipynb").read_text() == "BEGIN HIDDEN TESTS"
    assert not (ROOT / "escape.txt").exists()
    assert not Path("/tmp/t.txt").exists() or Path("/tmp/t.txt").read_text() != "x"
    assert not Path(private).exists()


def test_interrupt_reaches_the_kernel(tmp_path):
    async def interrupt(manager):
        await asyncio.sleep(3)
        await manager.interrupt_kernel()

    out, _ = asyncio.run(_run("while True:\n    pass\n", tmp_path, after=interrupt))
    assert "ERROR KeyboardInterrupt" in out, out


def _alive(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def test_processes_die_with_the_kernel_and_host_sockets_are_unreachable(tmp_path):
    marker = f"iap-daemon-{os.getpid()}"
    path = f"/tmp/iap-test-{os.getpid()}.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen()
    abstract = socket.socket(socket.AF_UNIX)
    abstract.bind(f"\0iap-test-{os.getpid()}")
    abstract.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    code = textwrap.dedent(
        f"""
        import os, socket, subprocess, sys, time
        subprocess.Popen([sys.executable, "-c", "import os, time; os.setsid(); time.sleep(600)",
                          {marker!r}], start_new_session=True)
        for address in ({path!r}, "\\0iap-test-{os.getpid()}"):
            try:
                socket.socket(socket.AF_UNIX).connect(address)
                print("CONNECTED", repr(address))
            except OSError as exc:
                print("refused", type(exc).__name__)
        time.sleep(1)
        print("shm", os.listdir("/dev/shm"))
        """
    )
    shm_before = set(os.listdir("/dev/shm"))
    try:
        out, _ = asyncio.run(_run(code, tmp_path))
    finally:
        server.close()
        abstract.close()
        os.unlink(path)
    assert "CONNECTED" not in out and out.count("refused") == 2, out
    assert "shm []" in out, out
    assert not accepted
    assert not _alive(marker), "a process of the unit outlived its kernel"
    assert not {n for n in set(os.listdir("/dev/shm")) - shm_before if n.startswith("iap")}


def test_disk_and_shm_are_capped(tmp_path):
    manager = SandboxKernelManager(tmpfs_limit=32 * 2**20, workdir_limit=32 * 2**20)
    code = textwrap.dedent(
        """
        for where in ("/dev/shm/big", "/tmp/big", "big.bin"):
            try:
                with open(where, "wb") as f:
                    for _ in range(64):
                        f.write(b"x" * 2**20)
                print("WROTE", where)
            except OSError as exc:
                print("full", where, exc.errno)
        """
    )
    out, _ = asyncio.run(_run(code, tmp_path, manager=manager))
    assert "WROTE" not in out and out.count("full") == 3, out
    big = tmp_path / "big.bin"  # what fitted in the 32 MiB folder comes back, no more
    assert not big.exists() or big.stat().st_size <= 32 * 2**20


def test_tensorflow_trains_in_the_unit(tmp_path):
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
    out, _ = asyncio.run(_run(code, tmp_path, timeout=180))
    assert "trained 2" in out, out


def test_memory_hog_gets_memory_error(tmp_path):
    out, _ = asyncio.run(_run("import numpy as np\nx = np.ones(10**9)\n", tmp_path))
    assert "ERROR MemoryError" in out, out


def test_copy_back_never_follows_links(tmp_path):
    source, destination, outside = tmp_path / "s", tmp_path / "d", tmp_path / "outside.txt"
    source.mkdir()
    destination.mkdir()
    outside.write_text("intact")
    (source / "a.txt").write_text("a")
    (source / "link").symlink_to(outside)
    (source / "n.ipynb").write_text("{}")
    os.mkfifo(source / "fifo")
    (destination / "a.txt").symlink_to(outside)  # a planted link in the destination
    report = sandbox.copy_tree_safely(source, destination)
    assert outside.read_text() == "intact"
    assert (destination / "a.txt").is_symlink()
    assert not (destination / "n.ipynb").exists() and not (destination / "fifo").exists()
    assert {s.split(" ")[0] for s in report.skipped} == {"fifo", "link"}
    removed = sandbox.remove_special_files(destination)
    assert removed == ["a.txt"] and outside.read_text() == "intact"
