"""Fidelity: the trusted harness grades common test idioms exactly as stock nbgrader does.

``tests/fidelity_course/`` is an nbgrader course of one assignment whose notebook holds
common test idioms of university courses (see ``tests/fidelity_course/build.py``). Three
students hand it in: the solution (``correcto``), a typical mistake in every answer
(``errado``), and the untouched student version (``blanco``). The course is graded by
stock ``nbgrader autograde`` (a minimal configuration: no sandbox, no harness) and by
``autograder grade`` (the sandbox and the harness, as the main course wires them), each in
one batch; every grade cell must score the same.
"""

import copy
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import cli
from autograder import nbgrader_tools as tools

pytestmark = pytest.mark.xdist_group("fidelity_course")

COURSE = Path(__file__).resolve().parent / "fidelity_course"
NBGRADER = str(Path(sys.executable).parent / "nbgrader")

STOCK_CONFIG = """c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "fidelity_course"
c.IncludeHeaderFooter.header = "source/header.ipynb"
c.Execute.timeout = 120
"""


def _idioms():
    spec = importlib.util.spec_from_file_location("fidelity_build", COURSE / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.IDIOMS


IDIOMS = _idioms()


def _submission(blank, which):
    """The student version with every answer cell replaced by the solution or the mistake."""
    nb = copy.deepcopy(blank)
    if which is None:
        return nb
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in IDIOMS:
            cell.source = IDIOMS[grade_id][which]
    return nb


def _make_course(folder: Path) -> Path:
    shutil.copytree(COURSE, folder, ignore=shutil.ignore_patterns("build.py", "__pycache__"))
    tools.release(folder, ["idioms"])
    blank = nbformat.read(folder / "release" / "idioms" / "idioms.ipynb", as_version=4)
    for student, which in (("correcto", 1), ("errado", 2), ("blanco", None)):
        target = folder / "submitted" / student / "idioms"
        target.mkdir(parents=True)
        (target / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC")
        nbformat.write(_submission(blank, which), target / "idioms.ipynb")
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course graded by `autograder grade` and, in a copy, by stock nbgrader."""
    base = tmp_path_factory.mktemp("fidelity")
    ours = _make_course(base / "ours")
    stock = base / "stock"
    shutil.copytree(ours, stock)
    (stock / "nbgrader_config.py").write_text(STOCK_CONFIG)
    status = cli.main(["--course", str(ours), "grade", "--jobs", "1", "idioms"])
    run = subprocess.run(
        [NBGRADER, "autograde", "idioms", "--force"], cwd=stock, capture_output=True, text=True
    )
    return ours, stock, status, run


def _table(mine, theirs):
    lines = [f"{'idiom':<78} {'student':<9} {'stock':>9} {'autograder':>11}"]
    for grade_id, (idiom, *_) in IDIOMS.items():
        for student in ("correcto", "errado", "blanco"):
            key = (student, "idioms", "idioms", f"test_{grade_id}")
            stock, ours = theirs.get(key), mine.get(key)
            mark = "" if stock == ours else "  <-- differs"
            lines.append(
                f"{grade_id + ': ' + idiom:<78.78} {student:<9} "
                f"{_fmt(stock):>9} {_fmt(ours):>11}{mark}"
            )
    return "\n".join(lines)


def _fmt(score):
    return "-" if score is None else f"{score[0]:g}/{score[1]:g}"


def test_every_grade_cell_scores_as_stock_nbgrader(graded):
    ours, stock, status, run = graded
    assert run.returncode == 0, run.stderr[-3000:]
    assert status == 0
    mine, theirs = tools.cell_scores(ours), tools.cell_scores(stock)
    print("\n" + _table(mine, theirs))
    assert len(IDIOMS) >= 25
    assert set(mine) == set(theirs)
    assert mine == theirs
    # the suite means something: the solution earns every point, each mistake loses points
    for grade_id, (_, _, _, _, points) in IDIOMS.items():
        key = ("correcto", "idioms", "idioms", f"test_{grade_id}")
        assert theirs[key] == (points, points), grade_id
        wrong = theirs[("errado", "idioms", "idioms", f"test_{grade_id}")][0]
        assert wrong < points, grade_id
        assert theirs[("blanco", "idioms", "idioms", f"test_{grade_id}")] == (0.0, points)
    # partial credit: 5 of the 8 primality cases right is 1.25 of 2 points, in both
    assert mine[("errado", "idioms", "idioms", "test_es_primo")] == (1.25, 2.0)
