"""Collecting LMS downloads: Moodle, Canvas and plain names land in nbgrader's layout."""

import zipfile

import nbformat
import pytest
from nbformat.v4 import new_notebook

from autograder.collect import collect, student_of

A = "1.1_RegresionLineal"


@pytest.mark.parametrize(
    ("relpath", "student"),
    [
        ("Ana María Pérez_123456_assignsubmission_file_1.1_RegresionLineal.ipynb", "123456"),
        ("Ana María Pérez_123456_assignsubmission_file_/Copia de 1.1.ipynb", "123456"),
        ("perezana_4242_99001_1.1_RegresionLineal.ipynb", "4242"),
        ("perezana_LATE_4242_99001_1.1_RegresionLineal-1.ipynb", "4242"),
        ("a0123.ipynb", "a0123"),
        ("a0123/mi_tarea.ipynb", "a0123"),
    ],
)
def test_student_ids_from_lms_names(relpath, student):
    assert student_of(relpath) == student


def _write(path, marker):
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = new_notebook()
    nb.metadata["marker"] = marker
    nbformat.write(nb, path)


def test_collect_a_moodle_zip_with_renamed_and_extra_files(tmp_path):
    download = tmp_path / "download"
    _write(download / "Ana Pérez_11_assignsubmission_file_" / "Copia de 1.1 (2).ipynb", "ana")
    _write(download / "Beto Ruiz_12_assignsubmission_file_1.1_RegresionLineal.ipynb", "beto")
    (download / "Beto Ruiz_12_assignsubmission_file_notas.txt").write_text("hola")
    archive = tmp_path / "moodle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in download.rglob("*"):
            zf.write(path, path.relative_to(download))
        zf.writestr("../escape.ipynb", "{}")
    course = tmp_path / "course"
    collected, problems = collect(archive, A, course)
    assert sorted(c.student for c in collected) == ["11", "12"]
    ana = nbformat.read(course / "submitted" / "11" / A / f"{A}.ipynb", as_version=4)
    assert ana.metadata["marker"] == "ana"
    assert any("notas.txt" in p for p in problems) and any("unsafe" in p for p in problems)
    assert not (tmp_path / "escape.ipynb").exists()


def test_collect_a_canvas_folder_prefers_the_assignment_notebook(tmp_path):
    download = tmp_path / "canvas"
    _write(download / "perezana_LATE_4242_99001_borrador.ipynb", "draft")
    _write(download / f"perezana_LATE_4242_99002_{A}.ipynb", "final")
    _write(download / f"ruizbeto_5151_99003_{A}.ipynb", "beto")
    collected, problems = collect(download, A, tmp_path / "course")
    assert sorted(c.student for c in collected) == ["4242", "5151"]
    final = nbformat.read(
        tmp_path / "course" / "submitted" / "4242" / A / f"{A}.ipynb", as_version=4
    )
    assert final.metadata["marker"] == "final"
    assert any("2 notebooks" in p for p in problems)
