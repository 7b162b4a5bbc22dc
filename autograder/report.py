"""The instructor's HTML report: how the class did, and which exercises confused it.

Built from nbgrader's gradebook, the autograded notebooks and the grading
times that ``autograder grade`` records in ``reports/grading_times.csv``: per
assignment, the distribution of autograded scores, the failure rate of every
test cell (written answers awaiting a manual grade are shown as pending, not
as failed), how many submissions made each known mistake that the checks
named in a test cell (:func:`mistake_counts`), and the grading time of every
submission. Plots are embedded, so the report is one self-contained file.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from collections import Counter, defaultdict
from pathlib import Path

import nbformat

from .checks import named_mistake

TIMES_FILE = Path("reports") / "grading_times.csv"
#: The errors the grader's limits write into a cell it stopped or could not run (see
#: :mod:`autograder.faults`): a time limit, a kernel that died or was stopped.
LIMIT_ERRORS = frozenset({"TiempoAgotado", "CeldaDetenida", "KernelDetenido"})


def record_times(root: Path, results) -> Path:
    """Store the grading time of each submission (the last run of each wins)."""
    path = root / TIMES_FILE
    rows = {}
    if path.exists():
        with open(path, newline="", encoding="utf-8") as handle:
            rows = {(r["assignment"], r["student"]): r for r in csv.DictReader(handle)}
    for result in results:
        rows[(result.assignment, result.student)] = {
            "assignment": result.assignment,
            "student": result.student,
            "seconds": f"{result.seconds:.2f}",
            "success": str(result.success),
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["assignment", "student", "seconds", "success"])
        writer.writeheader()
        writer.writerows(rows[key] for key in sorted(rows))
    return path


def grader_failures(root: Path, assignments=None) -> list[tuple[str, str]]:
    """Return the submissions whose last grading FAILED (the grader's failure, not the student's).

    Parameters
    ----------
    root : Path
        The course directory.
    assignments : iterable of str, optional
        Only these assignments.

    Returns
    -------
    list of (str, str)
        ``(assignment, student)``, sorted, from ``reports/grading_times.csv``.
    """
    path = root / TIMES_FILE
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return sorted(
            (r["assignment"], r["student"])
            for r in csv.DictReader(handle)
            if r.get("success") == "False"
            and (assignments is None or r["assignment"] in assignments)
        )


def limit_stops(root: Path, cells) -> Counter:
    """Count, per grade cell, the submissions where a grader's limit stopped or skipped the cell.

    A cell that the time limit, a dead kernel or a stuck one left without a verdict
    (:data:`LIMIT_ERRORS`) fails, but it may say nothing about the student's answer in
    that cell: the report shows these apart from the other failures.

    Parameters
    ----------
    root : Path
        The course directory.
    cells : iterable of :class:`autograder.nbgrader_tools.CellGrade`
        The grade cells to look at.

    Returns
    -------
    collections.Counter
        ``(assignment, notebook, cell) -> submissions``.
    """
    from . import nbgrader_tools as tools

    course = tools.get_course(root)
    wanted = defaultdict(set)
    for c in cells:
        if c.score is not None and c.score < c.max_score:
            wanted[(c.student, c.assignment, c.notebook)].add(c.cell)
    counts: Counter = Counter()
    for (student, assignment, notebook), ids in sorted(wanted.items()):
        try:
            nb = nbformat.read(
                course.autograded(student, assignment) / f"{notebook}.ipynb", as_version=4
            )
        except (OSError, ValueError):
            continue
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id in ids and any(
                o.get("output_type") == "error" and o.get("ename") in LIMIT_ERRORS
                for o in cell.get("outputs", [])
            ):
                counts[(assignment, notebook, grade_id)] += 1
    return counts


def mistake_counts(root: Path, cells) -> dict[tuple[str, str, str], Counter]:
    """Count, per test cell, the submissions whose failure named each known mistake.

    A check that recognises a catalogued mistake words its message as
    :func:`autograder.checks.mistake_message`; this reads the error outputs of
    the autograded notebooks back with :func:`autograder.checks.named_mistake`.
    A submission counts once per cell and mistake, however many checks of the
    cell named it. Only ``CheckFailed`` errors count. These are analytics, not
    grades: an exception that the student's own code raises inside a test
    reaches the cell's output with its own name and message, so a student
    could add a line to this table, never change a score.

    Parameters
    ----------
    root : Path
        The course directory.
    cells : iterable of :class:`autograder.nbgrader_tools.CellGrade`
        The grade cells to look at (from :func:`autograder.nbgrader_tools.cell_grades`).

    Returns
    -------
    dict
        ``(assignment, notebook, cell) -> Counter({Spanish mistake: submissions})``;
        cells where no mistake was named are left out.
    """
    from . import nbgrader_tools as tools

    course = tools.get_course(root)
    wanted = defaultdict(set)  # (student, assignment, notebook) -> grade ids of failed cells
    for c in cells:
        if c.score is not None and c.score < c.max_score:
            wanted[(c.student, c.assignment, c.notebook)].add(c.cell)
    counts: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
    for (student, assignment, notebook), ids in sorted(wanted.items()):
        path = course.autograded(student, assignment) / f"{notebook}.ipynb"
        try:
            nb = nbformat.read(path, as_version=4)
        except (OSError, ValueError):  # missing or unreadable: nothing to count
            continue
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id not in ids:
                continue
            named = {
                named_mistake(str(output.get("evalue", "")))
                for output in cell.get("outputs", [])
                if output.get("output_type") == "error" and output.get("ename") == "CheckFailed"
            }
            for mistake in named - {None}:
                counts[(assignment, notebook, grade_id)][mistake] += 1
    return dict(counts)


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return (
        f'<img alt="" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'
    )


def build_report(root: Path, destination: Path, assignments=None) -> Path:
    """Write the HTML report of the gradebook at ``root`` to ``destination``.

    Parameters
    ----------
    root : Path
        The course directory.
    destination : Path
        The HTML file to write.
    assignments : iterable of str, optional
        Report only these assignments (default: every graded one).

    Returns
    -------
    Path
        ``destination``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import nbgrader_tools as tools

    # a submission the grader failed on is not the class's failure: shown apart
    failures = grader_failures(root, assignments)
    broken = set(failures)
    cells = [c for c in tools.cell_grades(root) if (c.assignment, c.student) not in broken]
    totals = [g for g in tools.grades(root, assignments) if (g.assignment, g.student) not in broken]
    reported = {g.assignment for g in totals}
    mistakes = mistake_counts(root, (c for c in cells if c.assignment in reported))
    stops = limit_stops(root, (c for c in cells if c.assignment in reported))
    by_assignment = defaultdict(list)
    for grade in totals:
        by_assignment[grade.assignment].append(grade)
    parts = [
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>Grading report</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}td:first-child{text-align:left}"
        "td.msg{text-align:left}</style>",
        "<h1>Grading report</h1>",
    ]
    if failures:
        parts.append(
            "<h2>Grader failures</h2><p>The grader failed on these submissions (a FAILED "
            "grading: not the students' mistakes). They are left out of the scores and failure "
            "rates below; grade them again with <code>autograder grade --student ID</code>.</p>"
            "<table class='grader-failures'><tr><th>assignment</th><th>student</th></tr>"
            + "".join(
                f"<tr><td>{html.escape(a)}</td><td>{html.escape(s)}</td></tr>" for a, s in failures
            )
            + "</table>"
        )
    for assignment, grades in sorted(by_assignment.items()):
        scores = [g.auto_score for g in grades]
        maximum = max(g.max_score for g in grades)
        waiting = sum(g.needs_manual_grade for g in grades)
        parts.append(f"<h2>{html.escape(assignment)}</h2>")
        parts.append(
            f"<p>{len(grades)} submissions; mean automatic score {sum(scores) / len(scores):.1f} "
            f"of {maximum:g} (the maximum includes the written answers)."
            + (f" {waiting} await manual grading of written answers." if waiting else "")
            + "</p>"
        )
        fig, ax = plt.subplots(figsize=(6, 2.5))
        ax.hist(scores, bins=min(20, max(5, len(scores))), range=(0, maximum), color="#4a7")
        ax.set_xlabel("automatic score")
        ax.set_ylabel("submissions")
        ax.set_title("Score distribution")
        parts.append(_png(fig))
        plt.close(fig)
        # per cell: [not full marks, graded, awaiting manual grading]; a written answer
        # awaiting its grade is pending, not failed
        tally = defaultdict(lambda: [0, 0, 0])
        several = len({c.notebook for c in cells if c.assignment == assignment}) > 1
        labels = {}
        stopped = Counter()
        for (a, notebook, cell), count in stops.items():
            if a == assignment:
                stopped[f"{notebook}/{cell}" if several else cell] += count
        for c in cells:
            if c.assignment != assignment:
                continue
            label = f"{c.notebook}/{c.cell}" if several else c.cell
            labels[(c.notebook, c.cell)] = label
            if c.score is None:
                tally[label][2] += 1
            else:
                tally[label][0] += c.score < c.max_score
                tally[label][1] += 1
        rates = sorted(
            ((f / n if n else 0.0, cell, f, n, p) for cell, (f, n, p) in tally.items()),
            key=lambda r: (r[3] == 0, -r[0], r[1]),  # most failed first, ungraded last
        )
        graded = [r for r in rates if r[3]]  # cells with no grade yet have no failure rate
        if graded:
            fig, ax = plt.subplots(figsize=(6, 0.3 * len(graded) + 1))
            ax.barh([r[1] for r in graded][::-1], [100 * r[0] for r in graded][::-1], color="#c54")
            ax.set_xlabel("% of graded submissions that do not pass the cell")
            ax.set_title("Failure rate per test cell")
            parts.append(_png(fig))
            plt.close(fig)
        if rates:
            rows = "".join(
                f"<tr><td>{html.escape(cell)}</td><td>{f}</td><td>{n}</td>"
                f"<td>{f'{100 * rate:.0f} %' if n else '-'}</td>"
                f"<td>{f'{p} pending' if p else '-'}</td>"
                f"<td>{stopped[cell] or '-'}</td></tr>"
                for rate, cell, f, n, p in rates
            )
            parts.append(
                "<p>A cell <i>stopped by a limit</i> was cut by the grader's time limit or a "
                "kernel that died or hung: counted as failed, it may say nothing about the "
                "student's answer in it.</p>"
                "<table><tr><th>cell</th><th>failed</th><th>graded</th><th>failure rate</th>"
                "<th>manual grading</th><th>of the failed: stopped by a limit</th></tr>"
                + rows
                + "</table>"
            )
        named = sorted(
            (labels[(notebook, cell)], mistake, count)
            for (a, notebook, cell), counter in mistakes.items()
            if a == assignment
            for mistake, count in counter.items()
        )
        if named:
            parts.append(
                "<h3>Known mistakes</h3><p>Submissions whose failure in a test cell named a "
                "known mistake, with the message the students read.</p>"
            )
            rows = "".join(
                f"<tr><td>{html.escape(label)}</td><td class='msg'>«{html.escape(mistake)}»</td>"
                f"<td>{count} of {tally[label][1]}</td></tr>"
                for label, mistake, count in sorted(named, key=lambda r: (r[0], -r[2], r[1]))
            )
            parts.append(
                "<table><tr><th>cell</th><th>mistake (as the student saw it)</th>"
                "<th>submissions</th></tr>" + rows + "</table>"
            )
    times_path = root / TIMES_FILE
    if times_path.exists():
        with open(times_path, newline="", encoding="utf-8") as handle:
            times = [
                r
                for r in csv.DictReader(handle)
                if assignments is None or r["assignment"] in assignments
            ]
        if times:
            parts.append("<h2>Grading time per submission</h2>")
            fig, ax = plt.subplots(figsize=(6, 0.3 * len(times) + 1))
            labels = [f"{r['student']} · {r['assignment']}" for r in times]
            ax.barh(labels[::-1], [float(r["seconds"]) for r in times][::-1], color="#47a")
            ax.set_xlabel("seconds")
            parts.append(_png(fig))
            plt.close(fig)
            total = sum(float(r["seconds"]) for r in times)
            parts.append(f"<p>Total: {total:.0f} s of computing for {len(times)} submissions.</p>")
    parts.append("</html>")
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text("\n".join(parts), encoding="utf-8")
    return destination
