"""The instructor's HTML report: how the class did, and which exercises confused it.

Built from nbgrader's gradebook and the grading times that ``autograder
grade`` records in ``reports/grading_times.csv``: per assignment, the
distribution of autograded scores and the failure rate of every test cell;
and the grading time of every submission. Plots are embedded, so the report
is one self-contained file.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from collections import defaultdict
from pathlib import Path

TIMES_FILE = Path("reports") / "grading_times.csv"


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


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return (
        f'<img alt="" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'
    )


def build_report(root: Path, destination: Path, assignments=None) -> Path:
    """Write the HTML report of the gradebook at ``root`` to ``destination``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import nbgrader_tools as tools

    cells = tools.cell_grades(root)
    totals = tools.grades(root, assignments)
    by_assignment = defaultdict(list)
    for grade in totals:
        by_assignment[grade.assignment].append(grade)
    parts = [
        "<!doctype html><html lang='es'><meta charset='utf-8'><title>Informe de calificación</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}td:first-child{text-align:left}</style>",
        "<h1>Informe de calificación</h1>",
    ]
    for assignment, grades in sorted(by_assignment.items()):
        scores = [g.auto_score for g in grades]
        maximum = max(g.max_score for g in grades)
        parts.append(f"<h2>{html.escape(assignment)}</h2>")
        parts.append(
            f"<p>{len(grades)} entregas; puntuación automática media {sum(scores) / len(scores):.1f} "
            f"de {maximum:g} (máximo con preguntas escritas).</p>"
        )
        fig, ax = plt.subplots(figsize=(6, 2.5))
        ax.hist(scores, bins=min(20, max(5, len(scores))), range=(0, maximum), color="#4a7")
        ax.set_xlabel("puntuación automática")
        ax.set_ylabel("entregas")
        ax.set_title("Distribución de puntuaciones")
        parts.append(_png(fig))
        plt.close(fig)
        # per cell: [not full marks, graded, awaiting manual grading]; a written answer
        # awaiting its grade is pending, not failed
        tally = defaultdict(lambda: [0, 0, 0])
        several = len({c.notebook for c in cells if c.assignment == assignment}) > 1
        for c in cells:
            if c.assignment != assignment:
                continue
            label = f"{c.notebook}/{c.cell}" if several else c.cell
            if c.score is None:
                tally[label][2] += 1
            else:
                tally[label][0] += c.score < c.max_score
                tally[label][1] += 1
        rates = sorted(
            ((f / n if n else 0.0, cell, f, n, p) for cell, (f, n, p) in tally.items()),
            reverse=True,
        )
        if rates:
            fig, ax = plt.subplots(figsize=(6, 0.3 * len(rates) + 1))
            ax.barh([r[1] for r in rates][::-1], [100 * r[0] for r in rates][::-1], color="#c54")
            ax.set_xlabel("% de entregas calificadas que no superan la celda")
            ax.set_title("Tasa de fallo por celda de prueba")
            parts.append(_png(fig))
            plt.close(fig)
            rows = "".join(
                f"<tr><td>{html.escape(cell)}</td><td>{f}</td><td>{n}</td>"
                f"<td>{f'{100 * rate:.0f} %' if n else '-'}</td>"
                f"<td>{f'{p} pendiente(s) de calificación manual' if p else '-'}</td></tr>"
                for rate, cell, f, n, p in rates
            )
            parts.append(
                "<table><tr><th>celda</th><th>fallos</th><th>calificadas</th><th>tasa</th>"
                "<th>revisión manual</th></tr>" + rows + "</table>"
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
            parts.append("<h2>Tiempo de calificación por entrega</h2>")
            fig, ax = plt.subplots(figsize=(6, 0.3 * len(times) + 1))
            labels = [f"{r['student']} · {r['assignment']}" for r in times]
            ax.barh(labels[::-1], [float(r["seconds"]) for r in times][::-1], color="#47a")
            ax.set_xlabel("segundos")
            parts.append(_png(fig))
            plt.close(fig)
            total = sum(float(r["seconds"]) for r in times)
            parts.append(f"<p>Total: {total:.0f} s de cálculo para {len(times)} entregas.</p>")
    parts.append("</html>")
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text("\n".join(parts), encoding="utf-8")
    return destination
