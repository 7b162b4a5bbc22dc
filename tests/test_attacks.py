"""The attacks of issue 12, graded in one batch beside honest submissions.

Every attacker is graded by ``autograder grade 1.1_RegresionLineal --jobs 2``
together with an honest complete submission, an untouched one and an honest
victim. After the batch: the attacks were blocked, the honest scores are
exact, the gradebook is intact, the victim's file and the files outside the
course are unchanged, nothing of the batch is alive, ``/dev/shm`` holds
nothing new, and the attackers' graded notebooks and feedback hold no
hidden-test code and no secret of the grader.
"""

import hashlib
import os
import shutil
import socket
import sqlite3
import stat
import textwrap
from pathlib import Path

import nbformat
import pytest

from autograder import cli, sandbox
from autograder import nbgrader_tools as tools

from .conftest import release_nb
from .test_faults import _answer, _solved
from .test_sandbox import HAVE_BWRAP

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not HAVE_BWRAP, reason=f"bubblewrap is missing: {sandbox.INSTALL_HINT}"),
]

A = "1.1_RegresionLineal"
FULL = 20.0
SECRET = "iap-grader-secret-5d1e"
HIDDEN_LINE = 'checks.hidden_rng("standardize")'  # a line of a hidden test of 1.1
MARKER = f"iap-attack-{os.getpid()}"


def _attack(code: str) -> nbformat.NotebookNode:
    """A complete, honest submission whose first answer cell first runs ``code``."""
    return _solved({"standardize": textwrap.dedent(code) + "\n\n" + _answer("standardize")})


def _attacks(course: Path, outside: Path) -> dict[str, tuple]:
    """student -> (notebook or link target, planted links {name: target}, expected score)."""
    submitted = course / "submitted"
    return {
        # the notebook itself is a link: nbgrader must never write through it
        "link_gradebook": (course / "gradebook.db", {}, 0.0),
        "link_victim": (submitted / "victim" / A / f"{A}.ipynb", {}, 0.0),
        "link_outside": (outside / "precious.txt", {}, 0.0),
        # links planted beside an honest notebook: nothing they point to is copied
        "planted_links": (
            _solved(),
            {
                "extra": Path("../../victim"),
                "gradebook.db": Path("../../../gradebook.db"),
                "fuente.ipynb": Path(f"../../../source/{A}/{A}.ipynb"),
            },
            FULL,
        ),
        # the kernel plants links and a FIFO in its folder, reads the notebook there
        "kernel_links": (
            _attack(
                f"""
                import os, glob
                print("cuadernos visibles:", glob.glob("**/*.ipynb", recursive=True))
                for name in ("{A}.ipynb", "gb"):
                    try:
                        os.remove(name)
                    except OSError:
                        pass
                os.symlink("{course / "gradebook.db"}", "{A}.ipynb")
                os.symlink("{outside / "precious.txt"}", "precious.txt")
                os.mkfifo("tuberia")
                """
            ),
            {},
            FULL,
        ),
        # a daemon in its own session, trying to read other kernels' connection files
        "daemon": (
            _attack(
                f"""
                import subprocess, sys, os, glob
                subprocess.Popen([sys.executable, "-c", "import os, time; os.setsid(); time.sleep(900)",
                                  "{MARKER}"], start_new_session=True)
                for _ in range(4):
                    subprocess.Popen(["sleep", "900", "{MARKER}"], start_new_session=True)
                _files = set()
                for _p in glob.glob("/proc/[0-9]*/cmdline"):
                    _args = open(_p, "rb").read().split(b"\\0")
                    _files.update(_args[i + 1] for i, a in enumerate(_args[:-1]) if a == b"-f")
                print("connection files visible:", sorted(_files))
                """
            ),
            {},
            FULL,
        ),
        # fill /dev/shm and take semaphores there
        "shm": (
            _attack(
                f"""
                import os, multiprocessing
                print("shm:", os.listdir("/dev/shm"))
                _locks = [multiprocessing.Semaphore() for _ in range(20)]
                try:
                    with open("/dev/shm/{MARKER}", "wb") as f:
                        for _ in range(3 * 1024):
                            f.write(b"x" * 2**20)
                except OSError as exc:
                    print("shm full:", exc.errno)
                """
            ),
            {},
            FULL,
        ),
        # a Unix socket of the host (a gradebook server), by path and abstract name
        "host_socket": (
            _attack(
                f"""
                import socket
                for address in ("{outside / "server.sock"}", "\\0{MARKER}"):
                    try:
                        socket.socket(socket.AF_UNIX).connect(address)
                        print("CONNECTED", address)
                    except OSError as exc:
                        print("socket refused:", type(exc).__name__)
                """
            ),
            {},
            FULL,
        ),
        # the grader's environment and /etc/shadow
        "secrets": (
            _attack(
                """
                import os
                print(dict(os.environ))
                try:
                    print(open("/etc/shadow").read())
                except OSError as exc:
                    print("shadow:", type(exc).__name__)
                """
            ),
            {},
            FULL,
        ),
        # 1 GiB of stdout and 30 images of 10 MB
        "flood": (
            _attack(
                """
                import sys, base64, os
                from IPython.display import display
                _chunk = "x" * 2**20
                for _ in range(1024):
                    sys.stdout.write(_chunk)
                _png = base64.b64encode(os.urandom(7_500_000)).decode()
                for _ in range(30):
                    display({"image/png": _png}, raw=True)
                """
            ),
            {},
            FULL,
        ),
        # GiBs into its own folder
        "disk": (
            _attack(
                """
                try:
                    for _i in range(48):
                        with open(f"relleno_{_i}.bin", "wb") as f:
                            for _ in range(64):
                                f.write(b"x" * 2**20)
                except OSError as exc:
                    print("disk full:", exc.errno)
                """
            ),
            {},
            FULL,
        ),
    }


def _write(target: Path, content) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, Path):
        target.symlink_to(content)
    else:
        nbformat.write(content, target)


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and not stat.S_ISSOCK(path.lstat().st_mode):
            found[str(path)] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mode)
    return found


def _descendants() -> list[str]:
    children: dict[int, list[int]] = {}
    names = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry.name))
                names[int(entry.name)] = (entry / "cmdline").read_bytes()
            except (OSError, IndexError):
                pass
    found, todo = [], list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        name = names.get(pid, b"").replace(b"\0", b" ").decode(errors="replace")
        # the test process's own helpers: multiprocessing's resource tracker, and the grader's
        # warm forkserver (it runs no student code; the jobs it forked are its children, still
        # checked below)
        if not any(
            h in name for h in ("multiprocessing.resource_tracker", "multiprocessing.forkserver")
        ):
            found.append(name)
        todo += children.get(pid, [])
    marked = [n.replace(b"\0", b" ").decode() for n in names.values() if MARKER.encode() in n]
    return found + marked


@pytest.fixture
def course(tmp_path, monkeypatch):
    course = tmp_path / "course"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("nadie debe tocar esto\n")
    for name in ("source", "release"):
        shutil.copytree(tools.course_root() / name / A, course / name / A)
    config = (tools.course_root() / "nbgrader_config.py").read_text()
    (course / "nbgrader_config.py").write_text(config + "\nc.Execute.timeout = 60\n")
    submitted = course / "submitted"
    _write(submitted / "good" / A / f"{A}.ipynb", _solved())
    _write(submitted / "victim" / A / f"{A}.ipynb", _solved())
    _write(submitted / "untouched" / A / f"{A}.ipynb", release_nb(A))
    for student, (content, links, _) in _attacks(course, outside).items():
        _write(submitted / student / A / f"{A}.ipynb", content)
        for name, target in links.items():
            (submitted / student / A / name).symlink_to(target)
    # the gradebook exists before the batch (the links point at it)
    tools.ensure_in_gradebook(course, [A])
    monkeypatch.setenv("IAP_GRADER_SECRET", SECRET)
    return course, outside


def test_attacks_are_blocked_in_one_batch(course, capsys):
    course, outside = course
    victim = (course / "submitted" / "victim" / A / f"{A}.ipynb").read_bytes()
    outside_before = _snapshot(outside)
    shm_before = set(os.listdir("/dev/shm"))
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(outside / "server.sock"))
    server.listen()
    server.settimeout(0.1)
    abstract = socket.socket(socket.AF_UNIX)
    abstract.bind(f"\0{MARKER}")
    abstract.listen()
    abstract.settimeout(0.1)
    try:
        status = cli.main(["--course", str(course), "grade", "--jobs", "2", A])
        for listener in (server, abstract):
            with pytest.raises(TimeoutError):
                listener.accept()  # nobody ever connected
    finally:
        server.close()
        abstract.close()
    out = capsys.readouterr().out
    assert "sandbox: on (inspected" in out, out
    assert status == 0, out

    expected = {"good": FULL, "victim": FULL, "untouched": 0.0}
    expected |= {s: case[2] for s, case in _attacks(course, outside).items()}
    assert {g.student: g.auto_score for g in tools.grades(course)} == expected
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert (course / "submitted" / "victim" / A / f"{A}.ipynb").read_bytes() == victim
    assert "No se copiaron" in out and "enlaces" in out  # the note about the links left out
    assert _descendants() == [], "processes of the batch are still alive"
    assert not {n for n in set(os.listdir("/dev/shm")) - shm_before if MARKER in n}
    assert not [
        n
        for n in set(os.listdir("/dev/shm")) - shm_before
        if os.stat(f"/dev/shm/{n}").st_uid >= 200_000
    ]

    assert cli.main(["--course", str(course), "feedback", A]) == 0
    assert _snapshot(outside) == outside_before
    for student in _attacks(course, outside):
        graded = course / "autograded" / student / A
        for path in graded.rglob("*") if graded.exists() else []:
            assert path.is_dir() or (path.is_file() and not path.is_symlink()), path
        notebook = graded / f"{A}.ipynb"
        if notebook.exists():
            outputs = str([c.get("outputs", []) for c in nbformat.read(notebook, 4).cells])
            assert "BEGIN HIDDEN TESTS" not in outputs and HIDDEN_LINE not in outputs, student
            assert SECRET not in outputs, student
            assert notebook.stat().st_size < 40 * 2**20, student
        page = course / "feedback" / student / A / f"{A}.html"
        if page.exists():
            html = page.read_text(errors="replace")
            assert "BEGIN HIDDEN TESTS" not in html and HIDDEN_LINE not in html, student
            assert SECRET not in html, student
            assert page.stat().st_size < 60 * 2**20, student
        folder = course / "feedback" / student / A
        if folder.exists():
            assert not any(p.is_symlink() for p in folder.rglob("*")), student
    # what each attack got
    printed = {
        s: str(
            [
                c.get("outputs", [])
                for c in nbformat.read(course / "autograded" / s / A / f"{A}.ipynb", 4).cells
            ]
        )
        for s in ("kernel_links", "daemon", "shm", "host_socket", "secrets", "flood", "disk")
    }
    assert "cuadernos visibles: []" in printed["kernel_links"]
    assert (
        f"connection files visible: [b'{sandbox.UNIT_DIR}/unit-kernel.json']" in printed["daemon"]
    )
    assert "shm: []" in printed["shm"]  # the grader's semaphores are not there
    # stopped by the file-size limit (EFBIG) or the size of the private /dev/shm (ENOSPC)
    assert "shm full: 27" in printed["shm"] or "shm full: 28" in printed["shm"]
    assert "CONNECTED" not in printed["host_socket"]
    assert printed["host_socket"].count("socket refused") == 2
    assert "shadow: FileNotFoundError" in printed["secrets"]
    assert "la salida de esta celda se recortó" in printed["flood"]
    assert "disk full: 28" in printed["disk"]
    disk = course / "autograded" / "disk" / A
    assert sum(p.stat().st_size for p in disk.rglob("*") if p.is_file()) < 80 * 2**20
    kernel_links = course / "autograded" / "kernel_links" / A
    assert not (kernel_links / "precious.txt").exists()
    assert not (kernel_links / "tuberia").exists()
    planted = course / "autograded" / "planted_links" / A
    assert sorted(p.name for p in planted.iterdir()) == [f"{A}.ipynb"]


def test_grade_refuses_without_bubblewrap(tmp_path, monkeypatch, capsys):
    course = tmp_path / "course"
    for name in ("source", "release"):
        shutil.copytree(tools.course_root() / name / A, course / name / A)
    shutil.copy(tools.course_root() / "nbgrader_config.py", course / "nbgrader_config.py")
    _write(course / "submitted" / "good" / A / f"{A}.ipynb", _solved())
    monkeypatch.setenv(sandbox.BWRAP_VARIABLE, str(tmp_path / "no-such-bwrap"))
    status = cli.main(["--course", str(course), "grade", "--jobs", "1", A])
    err = capsys.readouterr().err
    assert status != 0
    assert "bubblewrap" in err and sandbox.INSTALL_HINT in err and "--unsandboxed" in err, err
    assert not (course / "autograded").exists()


def test_status_is_inspected_not_read_from_the_config(tmp_path, capsys):
    """A config that turns the unit off is caught by the probe kernel, and grading refuses."""
    course = tmp_path / "course"
    for name in ("source", "release"):
        shutil.copytree(tools.course_root() / name / A, course / name / A)
    config = (tools.course_root() / "nbgrader_config.py").read_text()
    (course / "nbgrader_config.py").write_text(config + "\nc.ResilientExecute.sandbox = False\n")
    _write(course / "submitted" / "good" / A / f"{A}.ipynb", _solved())
    status = cli.main(["--course", str(course), "grade", "--jobs", "1", A])
    err = capsys.readouterr().err
    assert status != 0
    assert "NOT SEALED" in err and "pid namespace" in err and "refusing to grade" in err, err
    assert not (course / "autograded").exists()
