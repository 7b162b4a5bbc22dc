"""Run each submission's kernel in a sandbox, with what Linux gives without root.

The autograder starts every kernel through
:class:`autograder.kernels.SandboxKernelManager`, which prefixes the
kernel's command with ``python -m autograder.sandbox``. That small launcher
(standard library only), before it turns into the kernel (``exec``):

1. sets resource limits: address space (memory), CPU seconds, file size,
   no core dumps;
2. enters a new user namespace and a new network namespace, so the kernel
   has no network at all and cannot raise its limits again (even when the
   grader runs as root); the kernel talks to the grader through Unix sockets
   (ZeroMQ's ``ipc`` transport), which a network namespace does not cut;
3. applies a Landlock ruleset: the kernel may read the Python installation,
   the system folders, this package and the course data, and may write only
   in the folder of the notebook it grades and in a private temporary
   folder. ``source/``, the gradebook, ``submitted/`` and the other
   students' folders are out of its reach, and it cannot signal or trace
   processes outside the sandbox;
4. points ``HOME``, ``TMPDIR`` and the caches of Matplotlib, IPython and
   Keras to the private folder, which is deleted with the kernel.

Each layer is applied when the operating system offers it and reported by
:func:`capabilities`. ``autograder grade`` prints what is missing, so an
instructor knows how isolated a run really was.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import site
import subprocess
import sys
import sysconfig
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

# --- Landlock (Linux >= 5.13), through its three system calls ---------------

_SYS_CREATE_RULESET = 444
_SYS_ADD_RULE = 445
_SYS_RESTRICT_SELF = 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

_FS_EXECUTE = 1 << 0
_FS_WRITE_FILE = 1 << 1
_FS_READ_FILE = 1 << 2
_FS_READ_DIR = 1 << 3
_FS_TRUNCATE = 1 << 14
_FS_IOCTL_DEV = 1 << 15
_NET_CONNECT_TCP = 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
_SCOPE_SIGNAL = 1 << 1

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def landlock_abi() -> int:
    """Return the Landlock ABI version of the running kernel (0 when there is none)."""
    if not sys.platform.startswith("linux"):
        return 0
    version = _libc().syscall(
        _SYS_CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION
    )
    return max(int(version), 0)


def _fs_rights(abi: int) -> int:
    """All filesystem rights the kernel's ABI knows (bits 0-12, then one per ABI)."""
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= 1 << 13  # REFER
    if abi >= 3:
        rights |= _FS_TRUNCATE
    if abi >= 5:
        rights |= _FS_IOCTL_DEV
    return rights


def _file_rights(abi: int) -> int:
    """Return the rights that may be granted on a single file (not a folder)."""
    rights = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE
    if abi >= 3:
        rights |= _FS_TRUNCATE
    if abi >= 5:
        rights |= _FS_IOCTL_DEV
    return rights


def apply_landlock(read: list[Path], write: list[Path], block_connect: bool = True) -> int:
    """Restrict this process and its children to reading ``read`` and writing ``write``.

    Also forbids outgoing TCP connections when ``block_connect`` (ABI >= 4;
    the kernel only binds its own sockets), and signals or abstract sockets
    to processes outside the sandbox (ABI >= 6). Returns the ABI applied;
    raises ``OSError`` when Landlock is there but refuses the ruleset.
    """
    abi = landlock_abi()
    if abi < 1:
        return 0
    libc = _libc()
    everything = _fs_rights(abi)
    attr = _RulesetAttr(everything, 0, 0)
    size = 16 if abi >= 4 else 8
    if abi >= 4 and block_connect:
        attr.handled_access_net = _NET_CONNECT_TCP
    if abi >= 6:
        attr.scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL
        size = 24
    ruleset = libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")
    read_only = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
    try:
        for paths, rights in ((read, read_only), (write, everything)):
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue  # a folder this system does not have
                allowed = rights if os.path.isdir(path) else rights & _file_rights(abi)
                rule = _PathBeneathAttr(allowed, fd)
                status = libc.syscall(
                    _SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0
                )
                os.close(fd)
                if status < 0:
                    raise OSError(ctypes.get_errno(), f"landlock_add_rule {path}")
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0:
            raise OSError(ctypes.get_errno(), "prctl(NO_NEW_PRIVS)")
        if libc.syscall(_SYS_RESTRICT_SELF, ruleset, 0) < 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return abi


def enter_namespaces() -> bool:
    """Move this process into new user and network namespaces; return whether it worked.

    The user namespace maps our own user to itself, so file ownership is
    unchanged, but the process loses every capability outside it (it can no
    longer raise its resource limits, for instance). The new network
    namespace has no interface but a loopback that is down: no network.
    """
    if not sys.platform.startswith("linux"):
        return False
    uid, gid = os.geteuid(), os.getegid()
    if _libc().unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return False
    try:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    except OSError:
        pass  # unmapped ids still isolate; files then look as owned by "nobody"
    _loopback_up()
    return True


def _loopback_up() -> None:
    """Bring up the new namespace's loopback: libraries may talk to themselves over 127.0.0.1."""
    import fcntl
    import socket
    import struct

    get_flags, set_flags, up = 0x8913, 0x8914, 0x1
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            request = struct.pack("16sH22x", b"lo", 0)
            flags = struct.unpack("16sH22x", fcntl.ioctl(sock, get_flags, request))[1]
            fcntl.ioctl(sock, set_flags, struct.pack("16sH22x", b"lo", flags | up))
    except OSError:
        pass  # without loopback only local TCP is missing, which the kernel does not need


def read_paths() -> list[Path]:
    """Return what a kernel may read: system folders, the Python installation, this package, the data."""
    data = os.environ.get("IAP_DATA_DIR") or PACKAGE_DIR.parent / "data"  # as autograder.datasets

    paths = [Path(p) for p in ("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc")]
    paths += [Path(p) for p in ("/proc", "/sys", "/opt", "/run")]
    python = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    python |= set(site.getsitepackages()) | {site.getusersitepackages()}
    python |= {p for p in sysconfig.get_paths().values()}
    paths += [Path(p) for p in sorted(python)]
    paths += [PACKAGE_DIR, Path(data).expanduser().resolve()]
    return paths


def set_limits(memory: int, cpu: int, file_size: int) -> None:
    """Set hard and soft limits: address space and file size in bytes, CPU in seconds (0: none)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for limit, value in (
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, file_size),
    ):
        if value > 0:
            resource.setrlimit(limit, (value, value))


def private_environment(tmp: Path) -> dict[str, str]:
    """Return the environment of a sandboxed kernel: every cache and home folder inside ``tmp``."""
    env = dict(os.environ)
    for name, sub in (
        ("HOME", "home"),
        ("TMPDIR", "tmp"),
        ("MPLCONFIGDIR", "matplotlib"),
        ("IPYTHONDIR", "ipython"),
        ("KERAS_HOME", "keras"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
    ):
        folder = tmp / sub
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    env["AUTOGRADER_SANDBOX"] = "1"
    return env


def launch(argv: list[str]) -> None:
    """Entry point of the launcher: ``--write DIR --tmp DIR --memory B --cpu S --fsize B -- CMD...``."""
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1 :]
    settings = dict(zip(options[::2], options[1::2], strict=True))
    write = Path(settings["--write"]).resolve()
    tmp = Path(settings["--tmp"]).resolve()
    env = private_environment(tmp)
    set_limits(int(settings["--memory"]), int(settings["--cpu"]), int(settings["--fsize"]))
    isolated = enter_namespaces()
    # Inside a network namespace there is no network to block; outside it,
    # Landlock forbids outgoing TCP (the kernel's own sockets only bind).
    apply_landlock(read=read_paths(), write=[write, tmp, Path("/dev")], block_connect=not isolated)
    os.chdir(write)
    os.execvpe(command[0], command, env)


#: Environment variable that hands the probe's result to child processes (grading workers).
CAPABILITIES_VARIABLE = "AUTOGRADER_SANDBOX_CAPABILITIES"


@cache
def capabilities() -> dict[str, object]:
    """Probe, in a child process, which isolation layers this machine grants.

    Returns a dict with ``landlock`` (ABI version, 0 if none) and
    ``namespaces`` (bool: user + network namespaces). The result is also
    put in the environment, so processes started from this one (the
    grading workers) do not probe again.
    """
    known = os.environ.get(CAPABILITIES_VARIABLE)
    if known:
        try:
            return json.loads(known)
        except ValueError:
            pass
    code = (
        "import json; from autograder import sandbox as s;"
        "print(json.dumps({'landlock': s.landlock_abi(), 'namespaces': s.enter_namespaces()}))"
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
        )
        found = json.loads(out.stdout)
    except (subprocess.SubprocessError, ValueError):
        found = {"landlock": 0, "namespaces": False}
    os.environ[CAPABILITIES_VARIABLE] = json.dumps(found)
    return found


def missing_layers() -> list[str]:
    """Spanish-free, instructor-facing list of isolation layers this machine lacks."""
    caps = capabilities()
    missing = []
    if not caps["namespaces"]:
        missing.append("network/user namespaces (kernels can reach the network)")
    if caps["landlock"] < 1:
        missing.append("Landlock (kernels can read the whole disk)")
    return missing


if __name__ == "__main__":
    launch(sys.argv[1:])
