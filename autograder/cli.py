"""The ``autograder`` command: the instructor's pipeline in a few verbs.

``autograder release`` generates the student versions, ``validate`` proves
that sources pass and student versions fail, ``grade`` autogrades the
submissions in ``submitted/``, ``feedback`` and ``export`` produce the
results, and ``demo`` runs the whole flow on the bundled example submissions.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import warnings
from pathlib import Path

import nbformat

from . import mutation
from . import nbgrader_tools as tools
from .bundle import cmd_bundle
from .report import build_report, record_times


class Refusal(SystemExit):
    """A command that cannot do what it was asked: its message goes to stderr, exit status 1."""

    def __init__(self, message: str):
        super().__init__(message)


def _ids(root: Path, ids: list[str]) -> list[str]:
    """Return the assignments to work on: the ones named, else all; refuse unknown ones."""
    known = tools.assignment_ids(root)
    unknown = sorted(set(ids) - set(known))
    if unknown:
        raise Refusal(
            f"unknown assignment(s): {', '.join(unknown)}; known: {', '.join(known) or '(none)'}"
        )
    if not ids and not known:
        raise Refusal(
            f"no assignments in {tools.get_course(root).source('*').parent}: "
            "nothing to do (an assignment is a folder of notebooks)"
        )
    return list(dict.fromkeys(ids)) or known


def _nothing_to_do(message: str, named: bool) -> int:
    """Say that a verb found nothing to do; non-zero when the instructor named what to work on."""
    print(message, file=sys.stderr if named else sys.stdout)
    return 1 if named else 0


def _report_broken(verb: str, broken: list[tuple[str, str]]) -> int:
    """Print the assignments a verb could not handle (it went on with the others); 1 if any."""
    for assignment, error in broken:
        print(f"  ! {verb} failed for {assignment}: {error}", file=sys.stderr)
    if broken:
        names = ", ".join(a for a, _ in broken)
        print(f"{verb}: {len(broken)} assignment(s) failed: {names}", file=sys.stderr)
    return 1 if broken else 0


def _first_lines(exc: Exception, lines: int = 6) -> str:
    text = str(exc).strip() or type(exc).__name__
    return "\n    ".join(text.splitlines()[:lines])


def cmd_release(root: Path, args: argparse.Namespace) -> int:
    """Generate the student versions into ``release/``; a broken assignment does not stop the others."""
    broken = []
    for assignment in _ids(root, args.ids):
        try:
            paths = tools.release(root, [assignment])
        except Exception as exc:  # noqa: BLE001  (reported at the end; the others go on)
            broken.append((assignment, _first_lines(exc)))
            continue
        for path in paths:
            print(f"released {path.relative_to(root)}")
    return _report_broken("release", broken)


def validate_assignment(root: Path, assignment: str) -> list[str]:
    """Return the problems of one assignment (empty when it is sound).

    For every notebook of the assignment: the source must pass every
    autograded test cell (run beside the assignment's files); the committed
    student version must equal a fresh ``generate_assignment``; and the
    untouched student version, with hidden tests restored, must pass none.
    """
    course = tools.get_course(root)
    problems = []
    fresh = tools.generate_release_copies(root, assignment)
    for name in course.notebooks(assignment):
        label = f"{assignment}/{name}.ipynb"
        source = nbformat.read(course.source(assignment) / f"{name}.ipynb", as_version=4)
        release_path = course.release(assignment) / f"{name}.ipynb"
        if not release_path.exists():
            problems.append(f"{label}: release/ has no student version; run `autograder release`")
        elif nbformat.read(release_path, as_version=4) != fresh[name]:
            problems.append(
                f"{label}: release/ is out of date with source/; run `autograder release`"
            )
        for result in _run_beside_files(root, assignment, source).values():
            if result.score is not None and not result.passed:
                problems.append(
                    f"{label}: source fails {result.grade_id}: {result.error.strip()[:300]}"
                )
        untouched = mutation.with_hidden_tests(fresh[name], source)
        for result in _run_beside_files(root, assignment, untouched).values():
            if result.score:
                problems.append(f"{label}: the untouched student version passes {result.grade_id}")
    return problems


def _run_beside_files(root: Path, assignment: str, nb) -> dict[str, tools.CellResult]:
    """Execute ``nb`` as the grader does, in a scratch copy of the assignment's files, and score it."""
    import tempfile

    course = tools.get_course(root)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / assignment
        shutil.copytree(
            course.source(assignment),
            scratch,
            symlinks=True,
            ignore=shutil.ignore_patterns("*.ipynb", *course.coursedir.ignore),
        )
        return tools.score_cells(tools.execute(nb, scratch, root=root))


def cmd_validate(root: Path, args: argparse.Namespace) -> int:
    """Validate assignments; exit status 1 on any problem (unlike ``nbgrader validate``).

    An assignment that cannot be validated at all (nbgrader refuses to generate it, a
    kernel fails to start) is reported as broken, and the others are validated.
    """
    problems, broken = [], []
    for assignment in _ids(root, args.ids):
        try:
            found = validate_assignment(root, assignment)
        except Exception as exc:  # noqa: BLE001  (reported at the end; the others go on)
            print(f"{assignment}: BROKEN (could not be validated)")
            broken.append((assignment, _first_lines(exc)))
            continue
        print(f"{assignment}: {'ok' if not found else f'{len(found)} problem(s)'}")
        problems += found
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return max(1 if problems else 0, _report_broken("validate", broken))


def print_grades(root: Path, assignments: list[str] | None = None) -> None:
    """Print the gradebook as a table (instructor-facing, in English)."""
    rows = tools.grades(root, assignments)
    print(f"\n{'student':<24} {'assignment':<28} {'autograded':>10} {'max':>7}  manual grading")
    for g in rows:
        manual = "pending" if g.needs_manual_grade else "-"
        print(
            f"{g.student:<24} {g.assignment:<28} {g.auto_score:>10.1f} {g.max_score:>7.1f}  {manual}"
        )


#: The two lines that wire a course to autograder (see :mod:`autograder.config`).
ADOPT_LINES = "`from autograder import configure; configure(c)`"


def diagnose_pipeline(config) -> str | None:
    """Name what in the course's configuration keeps its kernels out of the sealed unit.

    The probe kernel of :func:`inspect_execution` decides whether the unit is
    sealed; this only reads the configuration to tell the instructor why it is
    not, and what to change.

    Parameters
    ----------
    config : traitlets.config.Config
        The course configuration.

    Returns
    -------
    str or None
        The cause and its fix, in one sentence; None when the configuration asks for the
        sealed unit (then a missing layer is the machine's: bubblewrap).
    """
    from nbgrader.preprocessors import Execute

    from .config import is_configured
    from .faults import ResilientExecute
    from .grade.executor import autograde_steps

    steps = [s for s in autograde_steps(config) if isinstance(s, type) and issubclass(s, Execute)]
    if not steps:
        return (
            "c.Autograde.autograde_preprocessors in nbgrader_config.py has no execute step, so "
            "nothing would run the notebooks. Fix: delete that setting and add "
            f"{ADOPT_LINES} at the end of nbgrader_config.py"
        )
    if not issubclass(steps[0], ResilientExecute):
        if not is_configured(config):
            return (
                "nbgrader_config.py does not use autograder: its autograde pipeline runs "
                f"nbgrader's {steps[0].__name__}, which starts kernels without the sealed unit. "
                f"Fix: add {ADOPT_LINES} at the end of nbgrader_config.py"
            )
        return (
            "c.Autograde.autograde_preprocessors in nbgrader_config.py "
            f"runs nbgrader's {steps[0].__name__}, which starts kernels without the sealed "
            "unit. Fix: delete that setting (configure(c) then sets the safe pipeline), or put "
            "autograder.harness.execute.TrustedExecute in place of Execute"
        )
    for section in [c.__name__ for c in steps[0].mro() if c.__name__ in config] + [
        "SandboxKernelManager"
    ]:
        if config[section].get("sandbox") is False:
            return (
                f"nbgrader_config.py sets c.{section}.sandbox = False, which starts kernels "
                "without the sealed unit. Fix: delete that line (or pass --unsandboxed to grade "
                "trusted code without isolation)"
            )
    return None


def inspect_execution(root: Path) -> tuple[str, list[str]]:
    """Start a kernel exactly as grading will, ask it what it sees, and judge it.

    The execute step and its kernel manager are taken from the course's
    ``Autograde.autograde_preprocessors`` (nbgrader's default pipeline when the
    course sets none); a probe cell reports the kernel's namespaces, uid,
    limits, environment and whether the course is visible.

    Returns
    -------
    status : str
        The instructor-facing status line.
    missing : list of str
        The isolation layers missing (empty when the unit is sealed).
    """
    import asyncio
    import tempfile

    from nbgrader.preprocessors import Execute

    from . import sandbox
    from .config import QUIET_KERNEL
    from .grade.executor import autograde_steps

    config = tools.load_config(root)
    steps = [
        step
        for step in autograde_steps(config)
        if isinstance(step, type) and issubclass(step, Execute)
    ]
    if not steps:
        return "sandbox: OFF (the autograde pipeline has no execute step)", [
            "sealed execution unit"
        ]
    manager_class = steps[0](config=config).kernel_manager_class
    code = f"PATHS = {sandbox.probe_paths(root)!r}\n" + sandbox.PROBE_CODE

    async def probe() -> dict:
        with tempfile.TemporaryDirectory() as folder:
            manager = manager_class(config=config)
            # no ipykernel banner on the instructor's terminal
            await manager.start_kernel(cwd=folder, extra_arguments=[QUIET_KERNEL])
            client = manager.client()
            client.start_channels()
            try:
                await client.wait_for_ready(timeout=120)
                msg_id = client.execute(code)
                while True:
                    msg = await client.get_iopub_msg(timeout=120)
                    if msg["parent_header"].get("msg_id") != msg_id:
                        continue
                    text = msg["content"].get("text", "")
                    if msg["msg_type"] == "stream" and text.startswith("IAP-PROBE "):
                        return json.loads(text.removeprefix("IAP-PROBE "))
                    if msg["msg_type"] == "error":
                        raise RuntimeError(msg["content"]["evalue"])
            finally:
                client.stop_channels()
                await manager.shutdown_kernel(now=True)

    try:
        found = asyncio.run(probe())
    except sandbox.SandboxUnavailable as exc:
        return f"sandbox: UNAVAILABLE: {exc}", ["bubblewrap"]
    except Exception as exc:  # a unit that cannot start is a missing layer, not a crash
        return (
            f"sandbox: UNAVAILABLE: the execution unit did not start ({exc}). "
            f"Check that bubblewrap works (`bwrap --unshare-all --ro-bind / / true`); "
            f"install it with `{sandbox.INSTALL_HINT}`.",
            ["sealed execution unit"],
        )
    missing = sandbox.judge_probe(found, root)
    triples = found.get("uid_map") or []
    mapping = dict(zip(triples[::3], triples[1::3], strict=False))
    outside = mapping.get(str(found["uid"]), "?")
    if missing:
        return "sandbox: NOT SEALED, the kernel has: " + "; ".join(missing), missing
    memory = found["memory"] / 2**30 if found["memory"] > 0 else float("inf")
    return (
        "sandbox: on (inspected: kernel in a bubblewrap unit with its own user, pid, net, ipc, "
        f"uts and mount namespaces; uid {outside} on the host; course and /etc/shadow invisible; "
        f"allow-listed environment; memory limit {memory:.0f} GiB)",
        [],
    )


def cmd_grade(root: Path, args: argparse.Namespace) -> int:
    """Autograde every submission of the assignments: executors on this machine or on a Dask cluster."""
    from .grade import Coordinator
    from .grade.coordinator import GradingInterrupted
    from .grade.executors import ClusterUnavailable
    from .grade.progress import Progress
    from .sandbox import INSTALL_HINT, UNSANDBOXED_VARIABLE

    ids = _ids(root, args.ids)
    tasks = [(a, s) for a in ids for s in tools.submissions(root, a)]
    students = list(dict.fromkeys(getattr(args, "student", None) or []))
    if students:
        handed_in = {s for _, s in tasks}
        unknown = [s for s in students if s not in handed_in]
        if unknown:
            folder = tools.get_course(root).coursedir.submitted_directory
            raise Refusal(
                f"no submission of {', '.join(ids)} by {', '.join(unknown)} in {folder}/ "
                "(--student takes the name of a student's folder there)"
            )
        tasks = [(a, s) for a, s in tasks if s in students]
    if not tasks:
        folder = tools.get_course(root).coursedir.submitted_directory
        return _nothing_to_do(
            f"nothing to grade: no submissions of {', '.join(ids)} in {folder}/", bool(args.ids)
        )
    settings = {}
    if getattr(args, "jobs", 0):
        settings["jobs"] = args.jobs
    if getattr(args, "cluster", None):
        settings["cluster"] = args.cluster
    coordinator = Coordinator(root, **settings)
    unsandboxed = getattr(args, "unsandboxed", False)
    coordinator.unsandboxed = unsandboxed
    if unsandboxed:
        os.environ[UNSANDBOXED_VARIABLE] = "1"
        print(
            "WARNING: --unsandboxed: submissions run WITHOUT isolation, as your user, with access "
            "to every file you can read (hidden tests, the gradebook, other students' work) and "
            "to the network. Grade only code you trust this way.",
            file=sys.stderr,
        )
    elif coordinator.cluster:
        os.environ.pop(UNSANDBOXED_VARIABLE, None)
        print("sandbox: checked by every worker (a worker without bubblewrap refuses to run)")
    else:
        os.environ.pop(UNSANDBOXED_VARIABLE, None)
        status, missing = inspect_execution(root)
        if missing:
            print(status, file=sys.stderr)
            cause = diagnose_pipeline(tools.load_config(root))
            fix = (
                f"Cause: {cause}."
                if cause
                else f"Fix: `{INSTALL_HINT}` (as root, on Debian/Ubuntu), or pass --unsandboxed "
                "to grade without isolation (unsafe)."
            )
            print(
                f"refusing to grade: missing isolation layer(s): {', '.join(missing)}. {fix}",
                file=sys.stderr,
            )
            return 2
        print(status)
    where = (
        f"the Dask cluster at {coordinator.cluster}"
        if coordinator.cluster
        else f"{coordinator.jobs or os.cpu_count() or 1} local job(s)"
    )
    print(f"grading {len(tasks)} submission(s) with {where}")
    progress = Progress()
    try:
        # a named student is graded again even when the submission did not change
        new_seed = getattr(args, "new_seed", False)
        force = getattr(args, "force", False) or bool(students) or new_seed
        results = coordinator.grade(tasks, force=force, progress=progress, new_seed=new_seed)
    except ClusterUnavailable as exc:
        print(progress.close(), file=sys.stderr)
        print(
            f"autograder: {exc}\nNothing was half-written: the submissions graded so far are "
            "recorded; run the same command again to grade the rest.",
            file=sys.stderr,
        )
        return 2
    except GradingInterrupted as exc:
        print(progress.close(), file=sys.stderr)
        print(
            f"autograder: interrupted by {exc}: the running submissions were stopped (their "
            "processes and kernels too) and nothing was half-written; the submissions graded "
            "so far are recorded. Run the same command again to grade the rest.",
            file=sys.stderr,
        )
        return 128 + exc.signum
    print(progress.close())
    record_times(root, [r for r in results if not r.skipped])
    print_grades(root, ids)
    return 1 if any(not r.success for r in results) else 0


def cmd_worker(root: Path | None, args: argparse.Namespace) -> int:
    """Start a Dask worker that runs executors for `autograder grade --cluster` (needs bubblewrap)."""
    import subprocess

    from .grade.executor import check_sandbox
    from .grade.worker import THREADS_VARIABLE, worker_command
    from .sandbox import SandboxUnavailable

    try:
        check_sandbox()
    except SandboxUnavailable as exc:
        print(f"autograder worker: refusing to start: {exc}", file=sys.stderr)
        return 2
    command = worker_command(args.scheduler, nworkers=args.nworkers, name=args.name)
    threads = max(1, (os.cpu_count() or 1) // max(1, args.nworkers))
    print("running: " + " ".join(command[2:]).replace("distributed.cli.dask_worker", "dask worker"))
    return subprocess.call(command, env={**os.environ, THREADS_VARIABLE: str(threads)})


def cmd_feedback(root: Path, args: argparse.Namespace) -> int:
    """Generate the HTML feedback of every autograded submission; go on past failures."""
    from .feedback import generate_feedback

    ids = _ids(root, args.ids)
    done, failures = 0, []
    for assignment in ids:
        students = tools.graded_students(root, assignment)
        ok, failed = generate_feedback(tools.get_course(root), assignment, students)
        done += len(ok)
        failures += [(assignment, student, error) for student, error in failed]
    if not done and not failures:
        return _nothing_to_do(
            f"no feedback to write: no autograded submissions of {', '.join(ids)}", bool(args.ids)
        )
    folder = tools.get_course(root).coursedir.feedback_directory
    print(f"feedback written for {done} submission(s) into {folder}/")
    for assignment, student, error in failures:
        print(f"  ! feedback failed for {student} ({assignment}): {error}", file=sys.stderr)
    return 1 if failures else 0


def cmd_export(root: Path, args: argparse.Namespace) -> int:
    """Export the grades: nbgrader's CSV and a one-row-per-student CSV for Moodle and Canvas."""
    if not tools.grades(root):
        return _nothing_to_do("nothing to export: the gradebook holds no graded submission", False)
    path = tools.export_csv(root, root / args.to)
    print(f"grades written to {path}")
    lms = tools.export_lms_csv(root, root / args.lms)
    print(f"gradebook for the LMS written to {lms}")
    return 0


def cmd_report(root: Path, args: argparse.Namespace) -> int:
    """Write the HTML report: score distributions, failure rate per test cell, grading times."""
    ids = _ids(root, args.ids)
    if not tools.grades(root, ids):
        return _nothing_to_do(
            f"nothing to report: no graded submissions of {', '.join(ids)}", bool(args.ids)
        )
    path = build_report(root, root / args.to, args.ids or None)
    print(f"report written to {path}")
    return 0


def cmd_collect(root: Path, args: argparse.Namespace) -> int:
    """Bring an LMS download (zip or folder; Moodle, Canvas or plain names) into submitted/."""
    from .collect import collect

    _ids(root, [args.assignment])
    result = collect(args.source, args.assignment, tools.get_course(root), lms=args.lms)
    for item in result.collected:
        print(f"{item.student}: {item.source} -> {item.target.relative_to(root)}")
    for item in result.kept:
        print(f"  note: {item}")
    for problem in result.problems:
        print(f"  ! {problem}", file=sys.stderr)
    for error in result.errors:
        print(f"  ERROR: {error}", file=sys.stderr)
    print(
        f"collected {len(result.collected)} submission(s) of {args.assignment} "
        f"({result.lms} names); {len(result.problems)} entry(ies) skipped, "
        f"{len(result.errors)} error(s)"
    )
    if not result.collected:
        print("nothing collected", file=sys.stderr)
    return 0 if result.collected and not result.errors else 1


#: The assignments ``autograder demo`` grades without ``--all`` (the quick demo of ``make demo``).
QUICK_DEMO = ("1.1_RegresionLineal",)


def cmd_demo(root: Path, args: argparse.Namespace) -> int:
    """Run the instructor's whole flow on the bundled example submissions."""
    start = time.perf_counter()
    examples = root / "examples" / "submissions"
    ids = tools.assignment_ids(root)
    if not getattr(args, "all", False):  # the quick demo: the assignments of QUICK_DEMO only
        ids = [a for a in ids if a in QUICK_DEMO] or ids
    print("1/5 generating the student versions (nbgrader generate_assignment)")
    cmd_release(root, argparse.Namespace(ids=ids))
    print("2/5 collecting the example submissions into submitted/")
    for student_dir in sorted(p for p in examples.iterdir() if p.is_dir()):
        for assignment_dir in sorted(
            p for p in student_dir.iterdir() if p.is_dir() and p.name in ids
        ):
            target = root / "submitted" / student_dir.name / assignment_dir.name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(assignment_dir, target)
    print("3/5 autograding with hidden tests (nbgrader autograde)")
    status = cmd_grade(
        root,
        argparse.Namespace(
            ids=ids,
            jobs=args.jobs,
            cluster=getattr(args, "cluster", None),
            unsandboxed=False,
            force=False,
        ),
    )
    print("4/5 writing the feedback (nbgrader generate_feedback)")
    cmd_feedback(root, argparse.Namespace(ids=ids))
    print("5/5 exporting the grades (nbgrader export) and the report")
    cmd_export(root, argparse.Namespace(to="grades.csv", lms="grades_lms.csv"))
    cmd_report(root, argparse.Namespace(ids=[], to="reports/informe.html"))
    print(f"demo finished in {time.perf_counter() - start:.0f} s")
    return status


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``autograder`` console script."""
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--course", type=Path, default=None, help="course directory (default: found from here)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func in [
        ("release", cmd_release),
        ("validate", cmd_validate),
        ("grade", cmd_grade),
        ("feedback", cmd_feedback),
        ("demo", cmd_demo),
    ]:
        p = sub.add_parser(name, help=func.__doc__.splitlines()[0])
        if name != "demo":
            p.add_argument("ids", nargs="*", help="assignment ids (default: all)")
        if name in ("grade", "demo"):
            p.add_argument(
                "--jobs",
                type=int,
                default=0,
                help="submissions graded at once (default: all cores)",
            )
        if name in ("grade", "demo"):
            p.add_argument(
                "--cluster",
                default=None,
                metavar="tcp://HOST:PORT",
                help="run the executors on this Dask scheduler's workers (default: "
                "c.Coordinator.cluster, else local processes)",
            )
        if name == "demo":
            p.add_argument(
                "--all",
                action="store_true",
                help="grade the example submissions of every assignment (default: 1.1 only)",
            )
        if name == "grade":
            p.add_argument(
                "--force",
                action="store_true",
                help="grade again the submissions unchanged since they were graded",
            )
            p.add_argument(
                "--student",
                action="append",
                metavar="ID",
                help="grade (again) this student's submissions only; repeat for several",
            )
            p.add_argument(
                "--new-seed",
                action="store_true",
                help="draw fresh seeds for the hidden tests (default: a regrade of unchanged "
                "files reuses the seed recorded in autograded/.hidden_seeds.json)",
            )
            p.add_argument(
                "--unsandboxed",
                action="store_true",
                help="grade without the sealed execution unit (UNSAFE: only for trusted code)",
            )
        p.set_defaults(func=func)
    p = sub.add_parser("worker", help=cmd_worker.__doc__.splitlines()[0])
    p.add_argument("scheduler", help="the Dask scheduler's address, tcp://HOST:PORT")
    p.add_argument(
        "--nworkers", type=int, default=1, help="worker processes (one submission each at a time)"
    )
    p.add_argument("--name", default=None, help="the worker's name (default: Dask's)")
    p.set_defaults(func=cmd_worker)
    p = sub.add_parser("export", help=cmd_export.__doc__)
    p.add_argument("--to", default="grades.csv", help="nbgrader's CSV (default: grades.csv)")
    p.add_argument(
        "--lms", default="grades_lms.csv", help="CSV for Moodle/Canvas (default: grades_lms.csv)"
    )
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("report", help=cmd_report.__doc__)
    p.add_argument("ids", nargs="*", help="assignment ids (default: all)")
    p.add_argument(
        "--to", default="reports/informe.html", help="HTML file (default: reports/informe.html)"
    )
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("bundle", help=cmd_bundle.__doc__.splitlines()[0])
    p.add_argument("ids", nargs="*", help="assignment ids (default: all)")
    p.add_argument(
        "--to",
        type=Path,
        default=Path("dist/estudiantes"),
        help="folder (default: dist/estudiantes)",
    )
    p.set_defaults(func=cmd_bundle)
    p = sub.add_parser("collect", help=cmd_collect.__doc__)
    p.add_argument("source", type=Path, help="zip file or folder downloaded from the LMS")
    p.add_argument("--assignment", required=True, help="assignment id")
    p.add_argument(
        "--lms",
        choices=("moodle", "canvas", "plain"),
        default=None,
        help="the LMS's file naming (default: detected; mixed namings are reported)",
    )
    p.set_defaults(func=cmd_collect)
    args = parser.parse_args(argv)
    # nbgrader's gradebook triggers SQLAlchemy warnings that say nothing to an instructor
    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", message=".*not in session.*")
    if args.command == "worker":  # a worker has no course folder
        return cmd_worker(None, args)
    try:
        root = tools.course_root(args.course)
    except tools.PipelineError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    try:
        return args.func(root, args)
    except Refusal as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
