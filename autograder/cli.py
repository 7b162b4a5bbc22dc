"""The ``autograder`` command: the instructor's pipeline in a few verbs.

``autograder release`` generates the student versions, ``validate`` proves
that sources pass and student versions fail, ``grade`` autogrades the
submissions in ``submitted/``, ``feedback`` and ``export`` produce the
results, and ``demo`` runs the whole flow on the bundled example submissions.
"""

from __future__ import annotations

import argparse
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


def _ids(root: Path, ids: list[str]) -> list[str]:
    known = tools.assignment_ids(root)
    unknown = sorted(set(ids) - set(known))
    if unknown:
        raise SystemExit(f"unknown assignment(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return ids or known


def cmd_release(root: Path, args: argparse.Namespace) -> int:
    """Generate the student versions into ``release/``."""
    for path in tools.release(root, _ids(root, args.ids)):
        print(f"released {path.relative_to(root)}")
    return 0


def validate_assignment(root: Path, assignment: str) -> list[str]:
    """Return the problems of one assignment (empty when it is sound).

    The source must pass every autograded test cell; the committed student
    version must equal a fresh ``generate_assignment``; and the untouched
    student version, with hidden tests restored, must pass none.
    """
    problems = []
    source = nbformat.read(root / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    release_path = root / "release" / assignment / f"{assignment}.ipynb"
    fresh = tools.generate_release_copy(root, assignment)
    if not release_path.exists():
        return [f"{assignment}: release/ has no student version; run `autograder release`"]
    if nbformat.read(release_path, as_version=4) != fresh:
        problems.append(
            f"{assignment}: release/ is out of date with source/; run `autograder release`"
        )
    for result in tools.run_and_score(source, root).values():
        if result.score is not None and not result.passed:
            problems.append(
                f"{assignment}: source fails {result.grade_id}: {result.error.strip()[:300]}"
            )
    for result in tools.run_and_score(mutation.with_hidden_tests(fresh, source), root).values():
        if result.score:
            problems.append(f"{assignment}: the untouched student version passes {result.grade_id}")
    return problems


def cmd_validate(root: Path, args: argparse.Namespace) -> int:
    """Validate assignments; exit status 1 on any problem (unlike ``nbgrader validate``)."""
    problems = []
    for assignment in _ids(root, args.ids):
        found = validate_assignment(root, assignment)
        print(f"{assignment}: {'ok' if not found else f'{len(found)} problem(s)'}")
        problems += found
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1 if problems else 0


def print_grades(root: Path) -> None:
    """Print the gradebook as a table."""
    rows = tools.grades(root)
    print(f"\n{'estudiante':<24} {'tarea':<28} {'automática':>10} {'máximo':>7}  revisión manual")
    for g in rows:
        manual = "pendiente" if g.needs_manual_grade else "-"
        print(
            f"{g.student:<24} {g.assignment:<28} {g.auto_score:>10.1f} {g.max_score:>7.1f}  {manual}"
        )


def _progress(done: int, total: int, result: tools.GradingResult) -> None:
    width = 30
    bar = "#" * (width * done // total) + "." * (width - width * done // total)
    status = "graded" if result.success else "FAILED"
    print(
        f"[{bar}] {done}/{total}  {result.assignment} {result.student}: {status} ({result.seconds:.1f} s)"
    )
    for note in result.notes:
        print(f"    nota: {note}")
    if not result.success:
        print(result.log[-2000:], file=sys.stderr)


def _sandbox_status(root: Path) -> str:
    """Say how isolated the kernels will be on this machine (instructor-facing)."""
    from .sandbox import missing_layers

    config = tools.load_config(root)
    if not config.get("ResilientExecute", {}).get("sandbox", True):
        return "sandbox: OFF (ResilientExecute.sandbox = False in nbgrader_config.py)"
    missing = missing_layers()
    if not missing:
        return "sandbox: on (Landlock + user/network namespaces + resource limits)"
    return "sandbox: PARTIAL, this machine lacks " + "; ".join(missing)


def cmd_grade(root: Path, args: argparse.Namespace) -> int:
    """Autograde every submission of the assignments, in parallel over submissions."""
    tasks = [(a, s) for a in _ids(root, args.ids) for s in tools.submissions(root, a)]
    if not tasks:
        print("no submissions in submitted/")
        return 0
    jobs = args.jobs or os.cpu_count() or 1
    print(_sandbox_status(root))
    start = time.perf_counter()
    results = tools.autograde_many(root, tasks, jobs=min(jobs, len(tasks)), progress=_progress)
    record_times(root, results)
    print(
        f"graded {len(results)} submission(s) in {time.perf_counter() - start:.0f} s with {jobs} job(s)"
    )
    print_grades(root)
    return 1 if any(not r.success for r in results) else 0


def cmd_feedback(root: Path, args: argparse.Namespace) -> int:
    """Generate the HTML feedback of every autograded submission."""
    for assignment in _ids(root, args.ids):
        tools.feedback(root, assignment, tools.graded_students(root, assignment))
    print(f"feedback written to {root / 'feedback'}")
    return 0


def cmd_export(root: Path, args: argparse.Namespace) -> int:
    """Export the grades: nbgrader's CSV and a one-row-per-student CSV for Moodle and Canvas."""
    path = tools.export_csv(root, root / args.to)
    print(f"grades written to {path}")
    lms = tools.export_lms_csv(root, root / args.lms)
    print(f"gradebook for the LMS written to {lms}")
    return 0


def cmd_report(root: Path, args: argparse.Namespace) -> int:
    """Write the HTML report: score distributions, failure rate per test cell, grading times."""
    path = build_report(root, root / args.to, args.ids or None)
    print(f"report written to {path}")
    return 0


def cmd_collect(root: Path, args: argparse.Namespace) -> int:
    """Bring an LMS download (zip or folder; Moodle, Canvas or plain names) into submitted/."""
    from .collect import collect

    _ids(root, [args.assignment])
    collected, problems = collect(args.source, args.assignment, root)
    for item in collected:
        print(f"{item.student}: {item.source} -> {item.target.relative_to(root)}")
    for problem in problems:
        print(f"  ! {problem}", file=sys.stderr)
    print(f"collected {len(collected)} submission(s) of {args.assignment}")
    return 0 if collected else 1


def cmd_demo(root: Path, args: argparse.Namespace) -> int:
    """Run the instructor's whole flow on the bundled example submissions."""
    start = time.perf_counter()
    examples = root / "examples" / "submissions"
    ids = tools.assignment_ids(root)
    print("1/5 generating the student versions (nbgrader generate_assignment)")
    cmd_release(root, argparse.Namespace(ids=ids))
    print("2/5 collecting the example submissions into submitted/")
    for student_dir in sorted(p for p in examples.iterdir() if p.is_dir()):
        for assignment_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
            target = root / "submitted" / student_dir.name / assignment_dir.name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(assignment_dir, target)
    print("3/5 autograding with hidden tests (nbgrader autograde)")
    status = cmd_grade(root, argparse.Namespace(ids=ids, jobs=args.jobs))
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
        p.set_defaults(func=func)
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
    p.set_defaults(func=cmd_collect)
    args = parser.parse_args(argv)
    # nbgrader's gradebook triggers SQLAlchemy warnings that say nothing to an instructor
    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", message=".*not in session.*")
    root = tools.course_root(args.course)
    return args.func(root, args)


if __name__ == "__main__":
    sys.exit(main())
