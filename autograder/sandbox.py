"""The sealed execution unit of a submission's kernel, built on bubblewrap.

:class:`autograder.kernels.SandboxKernelManager` starts every graded kernel
as a *unit*: ``bwrap`` (the Debian package ``bubblewrap``, the unprivileged
sandbox Flatpak uses) around a small supervisor, ``python -m
autograder.sandbox``, which turns into nothing but the kernel's parent.

bubblewrap gives the unit:

- its own user, PID, IPC, network, UTS, mount (and cgroup) namespaces, a
  fresh ``/proc``, a minimal ``/dev``, no host Unix socket and no network;
- a root filesystem holding only read-only binds of the system folders
  (``/usr`` and the ``/lib*``, ``/bin`` links), a few files of ``/etc``
  (a generated ``passwd`` and ``group``, never ``shadow``), the Python
  installation, this package and the course data, plus private, size-capped
  tmpfs for ``/tmp``, ``/dev/shm`` and the working folder :data:`WORKDIR`;
- an allow-listed environment (:func:`unit_environment`);
- ``--die-with-parent``: when the grader goes, the unit goes;
- no nested user namespaces (``--disable-userns``; when the grader is root,
  bubblewrap refuses that flag beside ``--userns``, so the namespace the grader
  prepares has ``user.max_user_namespaces`` set to 0, the same mechanism);
- a seccomp filter (``--seccomp FD``, :func:`seccomp_program`) over the whole
  unit, supervisor included.

The seccomp filter is built with libseccomp (``libseccomp.so.2``, the library
systemd, Flatpak, Docker and bubblewrap's own tests use), called through
``ctypes``: the system library is packaged and maintained by every
distribution, resolves syscall names per architecture and emits the
architecture and x32 checks itself, while the Python bindings are not a
maintained PyPI package. As Flatpak does, the filter is exported as a BPF
program and handed to bubblewrap, which loads it (after ``no_new_privs``)
just before it runs the supervisor, so nothing of the unit runs unfiltered.
The filter allows everything except the kernel-attack surface a notebook
never needs (:data:`SECCOMP_DENIED`): io_uring, ``unshare``, ``setns``,
``clone`` with namespace flags (``clone3``, whose flags a filter cannot read,
fails with ``ENOSYS`` so the C library falls back to ``clone``), ``ptrace``,
``bpf``, the key syscalls, ``perf_event_open``, kernel modules, mounts,
``kexec``, ``userfaultfd`` and ``personality`` with a risky flag. It knows
x86_64 only: on any other architecture the unit refuses to start.

The unit inherits no descriptor of the grader: bubblewrap's standard input
and output are ``/dev/null``, its standard error an unnamed file the grader
reads (capped) when the kernel stops, and the supervisor gives the kernel
``/dev/null`` as 0, 1 and 2 and closes every other descriptor before it
starts it.

Every layer fails closed (:func:`check_unit`): when bubblewrap, libseccomp or
one of bubblewrap's options is missing, :class:`SandboxUnavailable` stops
grading with the cause and the fix.

When the grader runs as root, the unit runs as an unprivileged uid of its
own (:func:`unit_uid`): the grader prepares a user namespace that maps that
uid to itself, bubblewrap builds the mounts in it, and the supervisor drops
to the uid before anything else runs. ``os.getuid()`` is then that uid both
inside and outside the unit.

The supervisor, inside the unit:

1. copies the submission's files (a copy made by the grader, without any
   notebook: the notebook there has the hidden tests) into :data:`WORKDIR`;
2. starts the kernel with resource limits (address space, CPU seconds, file
   size, no core dumps, processes) and a Landlock ruleset that lets it write
   only :data:`WORKDIR`, ``/tmp`` and ``/dev/shm`` (so the folder of the
   connection file, bound in for ZeroMQ's ``ipc`` sockets, accepts sockets
   and nothing else; the supervisor itself stays outside the ruleset, so the
   kernel cannot trace it);
3. when the kernel exits, kills every other process of the unit, and copies
   back only regular files, under caps on count and bytes, into an outbox
   the grader reads with no-follow semantics (:func:`copy_tree_safely`).

When the supervisor exits, bubblewrap's init and with it the PID namespace
end: nothing the submission started survives its kernel.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

#: The kernel's working folder inside the unit (a private tmpfs).
WORKDIR = "/entrega"
#: Where the unit's private folder (connection file, ZeroMQ sockets, inbox, outbox) is
#: mounted inside it: outside ``/tmp``, where the kernel may write anything.
UNIT_DIR = "/unidad"
#: Variable that makes ``SandboxKernelManager`` start kernels without the unit
#: (set by ``autograder grade --unsandboxed``, never by default).
UNSANDBOXED_VARIABLE = "AUTOGRADER_UNSANDBOXED"
#: Variable naming the bubblewrap program (default: ``bwrap`` on ``PATH``).
BWRAP_VARIABLE = "AUTOGRADER_BWRAP"
#: The command that installs the missing layer on Debian and Ubuntu.
INSTALL_HINT = "apt-get install -y bubblewrap"

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
_FS_MAKE_SOCK = 1 << 9
_FS_TRUNCATE = 1 << 14
_FS_IOCTL_DEV = 1 << 15
_SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
_SCOPE_SIGNAL = 1 << 1

_CLONE_NEWUSER = 0x10000000


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


def apply_landlock(write: list[str], sockets: list[str]) -> int:
    """Restrict this process and its children: write only ``write``, make sockets only in ``sockets``.

    Everything visible may still be read and executed (the unit's mounts
    already decide what is visible). With ABI >= 6 the process also cannot
    signal processes or reach abstract sockets outside its ruleset (the
    supervisor). Landlock also forbids tracing a less restricted process.

    Parameters
    ----------
    write : list of str
        Folders (and device files) the process may write.
    sockets : list of str
        Folders where it may only create Unix sockets (ZeroMQ ``ipc``).

    Returns
    -------
    int
        The Landlock ABI applied, 0 when the kernel has no Landlock.
    """
    abi = landlock_abi()
    if abi < 1:
        return 0
    libc = _libc()
    everything = _fs_rights(abi)
    attr = _RulesetAttr(everything, 0, 0)
    size = 8
    if abi >= 6:
        attr.scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL
        size = 24
    ruleset = libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")
    read_only = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
    file_rights = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE
    if abi >= 3:
        file_rights |= _FS_TRUNCATE
    if abi >= 5:
        file_rights |= _FS_IOCTL_DEV
    rules = [("/", read_only)]
    rules += [(path, everything) for path in write]
    rules += [(path, read_only | _FS_MAKE_SOCK) for path in sockets]
    try:
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            allowed = rights if os.path.isdir(path) else rights & file_rights
            rule = _PathBeneathAttr(allowed, fd)
            status = libc.syscall(_SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0)
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


# --- no-follow file handling (grader side and supervisor side) ---------------


@dataclass
class CopyReport:
    """What :func:`copy_tree_safely` copied and what it left out (and why)."""

    files: int = 0
    bytes: int = 0
    folders: int = 0
    skipped: list[str] = field(default_factory=list)


def _open_dir(name: str, parent: int | None) -> int:
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    return os.open(name, flags, dir_fd=parent)


def copy_tree_safely(
    source: str | os.PathLike,
    destination: str | os.PathLike,
    max_files: int = 1000,
    max_bytes: int = 64 * 2**20,
    skip_suffixes: tuple[str, ...] = (".ipynb",),
    owner: int | None = None,
) -> CopyReport:
    """Copy the regular files of ``source`` into ``destination``, never following a link.

    Symbolic links, FIFOs, sockets and devices are skipped, and so is every
    file whose name ends with one of ``skip_suffixes`` (notebooks); every
    path component is opened relative to its parent's descriptor with
    ``O_NOFOLLOW``, on both sides, so no link planted in either tree leads
    the copy elsewhere. A destination entry that is not a regular file (or
    a folder, for folders) is left alone and reported. The copy stops at
    ``max_files`` files or ``max_bytes`` bytes.

    Parameters
    ----------
    source, destination : path-like
        Existing folders.
    max_files, max_bytes : int
        Caps on what is copied.
    skip_suffixes : tuple of str
        File name endings never copied.
    owner : int, optional
        Give the copies (and folders created) to this uid and gid.

    Returns
    -------
    CopyReport
        Counts and the relative paths left out, with the reason.
    """
    report = CopyReport()
    src = _open_dir(os.fspath(source), None)
    dst = _open_dir(os.fspath(destination), None)
    try:
        _copy_level(src, dst, "", report, max_files, max_bytes, skip_suffixes, owner)
    finally:
        os.close(src)
        os.close(dst)
    return report


#: Deepest folder a copy enters, and most folders it creates: a submission of a million
#: nested or empty folders is cut, with a note, instead of exhausting the grader.
MAX_COPY_DEPTH = 32
MAX_COPY_FOLDERS = 1000


def _copy_level(src, dst, prefix, report, max_files, max_bytes, skip, owner, depth=0):
    for entry in sorted(os.scandir(src), key=lambda e: e.name):
        name, relative = entry.name, prefix + entry.name
        info = os.stat(name, dir_fd=src, follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode):
            report.folders += 1
            if depth >= MAX_COPY_DEPTH or report.folders > MAX_COPY_FOLDERS:
                report.skipped.append(f"{relative}/ (demasiadas carpetas o demasiado profundas)")
                continue
            try:
                os.mkdir(name, 0o755, dir_fd=dst)
                if owner is not None:
                    os.chown(name, owner, owner, dir_fd=dst, follow_symlinks=False)
            except FileExistsError:
                pass
            try:
                child_src, child_dst = _open_dir(name, src), _open_dir(name, dst)
            except OSError:
                report.skipped.append(f"{relative}/ (no es una carpeta normal)")
                continue
            try:
                _copy_level(
                    child_src,
                    child_dst,
                    relative + "/",
                    report,
                    max_files,
                    max_bytes,
                    skip,
                    owner,
                    depth + 1,
                )
            finally:
                os.close(child_src)
                os.close(child_dst)
            continue
        if not stat.S_ISREG(info.st_mode):
            report.skipped.append(f"{relative} (no es un archivo normal)")
            continue
        if name.endswith(skip):
            continue
        if report.files >= max_files or report.bytes + info.st_size > max_bytes:
            report.skipped.append(f"{relative} (se superó el límite de archivos o de tamaño)")
            continue
        _copy_file(name, src, dst, info.st_size, owner)
        report.files += 1
        report.bytes += info.st_size


def _copy_file(name: str, src: int, dst: int, size: int, owner: int | None) -> None:
    nofollow = os.O_NOFOLLOW | os.O_CLOEXEC
    fin = os.open(name, os.O_RDONLY | nofollow | os.O_NONBLOCK, dir_fd=src)
    try:
        if not stat.S_ISREG(os.fstat(fin).st_mode):
            return
        try:
            fout = os.open(
                name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | nofollow, 0o644, dir_fd=dst
            )
        except OSError as exc:  # a link or a special file in the destination: leave it
            if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
                return
            raise
        try:
            if not stat.S_ISREG(os.fstat(fout).st_mode):
                return
            left = size
            while left > 0:
                chunk = os.read(fin, min(left, 2**20))
                if not chunk:
                    break
                os.write(fout, chunk)
                left -= len(chunk)
            if owner is not None:
                os.fchown(fout, owner, owner)
        finally:
            os.close(fout)
    finally:
        os.close(fin)


def remove_special_files(folder: str | os.PathLike) -> list[str]:
    """Delete every entry of ``folder`` (recursively) that is not a regular file or a folder.

    Symbolic links are removed themselves, never what they point to. Returns
    the relative paths removed; a missing folder gives an empty list.

    Parameters
    ----------
    folder : path-like
        A submission's folder in ``submitted/``, ``autograded/`` or ``feedback/``.
    """
    try:
        top = _open_dir(os.fspath(folder), None)
    except FileNotFoundError:
        return []
    except OSError:  # the folder itself is a link or special: remove it
        os.unlink(folder)
        return [os.fspath(folder)]
    removed: list[str] = []
    try:
        _remove_level(top, "", removed)
    finally:
        os.close(top)
    return removed


def _remove_level(fd: int, prefix: str, removed: list[str]) -> None:
    for entry in list(os.scandir(fd)):
        info = os.stat(entry.name, dir_fd=fd, follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode):
            child = _open_dir(entry.name, fd)
            try:
                _remove_level(child, prefix + entry.name + "/", removed)
            finally:
                os.close(child)
        elif not stat.S_ISREG(info.st_mode):
            os.unlink(entry.name, dir_fd=fd)
            removed.append(prefix + entry.name)


# --- the unit ---------------------------------------------------------------


class SandboxUnavailable(RuntimeError):
    """The unit cannot be built on this machine; the message says why and how to fix it."""


def find_bwrap() -> str:
    """Return the path of the bubblewrap program, or raise :class:`SandboxUnavailable`.

    ``AUTOGRADER_BWRAP`` overrides the program (a path or a name looked up
    on ``PATH``).
    """
    wanted = os.environ.get(BWRAP_VARIABLE) or "bwrap"
    found = shutil.which(wanted)
    if not found:
        raise SandboxUnavailable(
            f"bubblewrap ({wanted!r}) was not found, so submissions cannot be isolated. "
            f"Install it with `{INSTALL_HINT}` (Debian/Ubuntu; `dnf install bubblewrap` on Fedora), "
            "or pass --unsandboxed to grade without isolation (unsafe)."
        )
    return found


# --- the seccomp filter (libseccomp through ctypes) ---------------------------

#: The command that installs libseccomp on Debian and Ubuntu.
SECCOMP_HINT = "apt-get install -y libseccomp2"
#: The only architecture the filter knows (``platform.machine()``).
SECCOMP_ARCHITECTURES = ("x86_64",)

#: The shared library loaded (the soname of libseccomp 2.x).
LIBSECCOMP = "libseccomp.so.2"
_SCMP_ACT_ALLOW = 0x7FFF0000
_SCMP_CMP_MASKED_EQ = 7

#: Syscalls the unit refuses outright, with the errno they fail with: the kernel-exploit
#: surface (namespaces, io_uring, eBPF, keyrings, perf, modules, mounts, kexec,
#: userfaultfd) and tracing. Syscalls newer than some C libraries fail with ENOSYS, so a
#: caller falls back as it would on an older kernel.
SECCOMP_DENIED: dict[str, int] = {
    **dict.fromkeys(
        (
            "unshare",
            "setns",
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "bpf",
            "keyctl",
            "add_key",
            "request_key",
            "perf_event_open",
            "init_module",
            "finit_module",
            "delete_module",
            "mount",
            "umount2",
            "pivot_root",
            "chroot",
            "kexec_load",
            "kexec_file_load",
            "userfaultfd",
            "acct",
            "swapon",
            "swapoff",
            "reboot",
            "syslog",
            "quotactl",
            "open_by_handle_at",
            "uselib",
            "iopl",
            "ioperm",
        ),
        errno.EPERM,
    ),
    **dict.fromkeys(
        (
            "clone3",
            "io_uring_setup",
            "io_uring_enter",
            "io_uring_register",
            "move_mount",
            "open_tree",
            "fsopen",
            "fsmount",
            "fsconfig",
            "fspick",
            "mount_setattr",
        ),
        errno.ENOSYS,
    ),
}
#: ``clone`` fails with EPERM when its flags (argument 0 on x86_64) ask for any of these.
CLONE_NAMESPACE_FLAGS = (
    0x00000080,  # CLONE_NEWTIME
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
)
#: ``personality`` fails with EPERM with any of these (the ones that weaken ASLR or NX).
PERSONALITY_FLAGS = (
    0x0040000,  # ADDR_NO_RANDOMIZE
    0x0100000,  # MMAP_PAGE_ZERO
    0x0200000,  # ADDR_COMPAT_LAYOUT
    0x0400000,  # READ_IMPLIES_EXEC
    0x0800000,  # ADDR_LIMIT_32BIT
    0x8000000,  # ADDR_LIMIT_3GB
)
#: ``ioctl`` requests refused (pushing input into a terminal).
IOCTL_DENIED = (0x5412, 0x541C)  # TIOCSTI, TIOCLINUX


class _ArgCmp(ctypes.Structure):
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def _libseccomp() -> ctypes.CDLL:
    """Load the system's libseccomp, or raise :class:`SandboxUnavailable` with the fix."""
    try:
        lib = ctypes.CDLL(LIBSECCOMP, use_errno=True)
    except OSError as exc:
        raise SandboxUnavailable(
            f"libseccomp could not be loaded ({exc}), so the unit's seccomp filter cannot be "
            f"built. Install it with `{SECCOMP_HINT}` (Fedora: `dnf install libseccomp`)."
        ) from exc
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    return lib


def _errno_action(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


def _masked_rules(flags: tuple[int, ...]) -> list[_ArgCmp]:
    return [_ArgCmp(0, _SCMP_CMP_MASKED_EQ, flag, flag) for flag in flags]


def seccomp_program() -> bytes:
    """Build the unit's seccomp filter and return it as a classic BPF program.

    Everything is allowed but :data:`SECCOMP_DENIED` (each with its errno),
    ``clone`` with one of :data:`CLONE_NAMESPACE_FLAGS`, ``personality`` with
    one of :data:`PERSONALITY_FLAGS` and ``ioctl`` with :data:`IOCTL_DENIED`.
    A syscall of another ABI (i386, x32) kills the thread (libseccomp's check).

    Returns
    -------
    bytes
        The program, in the format ``bwrap --seccomp FD`` reads.

    Raises
    ------
    SandboxUnavailable
        On an architecture the filter does not know, without libseccomp, or
        when libseccomp refuses a rule.
    """
    import platform

    machine = platform.machine()
    if machine not in SECCOMP_ARCHITECTURES:
        raise SandboxUnavailable(
            f"the unit's seccomp filter knows {', '.join(SECCOMP_ARCHITECTURES)} only, and this "
            f"machine is {machine!r}: grade on an x86_64 machine (or worker)."
        )
    lib = _libseccomp()
    ctx = lib.seccomp_init(_SCMP_ACT_ALLOW)
    if not ctx:
        raise SandboxUnavailable("libseccomp could not create a filter (seccomp_init failed).")
    try:
        rules: list[tuple[str, int, list[_ArgCmp]]] = [
            (name, code, []) for name, code in SECCOMP_DENIED.items()
        ]
        for one in _masked_rules(CLONE_NAMESPACE_FLAGS):
            rules.append(("clone", errno.EPERM, [one]))
        for one in _masked_rules(PERSONALITY_FLAGS):
            rules.append(("personality", errno.EPERM, [one]))
        for request in IOCTL_DENIED:
            rules.append(
                ("ioctl", errno.EPERM, [_ArgCmp(1, _SCMP_CMP_MASKED_EQ, 0xFFFFFFFF, request)])
            )
        for name, code, comparisons in rules:
            number = lib.seccomp_syscall_resolve_name(name.encode())
            if number < 0:
                raise SandboxUnavailable(
                    f"libseccomp does not know the syscall {name!r}; update it "
                    f"(`apt-get install -y --only-upgrade libseccomp2`)."
                )
            array = (_ArgCmp * len(comparisons))(*comparisons) if comparisons else None
            status = lib.seccomp_rule_add_array(
                ctx, _errno_action(code), number, len(comparisons), array
            )
            if status < 0:
                raise SandboxUnavailable(
                    f"libseccomp refused the rule for {name!r} ({os.strerror(-status)}); "
                    f"update it (`apt-get install -y --only-upgrade libseccomp2`)."
                )
        fd = os.memfd_create("iap-seccomp", os.MFD_CLOEXEC)
        try:
            status = lib.seccomp_export_bpf(ctx, fd)
            if status < 0:
                raise SandboxUnavailable(
                    f"libseccomp could not export the filter ({os.strerror(-status)})."
                )
            os.lseek(fd, 0, os.SEEK_SET)
            program = b""
            while chunk := os.read(fd, 65536):
                program += chunk
        finally:
            os.close(fd)
    finally:
        lib.seccomp_release(ctx)
    if not program or len(program) % 8:
        raise SandboxUnavailable("libseccomp exported an empty or malformed filter.")
    return program


def _seccomp_fd(program: bytes) -> int:
    """Return a readable, inheritable descriptor holding ``program`` (for ``bwrap --seccomp``)."""
    fd = os.memfd_create("iap-seccomp", 0)
    os.write(fd, program)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def unit_uid() -> int | None:
    """Return the uid a unit runs as when the grader is root (fresh per unit), else None.

    A uid per unit keeps ``RLIMIT_NPROC`` (counted per uid) from letting one
    submission starve another's threads.
    """
    if os.geteuid() != 0:
        return None
    return 200_000 + int.from_bytes(os.urandom(3), "little") % 800_000


def data_dir() -> Path:
    """Return the course data folder, as :mod:`autograder.datasets` finds it."""
    data = os.environ.get("IAP_DATA_DIR") or PACKAGE_DIR.parent / "data"
    return Path(data).expanduser().resolve()


def unit_environment(private: str) -> dict[str, str]:
    """Return the whole environment of a unit (nothing else of the grader's passes).

    Parameters
    ----------
    private : str
        The unit's private folder (kept for symmetry; caches live in ``/tmp``).
    """
    from .nbgrader_tools import THREAD_VARIABLES

    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp/home",
        "TMPDIR": "/tmp",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "IPYTHONDIR": "/tmp/ipython",
        "KERAS_HOME": "/tmp/keras",
        "XDG_CACHE_HOME": "/tmp/cache",
        "XDG_CONFIG_HOME": "/tmp/config",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "IAP_DATA_DIR": str(data_dir()),
        "AUTOGRADER_SANDBOX": "1",
    }
    passed = ("NBGRADER_EXECUTION", "TF_CPP_MIN_LOG_LEVEL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    passed += ("AUTOGRADER_HIDDEN_SEED",)  # set by the executor only when tests run in the kernel
    for name in (*THREAD_VARIABLES, *passed):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


@dataclass
class Limits:
    """Resource caps of a unit (bytes, seconds, counts; 0 means none)."""

    memory: int = 8 * 2**30
    cpu: int = 3600
    file_size: int = 256 * 2**20
    processes: int = 512
    tmpfs: int = 512 * 2**20
    workdir: int = 512 * 2**20
    max_files: int = 1000
    max_bytes: int = 64 * 2**20


def _user_namespace(uid: int) -> int:
    """Create a user namespace mapping root and ``uid`` to themselves; return an fd to it.

    Its ``user.max_user_namespaces`` is 0: nothing inside can create a nested
    user namespace (what ``bwrap --disable-userns`` does, which bubblewrap
    refuses beside ``--userns``).

    Only root can map a uid other than its own. The unit enters it with
    ``bwrap --userns``; root (kept for bwrap to mount) never runs student code:
    the supervisor drops to ``uid`` first.
    """
    code = (
        "import ctypes,sys;r=ctypes.CDLL(None,use_errno=True).unshare(0x10000000);"
        "print(r,flush=True);sys.stdin.readline()\n"
        "try:\n open('/proc/sys/user/max_user_namespaces','w').write('0');print('closed',flush=True)\n"
        "except OSError as e:\n print(e,flush=True)\n"
        "sys.stdin.read()"
    )
    helper = subprocess.Popen(
        [sys.executable, "-S", "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={},
    )
    try:
        if helper.stdout.readline().strip() != "0":
            raise SandboxUnavailable(
                "this machine refuses new user namespaces (check sysctl user.max_user_namespaces "
                "and kernel.unprivileged_userns_clone)"
            )
        Path(f"/proc/{helper.pid}/uid_map").write_text(f"0 0 1\n{uid} {uid} 1\n")
        Path(f"/proc/{helper.pid}/gid_map").write_text(f"0 0 1\n{uid} {uid} 1\n")
        # bubblewrap refuses --disable-userns beside --userns: do what it does, here
        helper.stdin.write("go\n")
        helper.stdin.flush()
        answer = helper.stdout.readline().strip()
        if answer != "closed":
            raise SandboxUnavailable(
                "could not forbid nested user namespaces in the unit's namespace "
                f"(writing user.max_user_namespaces failed: {answer or 'no answer'}); "
                "the kernel must let a namespace's root set it (Linux >= 4.9)."
            )
        return os.open(f"/proc/{helper.pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        helper.stdin.close()
        helper.wait()


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for item in (
        "/etc/ld.so.cache",
        "/etc/ld.so.conf",
        "/etc/ld.so.conf.d",
        "/etc/localtime",
        "/etc/alternatives",
        "/etc/nsswitch.conf",
        "/etc/fonts",
        "/sys/devices/system/cpu",
    ):
        args += ["--ro-bind-try", item, item]
    return args


@dataclass
class Unit:
    """How to start one unit: the command, the fds it inherits, the host folders it uses."""

    argv: list[str]
    pass_fds: tuple[int, ...]
    private: str
    inbox: str
    outbox: str


def build_unit(command: list[str], cwd: str | os.PathLike, private: str, limits: Limits) -> Unit:
    """Prepare the host side of a unit and return how to start it.

    Parameters
    ----------
    command : list of str
        What the supervisor runs inside (the kernel's command).
    cwd : path-like
        The folder whose files (never its notebooks) the unit starts with.
    private : str
        An empty host folder owned by the grader: the unit's connection
        folder (bound read-write; Landlock lets the kernel only make sockets
        there), its inbox and outbox.
    limits : Limits
        Resource caps.

    Returns
    -------
    Unit
        The ``bwrap`` command line and the file descriptors it must inherit.
    """
    bwrap = find_bwrap()
    program = seccomp_program()
    uid = unit_uid()
    inbox, outbox = os.path.join(private, "in"), os.path.join(private, "out")
    os.makedirs(inbox, exist_ok=True)
    os.makedirs(outbox, exist_ok=True)
    copy_tree_safely(cwd, inbox, max_files=limits.max_files, max_bytes=limits.max_bytes, owner=uid)
    inside_uid = uid if uid is not None else os.getuid()
    etc = os.path.join(private, "etc")
    os.makedirs(etc, exist_ok=True)
    Path(etc, "passwd").write_text(
        f"root:x:0:0:root:/root:/usr/sbin/nologin\n"
        f"alumno:x:{inside_uid}:{inside_uid}:alumno:/tmp/home:/usr/sbin/nologin\n"
    )
    Path(etc, "group").write_text(f"root:x:0:\nalumno:x:{inside_uid}:\n")
    if uid is not None:
        for path in (private, inbox, outbox):
            os.chown(path, uid, uid)
    command = [_unit_connection_file(arg, private, uid) for arg in command]
    argv = [bwrap]
    pass_fds: tuple[int, ...] = ()
    if uid is not None:
        userns = _user_namespace(uid)
        pass_fds = (userns,)
        argv += ["--userns", str(userns), "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        argv += ["--unshare-user", "--disable-userns"]
    seccomp = _seccomp_fd(program)
    pass_fds += (seccomp,)
    argv += ["--seccomp", str(seccomp)]
    argv += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
    argv += ["--unshare-cgroup-try", "--hostname", "entrega"]
    # the private /tmp first: a course (and its .venv) may itself live under /tmp, and a
    # tmpfs mounted after the binds would hide them
    argv += ["--size", str(limits.tmpfs), "--tmpfs", "/tmp"]
    argv += ["--die-with-parent", "--new-session"]
    argv += _system_binds()
    argv += ["--ro-bind", os.path.join(etc, "passwd"), "/etc/passwd"]
    argv += ["--ro-bind", os.path.join(etc, "group"), "/etc/group"]
    prefixes = (sys.base_prefix, sys.prefix)
    for path in sorted({*prefixes, *(os.path.realpath(p) for p in prefixes)}):
        argv += ["--ro-bind", path, path]
    argv += ["--ro-bind", str(PACKAGE_DIR), str(PACKAGE_DIR)]
    argv += ["--ro-bind-try", str(data_dir()), str(data_dir())]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv = _with_parent_folders(argv)
    argv += ["--size", str(limits.tmpfs), "--tmpfs", "/dev/shm"]
    argv += ["--size", str(limits.workdir), "--tmpfs", WORKDIR]
    argv += ["--chmod", "1777", "/tmp", "--chmod", "1777", "/dev/shm", "--chmod", "0777", WORKDIR]
    argv += ["--bind", private, UNIT_DIR, "--ro-bind", inbox, f"{UNIT_DIR}/in"]
    argv += ["--remount-ro", "/"]
    argv += ["--chdir", WORKDIR, "--clearenv"]
    for name, value in unit_environment(private).items():
        argv += ["--setenv", name, value]
    argv += ["--", sys.executable, "-m", "autograder.sandbox"]
    argv += ["--uid", str(uid if uid is not None else -1)]
    argv += ["--inbox", f"{UNIT_DIR}/in", "--outbox", f"{UNIT_DIR}/out", "--sockets", UNIT_DIR]
    argv += ["--memory", str(limits.memory), "--cpu", str(limits.cpu)]
    argv += ["--fsize", str(limits.file_size), "--nproc", str(limits.processes)]
    argv += ["--max-files", str(limits.max_files), "--max-bytes", str(limits.max_bytes)]
    argv += ["--", *command]
    return Unit(argv, pass_fds, private, inbox, outbox)


#: The check :func:`check_unit` runs inside a trial unit: the filter is in force
#: (``Seccomp: 2``), a nested user namespace is refused, and only 0, 1, 2 are open.
_TRIAL_CODE = (
    "import ctypes,os,sys\n"
    "bad=0\n"
    "if 'Seccomp:\\t2' not in open('/proc/self/status').read(): bad|=1\n"
    "if ctypes.CDLL(None,use_errno=True).unshare(0x10000000)==0: bad|=2\n"
    "if len(os.listdir('/proc/self/fd'))>4: bad|=4\n"
    "sys.exit(64|bad if bad else 0)\n"
)
_TRIAL_PROBLEMS = {
    1: "no seccomp filter in force",
    2: "a nested user namespace was allowed",
    4: "descriptors were inherited",
}
#: The bubblewrap programs a trial unit was built with, in this process.
_units_checked: set[str] = set()


def check_unit() -> None:
    """Fail closed: build and start one trial unit with every layer, once per process.

    Raises
    ------
    SandboxUnavailable
        When bubblewrap, libseccomp or one of bubblewrap's options is missing,
        or the trial unit does not report every layer in force; the message
        names the cause and the fix.
    """
    bwrap = find_bwrap()  # every time: a program gone since the last check is refused
    if bwrap in _units_checked:
        return
    private = private_folder()
    try:
        empty = os.path.join(private, "vacia")
        os.makedirs(empty)
        unit = build_unit([sys.executable, "-S", "-c", _TRIAL_CODE], empty, private, Limits())
        try:
            done = subprocess.run(
                unit.argv,
                pass_fds=unit.pass_fds,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=120,
                cwd=private,
            )
        finally:
            for fd in unit.pass_fds:
                os.close(fd)
    finally:
        shutil.rmtree(private, ignore_errors=True)
    if done.returncode != 0:
        said = (done.stderr.strip() or done.stdout.strip())[-2000:]
        if done.returncode & ~7 == 64:
            found = [text for bit, text in _TRIAL_PROBLEMS.items() if done.returncode & bit]
            said = "the trial kernel found " + ", ".join(found)
        raise SandboxUnavailable(
            f"the sealed unit could not be built with every layer ({bwrap} exited with "
            f"{done.returncode}: {said or 'no message'}). bubblewrap >= 0.8 is needed for "
            f"--disable-userns and --seccomp (`{INSTALL_HINT}`), and libseccomp "
            f"(`{SECCOMP_HINT}`)."
        )
    _units_checked.add(bwrap)


def _unit_connection_file(arg: str, private: str, uid: int | None) -> str:
    """Rewrite a connection file argument for the inside of the unit (its paths under ``UNIT_DIR``)."""
    if not (arg.startswith(private + os.sep) and arg.endswith(".json") and os.path.isfile(arg)):
        return arg
    info = json.loads(Path(arg).read_text())
    if info.get("transport") == "ipc":
        info["ip"] = UNIT_DIR + info["ip"][len(private) :]
    inside = Path(private, "unit-" + os.path.basename(arg))
    inside.write_text(json.dumps(info))
    if uid is not None:
        os.chown(inside, uid, uid)
    return f"{UNIT_DIR}/{inside.name}"


def _with_parent_folders(argv: list[str]) -> list[str]:
    """Create, world-readable, every folder that holds a bind (bwrap would make them 0700)."""
    binds = {"--bind", "--ro-bind", "--ro-bind-try", "--symlink"}
    parents: set[str] = set()
    for option, _, destination in zip(argv, argv[1:], argv[2:], strict=False):
        if option in binds:
            parent = os.path.dirname(destination)
            while parent not in ("/", ""):
                parents.add(parent)
                parent = os.path.dirname(parent)
    head = argv.index("--die-with-parent") + 2
    folders = []
    for folder in sorted(parents, key=lambda p: (p.count("/"), p)):
        folders += ["--perms", "0755", "--dir", folder]
    return argv[:head] + folders + argv[head:]


# --- the supervisor (runs inside the unit) -----------------------------------


def set_limits(memory: int, cpu: int, file_size: int, processes: int) -> None:
    """Set hard and soft limits: bytes of address space and file size, CPU seconds, processes (0: none)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for limit, value in (
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, file_size),
        (resource.RLIMIT_NPROC, processes),
    ):
        if value > 0:
            resource.setrlimit(limit, (value, value))


#: Every descriptor above 2 is closed below this (``close_range`` covers the rest of the table).
_MAX_FD = 2**31 - 1


def _quiet_standard_streams() -> None:
    """Make ``/dev/null`` the standard input, output and error of this process."""
    null = os.open("/dev/null", os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(null, target)
    if null > 2:
        os.close(null)


def supervise(argv: list[str]) -> int:
    """Entry point inside the unit: drop privileges, start the command, clean up, copy back.

    ``argv`` is ``--uid U --inbox D --outbox D --sockets D --memory B --cpu S
    --fsize B --nproc N --max-files N --max-bytes B -- CMD...``.
    """
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1 :]
    settings = dict(zip(options[::2], options[1::2], strict=True))
    uid = int(settings["--uid"])
    if uid >= 0 and os.getuid() != uid:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        print("autograder.sandbox: refusing to run a kernel as root", file=sys.stderr)
        return 70
    os.closerange(3, _MAX_FD)  # bubblewrap's own (the user namespace, the filter), if any
    for sub in ("home", "matplotlib", "ipython", "keras", "cache", "config"):
        os.makedirs(os.path.join("/tmp", sub), exist_ok=True)
    caps = {"max_files": int(settings["--max-files"]), "max_bytes": int(settings["--max-bytes"])}
    copy_tree_safely(settings["--inbox"], WORKDIR, **caps)
    child = os.fork()
    if child == 0:  # the kernel
        report = 2
        try:
            os.closerange(3, _MAX_FD)
            report = os.dup(2)  # not inheritable: only for a failure before exec
            set_limits(
                int(settings["--memory"]),
                int(settings["--cpu"]),
                int(settings["--fsize"]),
                int(settings["--nproc"]),
            )
            apply_landlock(
                write=[WORKDIR, "/tmp", "/dev/shm", "/dev/null", "/dev/zero", "/dev/tty"],
                sockets=[settings["--sockets"]],
            )
            _quiet_standard_streams()
            os.execv(command[0], command)
        except BaseException as exc:  # noqa: BLE001 - report, then leave the forked child
            message = f"autograder.sandbox: cannot start {command[0]}: {exc!r}\n"
            try:
                os.write(report, message.encode())
            except OSError:
                pass
        finally:
            os._exit(127)

    def forward(signum, _frame):
        try:
            os.kill(child, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    while True:
        try:
            _, status = os.waitpid(child, 0)
            if os.WIFEXITED(status) or os.WIFSIGNALED(status):
                break
        except InterruptedError:
            continue
    _kill_everything_else()
    try:
        copy_tree_safely(WORKDIR, settings["--outbox"], **caps)
    except OSError as exc:
        print(f"autograder.sandbox: copy back failed: {exc}", file=sys.stderr)
    return os.waitstatus_to_exitcode(status) & 0xFF


def _kill_everything_else() -> None:
    """Kill every process of the unit but this one (and bwrap's init, which we cannot signal)."""
    for _ in range(50):
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        alive = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]
        if not alive:
            return


# --- inspection: what actually runs ------------------------------------------

#: Code that ``autograder.cli.inspect_execution`` runs in a kernel to see what it can reach.
PROBE_CODE = (
    f"UNIT_DIR = {UNIT_DIR!r}\n"
    + """
import json as _j, os as _o, resource as _r
def _ns(name):
    try:
        return _o.readlink('/proc/self/ns/' + name)
    except OSError:
        return None
def _readable(path):
    try:
        open(path, 'rb').read(1)
        return True
    except OSError:
        return False
def _writable(path):
    try:
        open(path, 'w').close()
        return True
    except OSError:
        return False
def _uid_map():
    try:
        return open('/proc/self/uid_map').read().split()
    except OSError:
        return None
print('IAP-PROBE ' + _j.dumps({
    'uid': _o.getuid(), 'uid_map': _uid_map(),
    'ns': {n: _ns(n) for n in ('user', 'pid', 'net', 'ipc', 'uts', 'mnt')},
    'pid': _o.getpid(), 'shadow': _readable('/etc/shadow'),
    'memory': _r.getrlimit(_r.RLIMIT_AS)[0], 'sandbox': _o.environ.get('AUTOGRADER_SANDBOX'),
    'env': sorted(_o.environ), 'cwd': _o.getcwd(), 'paths': {p: _o.path.exists(p) for p in PATHS},
    'unit_dir_writable': _writable(UNIT_DIR + '/probe'),
    'seccomp': open('/proc/self/status').read().split('Seccomp:')[1].split()[0],
    'stdin': _o.readlink('/proc/self/fd/0'),
}))
"""
)


def judge_probe(found: dict, course: str | os.PathLike) -> list[str]:
    """Compare what a kernel reported (:data:`PROBE_CODE`) with the grader; return the missing layers.

    Parameters
    ----------
    found : dict
        The probe's JSON.
    course : path-like
        The course directory, which must not be visible.
    """
    missing = []
    for name, value in found["ns"].items():
        if value is None or value == _own_namespace(name):
            missing.append(f"{name} namespace")
    triples = found.get("uid_map") or []
    mapping = {int(a): int(b) for a, b in zip(triples[::3], triples[1::3], strict=False)}
    outside = mapping.get(found["uid"], 0)
    if found["uid"] == 0 or outside == 0:
        missing.append("unprivileged uid (the kernel runs as root)")
    if found["shadow"]:
        missing.append("/etc/shadow is readable")
    if any(found["paths"].values()):
        missing.append(f"the course folder {course} is visible")
    if found["sandbox"] != "1":
        missing.append("allow-listed environment")
    if found.get("seccomp") != "2":
        missing.append("seccomp filter (libseccomp)")
    if found.get("stdin") != "/dev/null":
        missing.append("standard streams of its own (the kernel inherited the grader's)")
    if found.get("unit_dir_writable", True):
        missing.append("Landlock (Linux >= 5.13): the kernel could write its unit's private folder")
    return missing


def _own_namespace(name: str) -> str | None:
    try:
        return os.readlink(f"/proc/self/ns/{name}")
    except OSError:
        return None


def probe_paths(course: str | os.PathLike) -> list[str]:
    """Paths a kernel must not see: the course, its gradebook and its source notebooks."""
    course = Path(course).resolve()
    return [
        str(course / "nbgrader_config.py"),
        str(course / "source"),
        str(course / "gradebook.db"),
    ]


def private_folder() -> str:
    """Make the host folder of one unit (removed by the kernel manager)."""
    return tempfile.mkdtemp(prefix="iap-unit-")


if __name__ == "__main__":
    sys.exit(supervise(sys.argv[1:]))
