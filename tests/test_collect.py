"""Collecting LMS downloads: Moodle, Canvas and plain names land in nbgrader's layout.

Hostile downloads too: names that imitate another LMS, symlinks and special files,
over-long names and clashes, zip bombs, look-alike ids and several uploads.
"""

import os
import stat
import subprocess
import sys
import unicodedata
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
    result = collect(download, A, tmp_path / "course2")
    assert any("4242: 2 uploads" in k and "named as the notebook" in k for k in result.kept)


def _notebook_bytes(marker):
    nb = new_notebook()
    nb.metadata["marker"] = marker
    return nbformat.writes(nb).encode()


def _marker(course, student, name=A):
    path = course / "submitted" / student / A / f"{name}.ipynb"
    return nbformat.read(path, as_version=4).metadata["marker"]


def test_a_canvas_upload_named_like_moodle_cannot_replace_a_classmate(tmp_path):
    download = tmp_path / "canvas"
    # student 4242 uploads a file named like Moodle's file of student 12
    _write(download / "perezana_4242_99001_Beto Ruiz_12_assignsubmission_file_1.1.ipynb", "ana")
    _write(download / f"ruizbeto_12_99002_{A}.ipynb", "beto")
    course = tmp_path / "course"
    result = collect(download, A, course)
    assert result.lms == "canvas" and not result.errors
    assert sorted(c.student for c in result.collected) == ["12", "4242"]
    assert _marker(course, "12") == "beto" and _marker(course, "4242") == "ana"
    # given explicitly, only that pattern applies
    result = collect(download, A, tmp_path / "c2", lms="moodle")
    # (the instructor said Moodle: the canvas-only name is skipped, not guessed)
    assert [c.student for c in result.collected] == ["12"] and len(result.problems) == 1
    assert (
        student_of("perezana_4242_99001_Beto Ruiz_12_assignsubmission_file_x.ipynb", "canvas")
        == "4242"
    )


def test_mixed_namings_are_reported(tmp_path):
    download = tmp_path / "mixed"
    _write(download / "Ana Pérez_11_assignsubmission_file_a.ipynb", "ana")
    _write(download / "Beto Ruiz_12_assignsubmission_file_b.ipynb", "beto")
    _write(download / f"ruizbeto_5151_99003_{A}.ipynb", "canvas")
    result = collect(download, A, tmp_path / "course")
    assert any("mixes naming patterns" in e for e in result.errors)
    assert sorted(c.student for c in result.collected) == ["11", "12"]


def test_symlinks_and_special_files_are_refused_in_folders(tmp_path):
    secret = tmp_path / "source" / A / f"{A}.ipynb"
    _write(secret, "solutions")
    download = tmp_path / "download"
    _write(download / "ana" / f"{A}.ipynb", "ana")
    (download / "beto").mkdir()
    (download / "beto" / f"{A}.ipynb").symlink_to(secret)  # the instructor's source
    (download / "carla.ipynb").symlink_to(download / "ana" / f"{A}.ipynb")  # a classmate's
    os.mkfifo(download / "diego.ipynb")
    (download / "eva").symlink_to(tmp_path / "source", target_is_directory=True)
    course = tmp_path / "course"
    result = collect(download, A, course, lms="plain")
    assert [c.student for c in result.collected] == ["ana"]
    refused = "\n".join(result.problems)
    assert refused.count("symbolic link") == 3 and "special file" in refused
    assert not (course / "submitted" / "beto").exists()


def test_symlink_entries_in_zips_are_refused(tmp_path):
    archive = tmp_path / "moodle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        link = zipfile.ZipInfo("Beto Ruiz_12_assignsubmission_file_1.1.ipynb")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "../../source/1.1_RegresionLineal/1.1_RegresionLineal.ipynb")
        fifo = zipfile.ZipInfo("Carla_13_assignsubmission_file_1.1.ipynb")
        fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
        zf.writestr(fifo, "")
        zf.writestr("Ana Pérez_11_assignsubmission_file_1.1.ipynb", _notebook_bytes("ana"))
    result = collect(archive, A, tmp_path / "course")
    assert [c.student for c in result.collected] == ["11"]
    assert any("symbolic link in the archive" in p for p in result.problems)
    assert any("special file in the archive" in p for p in result.problems)


def test_bad_entries_are_reported_and_the_rest_collected(tmp_path):
    course = tmp_path / "course"
    (course / "submitted").mkdir(parents=True)
    (course / "submitted" / "beto").write_text("a file where a folder goes")  # a clash
    archive = tmp_path / "plain.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x" * 300 + ".ipynb", _notebook_bytes("long"))  # over-long id
        zf.writestr("beto.ipynb", _notebook_bytes("beto"))
        zf.writestr("ana", b"a file")  # a file and a folder of the same name
        zf.writestr("ana/1.1.ipynb", _notebook_bytes("ana"))
        zf.writestr("carla.ipynb", _notebook_bytes("carla"))
    result = collect(archive, A, course)
    assert sorted(c.student for c in result.collected) == ["ana", "carla"]
    problems = "\n".join(result.problems)
    assert "too long a student id" in problems and "beto.ipynb: cannot be written" in problems


BOMB_CHILD = """
import sys
from pathlib import Path
from autograder.collect import collect
result = collect(Path(sys.argv[1]), "1.1_RegresionLineal", Path(sys.argv[2]))
print(len(result.collected), "|".join(result.problems))
# VmHWM: the peak RSS of this program's own memory. ru_maxrss would also count the
# pytest process this one was started from (Linux keeps it across exec), which may be
# large after a TensorFlow test ran in it.
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
print("PEAK", peak.split()[1])
"""


def test_a_zip_bomb_is_capped_and_memory_stays_bounded(tmp_path):
    archive = tmp_path / "bomb.zip"
    zeros = b"0" * 2**20
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("bomba.ipynb", "w", force_zip64=True) as handle:
            for _ in range(2048):  # 2 GiB uncompressed
                handle.write(zeros)
        zf.writestr("ana.ipynb", _notebook_bytes("ana"))
    size = archive.stat().st_size
    assert size < 3 * 2**20, size
    course = tmp_path / "course"
    run = subprocess.run(
        [sys.executable, "-c", BOMB_CHILD, str(archive), str(course)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    first, peak = run.stdout.splitlines()
    peak_mb = int(peak.split()[1]) / 1024  # VmHWM is in kB
    print(f"zip bomb of {size / 2**20:.1f} MB: collector peak RSS {peak_mb:.0f} MB")
    assert peak_mb < 300
    assert first.startswith("1 ") and "bomba.ipynb: larger than the cap" in first
    written = sum(p.stat().st_size for p in course.rglob("*") if p.is_file())
    assert written < 2**20  # only ana's notebook: nothing of the bomb stays on disk


def test_lookalike_ids_are_never_merged(tmp_path):
    download = tmp_path / "plain"
    nfc = unicodedata.normalize("NFC", "josé")
    nfd = unicodedata.normalize("NFD", "josé")
    for student in (nfc, nfd, "josè"):
        _write(download / f"{student}.ipynb", ascii(student))
    course = tmp_path / "course"
    result = collect(download, A, course, lms="plain")
    assert sorted(c.student for c in result.collected) == sorted([nfc, nfd, "josè"])
    for student in (nfc, nfd, "josè"):
        assert _marker(course, student) == ascii(student)
    assert any("Unicode normalization" in e for e in result.errors)


def test_several_uploads_keep_the_latest_with_a_reason(tmp_path):
    archive = tmp_path / "moodle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        old = zipfile.ZipInfo("Ana_11_assignsubmission_file_/intento2.ipynb", (2026, 3, 1, 9, 0, 0))
        new = zipfile.ZipInfo("Ana_11_assignsubmission_file_/intento1.ipynb", (2026, 3, 2, 9, 0, 0))
        zf.writestr(old, _notebook_bytes("old"))
        zf.writestr(new, _notebook_bytes("new"))
    course = tmp_path / "course"
    result = collect(archive, A, course)
    assert _marker(course, "11") == "new"
    assert result.kept == [
        "11: 2 uploads of 1.1_RegresionLineal.ipynb; kept "
        "Ana_11_assignsubmission_file_/intento1.ipynb (the latest upload)"
    ]


def test_cli_collect_reports_and_refuses_an_unknown_assignment(tmp_path, capsys):
    from autograder import cli

    course = tmp_path / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    _write(course / "source" / "ps1" / "problem1.ipynb", "src")
    _write(tmp_path / "dl" / "ana" / "problem1.ipynb", "ana")
    assert (
        cli.main(["--course", str(course), "collect", str(tmp_path / "dl"), "--assignment", "nope"])
        == 1
    )
    assert "known: ps1" in capsys.readouterr().err
    assert (
        cli.main(["--course", str(course), "collect", str(tmp_path / "dl"), "--assignment", "ps1"])
        == 0
    )
    assert (course / "submitted" / "ana" / "ps1" / "problem1.ipynb").is_file()


def test_the_total_cap_stops_a_download_of_many_large_files(tmp_path):
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for student in ("ana", "beto", "carla"):
            zf.writestr(f"{student}.ipynb", _notebook_bytes(student) + b" " * 2**20)
    result = collect(archive, A, tmp_path / "course", max_total_bytes=int(2.5 * 2**20))
    assert [c.student for c in result.collected] == ["ana", "beto"]
    assert any("carla.ipynb: the download exceeds the total cap" in p for p in result.problems)


def test_sizes_declared_in_a_zip_header_are_not_trusted(tmp_path):
    archive = tmp_path / "liar.zip"
    big = _notebook_bytes("big") + b" " * (3 * 2**20)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("liar.ipynb", big)
        zf.writestr("ana.ipynb", _notebook_bytes("ana"))
    data = bytearray(archive.read_bytes())
    # declare 100 bytes uncompressed for liar.ipynb, in the local and the central header
    local = data.index(b"PK\x03\x04")
    data[local + 22 : local + 26] = (100).to_bytes(4, "little")
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    result = collect(archive, A, tmp_path / "course", max_file_bytes=2**20)
    assert [c.student for c in result.collected] == ["ana"]
    assert any(p.startswith("liar.ipynb: ") for p in result.problems), result.problems
