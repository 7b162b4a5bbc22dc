"""The student bundle, and what a student without this repository can run with it."""

import contextlib
import io
import re
import shutil
import tomllib
import zipfile

import nbformat
import pytest

from autograder import nbgrader_tools as tools
from autograder.bundle import (
    DISTRIBUTION,
    URL_LINE,
    package_url,
    setup_cell_url,
    student_dependencies,
)

from . import student_env
from .conftest import ASSIGNMENTS, ROOT, release_nb, source_nb

#: One process runs this module: its module-scoped fixture is built once (make test uses
#: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("bundle")

WHEEL_FILES = {
    "autograder/__init__.py",
    "autograder/checks.py",
    "autograder/datasets.py",
    "autograder/data/README.md",
    "autograder/data/SHA256SUMS",
    "autograder/data/boston_housing.csv",
    "autograder/data/mnist.npz",
    "autograder/data/fashion-mnist/train-images-idx3-ubyte.gz",
    "autograder/data/fashion-mnist/train-labels-idx1-ubyte.gz",
    "autograder/data/fashion-mnist/t10k-images-idx3-ubyte.gz",
    "autograder/data/fashion-mnist/t10k-labels-idx1-ubyte.gz",
}

#: What TensorFlow, absl or XLA write when they are not silenced.
TF_LOG_LINE = re.compile(r"absl::|oneDNN|cpu_feature_guard|^[IWEF]\d{4} ", flags=re.M)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return student_env.build_bundle(tmp_path_factory.mktemp("bundle") / "estudiantes")


def setup_cell(nb):
    cell = next(c for c in nb.cells if c.cell_type == "code")
    assert cell.metadata.nbgrader["grade_id"] == "setup"
    assert cell.metadata.nbgrader["locked"]
    return cell.source


@pytest.mark.parametrize("which", ["source", "release"])
def test_setup_cells_are_plain_python_and_a_no_op_when_installed(which, tmp_path, monkeypatch):
    """The trusted harness runs the setup cells with exec(), outside IPython."""
    monkeypatch.chdir(tmp_path)
    for assignment in ASSIGNMENTS:
        source = setup_cell(source_nb(assignment) if which == "source" else release_nb(assignment))
        assert not re.search(r"^\s*[%!]", source, flags=re.M), f"{assignment}: a magic"
        assert "from autograder import checks" in source.split("except ImportError")[0]
        assert source.index('os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"') < source.index("autograder")
        namespace = {}
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            exec(compile(source, f"{assignment}-setup", "exec"), namespace)  # noqa: S102
        assert out.getvalue() == "", f"{assignment}: the setup cell printed {out.getvalue()!r}"
        assert "checks" in namespace and "PAQUETE_DEL_CURSO" not in namespace


def test_release_writes_the_configured_package_url(tmp_path):
    url = "https://cursos.example.org/iap/iap_estudiante-0.1.0-py3-none-any.whl"
    assignment = "1.1_RegresionLineal"
    config = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    (tmp_path / "nbgrader_config.py").write_text(
        config + f"\nc.StudentBundle.package_url = {url!r}\n", encoding="utf-8"
    )
    shutil.copytree(ROOT / "source" / assignment, tmp_path / "source" / assignment)
    [path] = tools.release(tmp_path, [assignment])
    released = nbformat.read(path, as_version=4)
    assert setup_cell_url(released) == url
    assert setup_cell_url(source_nb(assignment)) == ""
    # the committed release has the committed config's value
    assert setup_cell_url(release_nb(assignment)) == package_url(tools.load_config(ROOT))


def test_bundle_holds_the_student_package_the_notebooks_and_nothing_else(bundle):
    with zipfile.ZipFile(bundle.wheel) as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"{DISTRIBUTION.replace('-', '_')}-0.1.0.dist-info/METADATA")
    package_files = {n for n in names if not n.startswith(f"{DISTRIBUTION.replace('-', '_')}-")}
    assert package_files == WHEEL_FILES
    requires = [
        line.split(":", 1)[1].strip()
        for line in metadata.decode().splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]

    def name(requirement):
        return re.split(r"[<>=!;\[ ]", requirement, maxsplit=1)[0]

    assert sorted(map(name, requires)) == sorted(map(name, student_dependencies(ROOT)))
    all_requires = [ln for ln in metadata.decode().splitlines() if ln.startswith("Requires-Dist:")]
    assert not [ln for ln in all_requires if re.search(r"nbgrader|psycopg|notebook", ln)]
    ids = sorted(p.name for p in (ROOT / "release").iterdir() if p.is_dir())
    for assignment in ids:
        copied = bundle.root / assignment / f"{assignment}.ipynb"
        assert copied.read_bytes() == (ROOT / "release" / assignment / copied.name).read_bytes()
        with zipfile.ZipFile(bundle.root / f"{assignment}.zip") as archive:
            assert archive.namelist() == [f"{assignment}/{assignment}.ipynb"]
    leeme = (bundle.root / "LEEME.md").read_text(encoding="utf-8")
    assert bundle.wheel.name in leeme and "jupyter lab" in leeme and "Colab" in leeme
    assert not (bundle.root / "source").exists()
    top = {p.name for p in bundle.root.iterdir()}
    assert top == {bundle.wheel.name, "LEEME.md", *ids, *(f"{i}.zip" for i in ids)}
    size = bundle.size()
    print(f"bundle: {size / 1e6:.1f} MB, wheel {bundle.wheel.stat().st_size / 1e6:.1f} MB")
    assert size < 60e6


def test_setup_cell_installs_the_missing_package_and_says_so(bundle, tmp_path):
    """Colab's path: no package, so the first cell installs it from the configured location."""
    venv, work = tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    student_env.make_venv(venv)
    student_env.assert_repository_not_importable(venv, work)
    missing = student_env.run_in(venv, work, "import autograder")
    assert "ModuleNotFoundError" in missing.stderr
    source = setup_cell(release_nb("1.1_RegresionLineal"))

    def with_url(url):
        return URL_LINE.sub(lambda m: f"{m.group('indent')}PAQUETE_DEL_CURSO = {url!r}", source)

    # Unconfigured: a Spanish message that says what to do.
    unconfigured = student_env.run_in(venv, work, with_url(""))
    assert unconfigured.returncode != 0
    assert "Falta el paquete del curso. Pide a tu profesor el archivo .whl" in unconfigured.stderr
    # Configured (what `autograder release` writes from c.StudentBundle.package_url).
    configured = source.replace(
        'PAQUETE_DEL_CURSO = ""', f"PAQUETE_DEL_CURSO = {str(bundle.wheel)!r}"
    )
    configured += "\nX, y, names = load_boston()\nprint('boston', X.shape)\n"
    run = student_env.run_in(venv, work, configured)
    assert run.returncode == 0, run.stderr
    assert f"Instalando el paquete del curso desde {bundle.wheel}" in run.stdout
    assert "Listo: el paquete del curso quedó instalado." in run.stdout
    assert "boston (506, 12)" in run.stdout
    student_env.assert_repository_not_importable(venv, work)
    # A second run is a no-op.
    again = student_env.run_in(venv, work, configured)
    assert again.returncode == 0 and "Instalando" not in again.stdout


@pytest.fixture(scope="module")
def student_python(bundle, tmp_path_factory):
    base = tmp_path_factory.mktemp("student")
    (base / "work").mkdir()
    student_env.student_venv(base / "venv", bundle.wheel, base / "work")
    return base


def _run_release_notebook(student_base, assignment, cell_timeout=240):
    """Execute a release notebook in the student's venv; return it with its outputs."""
    work = student_base / "work" / assignment
    work.mkdir()
    nb_path = work / f"{assignment}.ipynb"
    shutil.copy(ROOT / "release" / assignment / nb_path.name, nb_path)
    runner = f"""
import nbformat
from nbclient import NotebookClient
nb = nbformat.read({str(nb_path)!r}, as_version=4)
NotebookClient(nb, timeout={cell_timeout}, allow_errors=True, kernel_name="python3",
               resources={{"metadata": {{"path": {str(work)!r}}}}}).execute()
nbformat.write(nb, {str(nb_path)!r})
"""
    run = student_env.run_in(student_base / "venv", work, runner, timeout=1500)
    assert run.returncode == 0, run.stderr[-3000:]
    return nbformat.read(nb_path, as_version=4)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_notebook_runs_from_the_bundle_alone(student_python, assignment):
    """Every release notebook runs in a venv with only the wheel: stubs aside, no error, no TF log."""
    nb = _run_release_notebook(student_python, assignment)
    errors, stderr = [], []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                errors.append((cell.metadata.get("nbgrader", {}).get("grade_id"), output.ename))
            if output.output_type == "stream" and output.name == "stderr":
                stderr.append(output.text)
    assert errors, "the untouched student version raised nothing"
    assert errors[0][1] == "NotImplementedError", errors[:3]
    unexpected = [
        e
        for e in errors
        if e[1] in {"ModuleNotFoundError", "ImportError", "DatasetError", "FileNotFoundError"}
    ]
    assert not unexpected, unexpected
    logs = [text for text in stderr if TF_LOG_LINE.search(text)]
    assert not logs, f"TensorFlow log lines reached the student: {logs[:2]}"


def test_pyproject_base_is_what_the_wheel_declares():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert student_dependencies(ROOT) == project["dependencies"]
