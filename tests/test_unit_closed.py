"""The unit's openings of issue 25 are closed: descriptors, nested namespaces, seccomp.

From inside a sandboxed kernel: the descriptors it holds are its own (listed
from ``/proc/self/fd``), and the kernel-attack syscalls fail with the errno
the filter gives them. Through ``autograder grade``: an attacker that writes
forged lines to every descriptor it can reach and tries the namespaces gets
what its code deserves, and the grader's output holds none of its text.
Without a layer (libseccomp, an architecture the filter knows, a bubblewrap
option), grading stops with the cause and the fix.
"""

import asyncio
import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap

import nbformat
import pytest

from autograder import cli, sandbox
from autograder import nbgrader_tools as tools

from .conftest import ROOT, release_nb
from .test_faults import _answer, _solved
from .test_sandbox import HAVE_BWRAP, _run

pytestmark = pytest.mark.skipif(
    not HAVE_BWRAP, reason=f"bubblewrap is missing: {sandbox.INSTALL_HINT}"
)

A = "1.1_RegresionLineal"
FORGED = "zz_victim: FAILED iap-forged-4c21"

# x86_64 syscall numbers, and the errno the unit's filter answers with
SYSCALLS = {
    "unshare(CLONE_NEWUSER)": ((272, 0x10000000), errno.EPERM),
    "unshare(CLONE_NEWNET)": ((272, 0x40000000), errno.EPERM),
    "unshare(CLONE_NEWNS)": ((272, 0x00020000), errno.EPERM),
    "setns": ((308, 0, 0), errno.EPERM),
    "io_uring_setup": ((425, 8, 0), errno.ENOSYS),
    "io_uring_enter": ((426, 0, 0, 0, 0, 0), errno.ENOSYS),
    "io_uring_register": ((427, 0, 0, 0, 0), errno.ENOSYS),
    "ptrace(PTRACE_TRACEME)": ((101, 0, 0, 0, 0), errno.EPERM),
    "ptrace(PTRACE_ATTACH, parent)": ((101, 16, "PPID", 0, 0), errno.EPERM),
    "bpf": ((321, 0, 0, 0), errno.EPERM),
    "keyctl": ((250, 0, 0, 0), errno.EPERM),
    "add_key": ((248, 0, 0, 0, 0, 0), errno.EPERM),
    "request_key": ((249, 0, 0, 0, 0), errno.EPERM),
    "perf_event_open": ((298, 0, 0, -1, -1, 0), errno.EPERM),
    "mount": ((165, 0, 0, 0, 0, 0), errno.EPERM),
    "umount2": ((166, 0, 0), errno.EPERM),
    "pivot_root": ((155, 0, 0), errno.EPERM),
    "fsopen": ((430, 0, 0), errno.ENOSYS),
    "open_tree": ((428, 0, 0, 0), errno.ENOSYS),
    "init_module": ((175, 0, 0, 0), errno.EPERM),
    "finit_module": ((313, -1, 0, 0), errno.EPERM),
    "delete_module": ((176, 0, 0), errno.EPERM),
    "kexec_load": ((246, 0, 0, 0, 0), errno.EPERM),
    "userfaultfd": ((323, 0), errno.EPERM),
    "clone3": ((435, 0, 0), errno.ENOSYS),
    "personality(ADDR_NO_RANDOMIZE)": ((135, 0x0040000), errno.EPERM),
}

PROBE = textwrap.dedent(
    """
    import ctypes, json, os, socket, subprocess, sys
    fds = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink("/proc/self/fd/" + name)
            flags = int(open("/proc/self/fdinfo/" + name).read().split("flags:")[1].split()[0], 8)
        except OSError:
            continue  # the listing's own descriptor, closed by now
        bound = None
        if target.startswith("socket:"):
            with socket.socket(fileno=os.dup(int(name))) as sock:
                bound = [sock.family.name, str(sock.getsockname())]
        fds[int(name)] = [target, flags & 3, bound]
    own_sockets = set()
    for table in ("unix", "tcp", "tcp6", "udp", "udp6", "netlink", "raw", "packet"):
        try:
            lines = open("/proc/net/" + table).read().splitlines()[1:]
        except OSError:
            continue
        column = 6 if table == "unix" else (-1 if table in ("netlink", "packet") else 9)
        own_sockets.update(line.split()[column] for line in lines if line.split())
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    calls = {}
    for what, args in json.loads(CALLS).items():
        args = [os.getppid() if a == "PPID" else a for a in args]
        ctypes.set_errno(0)
        result = libc.syscall(*[ctypes.c_long(a) for a in args])
        calls[what] = [result, ctypes.get_errno()]
    # clone with a namespace flag and an x32 syscall, in a throwaway process
    clone = subprocess.run([sys.executable, "-c",
        "import ctypes, os\\n"
        "libc = ctypes.CDLL(None, use_errno=True)\\n"
        "r = libc.syscall(56, ctypes.c_long(0x10000000 | 17), 0, 0, 0, 0)\\n"
        "os._exit(0) if r == 0 else print(r, ctypes.get_errno())"],
        capture_output=True, text=True)
    x32 = subprocess.run([sys.executable, "-c",
        "import ctypes; print(ctypes.CDLL(None).syscall(0x40000000 | 39))"],
        capture_output=True, text=True)
    try:
        userns_max = open("/proc/sys/user/max_user_namespaces").read().strip()
    except OSError as exc:
        userns_max = repr(exc)
    print("IAP-UNIT " + json.dumps({
        "fds": fds, "own_sockets": sorted(own_sockets), "calls": calls,
        "clone": clone.stdout.strip(), "x32": x32.returncode,
        "seccomp": open("/proc/self/status").read().split("Seccomp:")[1].split()[0],
        "userns_max": userns_max,
    }))
    """
)


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    calls = {what: args for what, (args, _) in SYSCALLS.items()}
    code = f"CALLS = {json.dumps(calls)!r}\n" + PROBE
    out, _ = asyncio.run(_run(code, tmp_path_factory.mktemp("unit"), timeout=180))
    line = next((x for x in out.splitlines() if x.startswith("IAP-UNIT ")), None)
    assert line, out
    return json.loads(line.removeprefix("IAP-UNIT "))


def test_kernel_holds_only_its_own_descriptors(probed):
    fds = {int(fd): tuple(v[:2]) for fd, v in probed["fds"].items()}
    bound = {int(fd): v[2] for fd, v in probed["fds"].items()}
    own_sockets = set(probed["own_sockets"])
    pipes: dict[str, set[int]] = {}
    for target, mode in fds.values():
        if target.startswith("pipe:"):
            pipes.setdefault(target, set()).add(mode)
    # 0 is /dev/null; 1 and 2 are /dev/null or ipykernel's capture pipes (both ends here)
    assert fds[0][0] == "/dev/null", fds
    for fd in (1, 2):
        assert fds[fd][0] == "/dev/null" or fds[fd][0].startswith("pipe:"), fds
    unexpected = []
    for fd, (target, _) in sorted(fds.items()):
        if target == "/dev/null":  # the standard streams the supervisor gave it
            continue
        if target in ("anon_inode:[eventfd]", "anon_inode:[eventpoll]"):  # ZeroMQ, asyncio
            continue
        if target.startswith("socket:[") and target[8:-1] in own_sockets:
            continue  # a socket of the unit's own network namespace (ZeroMQ, asyncio)
        if target.startswith("socket:[") and bound[fd][1].startswith(f"{sandbox.UNIT_DIR}/kernel-"):
            continue  # a connection the grader's client made to the kernel's own ipc socket
        if target.startswith("pipe:") and pipes[target] == {0, 1}:
            continue  # a pipe whose reading and writing ends are both the kernel's
        if target.startswith("/tmp/ipython/profile_default/history.sqlite"):
            continue  # its own files (IPython's history)
        unexpected.append((fd, target))
    assert unexpected == [], fds
    # the ZeroMQ sockets are there: the listing is a real kernel's
    assert sum(t.startswith("socket:[") for t, _ in fds.values()) >= 5, fds


def test_kernel_attack_syscalls_are_refused(probed):
    assert probed["seccomp"] == "2"  # a filter is in force
    got = {what: tuple(result) for what, result in probed["calls"].items()}
    assert got == {what: (-1, code) for what, (_, code) in SYSCALLS.items()}
    assert probed["clone"] == f"-1 {errno.EPERM}"
    assert probed["x32"] == -31  # another ABI's syscall kills the thread (SIGSYS)
    if os.geteuid() == 0:  # the namespace the grader prepared forbids nested ones itself
        assert probed["userns_max"] == "0"


def test_honest_numpy_matplotlib_tensorflow_run_in_the_unit(tmp_path):
    code = textwrap.dedent(
        """
        import numpy as np, matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import io
        import tensorflow as tf
        fig, ax = plt.subplots()
        ax.plot(np.arange(3))
        png = io.BytesIO()
        fig.savefig(png, format="png")
        print("png", png.getvalue()[:4] == b"\\x89PNG")
        print("total", float(tf.reduce_sum(tf.constant(np.arange(4.0)))), np.linalg.inv(np.eye(2))[0, 0])
        """
    )
    out, _ = asyncio.run(_run(code, tmp_path, timeout=240))
    assert "png True" in out and "total 6.0 1.0" in out, out


# --- fail closed ---------------------------------------------------------------


@pytest.fixture
def unchecked(monkeypatch):
    monkeypatch.setattr(sandbox, "_units_checked", set())


def test_missing_libseccomp_stops_grading(tmp_path, monkeypatch, capsys, unchecked):
    course = tmp_path / "course"
    for name in ("source", "release"):
        shutil.copytree(tools.course_root() / name / A, course / name / A)
    shutil.copy(tools.course_root() / "nbgrader_config.py", course / "nbgrader_config.py")
    nbformat.write(_solved(), _mkdir(course / "submitted" / "good" / A) / f"{A}.ipynb")
    monkeypatch.setattr(sandbox, "LIBSECCOMP", "libseccomp-missing.so.2")
    with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install -y libseccomp2"):
        sandbox.check_unit()
    status = cli.main(["--course", str(course), "grade", "--jobs", "1", A])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert status != 0
    assert "libseccomp" in text and sandbox.SECCOMP_HINT in text, text
    assert not (course / "autograded").exists()


def test_unknown_architecture_is_refused(monkeypatch, unchecked):
    import platform

    monkeypatch.setattr(platform, "machine", lambda: "riscv64")
    with pytest.raises(sandbox.SandboxUnavailable, match="x86_64 only.*'riscv64'"):
        sandbox.check_unit()


def test_bwrap_refusing_an_option_is_reported(tmp_path, monkeypatch, unchecked):
    fake = tmp_path / "bwrap"
    real = shutil.which("bwrap")
    fake.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do [ "$a" = --seccomp ] && '
        '{ echo "bwrap: Unknown option --seccomp" >&2; exit 1; }; done\n'
        f'exec {real} "$@"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv(sandbox.BWRAP_VARIABLE, str(fake))
    with pytest.raises(sandbox.SandboxUnavailable) as raised:
        sandbox.check_unit()
    message = str(raised.value)
    assert "Unknown option --seccomp" in message and sandbox.INSTALL_HINT in message, message
    assert not sandbox._units_checked


def _mkdir(path):
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- the attack, graded ----------------------------------------------------------

ATTACK = f"""
import ctypes, glob, os
_forged = "\\n{FORGED}\\n" * 3
_reached = []
for _path in sorted(glob.glob("/proc/[0-9]*/fd/*")) + sorted(glob.glob("/proc/self/fd/*")):
    try:
        _target = os.readlink(_path)
    except OSError:
        _target = "?"
    if _target.startswith(("socket:", "anon_inode:")):
        continue  # the kernel's own ZeroMQ plumbing
    try:
        _fd = os.open(_path, os.O_WRONLY)
    except OSError:
        continue
    try:
        os.write(_fd, _forged.encode())
        os.lseek(_fd, 0, os.SEEK_SET)
        os.write(_fd, _forged.encode())
        _reached.append((_path, _target))
    except OSError:
        pass
    finally:
        os.close(_fd)
for _fd in range(3):
    try:
        os.write(_fd, _forged.encode())
    except OSError:
        pass
print("descriptores alcanzados:", _reached)
_libc = ctypes.CDLL(None, use_errno=True)
for _name, _flag in (("user", 0x10000000), ("net", 0x40000000), ("mnt", 0x20000)):
    print("unshare", _name, _libc.unshare(_flag), ctypes.get_errno())
print("io_uring", _libc.syscall(425, 8, 0), ctypes.get_errno())
print("ptrace", _libc.syscall(101, 16, os.getppid(), 0, 0), ctypes.get_errno())
"""


def test_forging_attacker_graded_beside_honest_ones(tmp_path):
    course = tmp_path / "course"
    for name in ("source", "release"):
        shutil.copytree(tools.course_root() / name / A, course / name / A)
    config = (tools.course_root() / "nbgrader_config.py").read_text()
    (course / "nbgrader_config.py").write_text(config + "\nc.Execute.timeout = 60\n")
    submitted = course / "submitted"
    attacker = _solved({"standardize": ATTACK + "\n\n" + _answer("standardize")})
    for student, notebook in (
        ("good", _solved()),
        ("untouched", release_nb(A)),
        ("forger", attacker),
    ):
        nbformat.write(notebook, _mkdir(submitted / student / A) / f"{A}.ipynb")
    log_out, log_err = tmp_path / "grader.out", tmp_path / "grader.err"
    runner = "import sys; from autograder import cli; sys.exit(cli.main(sys.argv[1:]))"
    with open(log_out, "wb") as out, open(log_err, "wb") as err:
        out.write(b"grader log start\n")
        out.flush()
        done = subprocess.run(
            [sys.executable, "-c", runner, "--course", str(course), "grade", "--jobs", "2", A],
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            timeout=1800,
        )
    said = log_out.read_text(errors="replace") + log_err.read_text(errors="replace")
    assert done.returncode == 0, said
    assert "sandbox: on (inspected" in said, said
    assert FORGED not in said and "iap-forged" not in said, said
    assert log_out.read_bytes().startswith(b"grader log start\n")
    grades = {g.student: g.auto_score for g in tools.grades(course)}
    assert grades == {"good": 20.0, "untouched": 0.0, "forger": 20.0}
    graded = nbformat.read(course / "autograded" / "forger" / A / f"{A}.ipynb", 4)
    printed = str([c.get("outputs", []) for c in graded.cells])
    # it reached only its own descriptors: the pipes ipykernel reads back into the notebook
    reached = printed.split("descriptores alcanzados:")[1].split("\\n")[0]
    assert "/proc/1/" not in reached and "/dev/pts" not in reached, reached
    assert "grader" not in reached and ".err" not in reached, reached
    for name in ("user", "net", "mnt"):
        assert f"unshare {name} -1 {errno.EPERM}" in printed, printed
    assert f"io_uring -1 {errno.ENOSYS}" in printed and f"ptrace -1 {errno.EPERM}" in printed
