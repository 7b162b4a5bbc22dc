"""The student bundle: everything a student needs, and nothing of the instructor's.

``autograder bundle [ID...] --to DIR`` writes:

- ``DIR/iap_estudiante-<version>-py3-none-any.whl``: the student package, a
  distribution of its own (``iap-estudiante``) holding ``autograder/__init__``,
  ``checks``, ``datasets`` and the course data (``autograder/data/``, checked by
  the loaders' checksums). Its dependencies are the repository's base
  dependencies (what the release notebooks import); ``[lab]`` adds JupyterLab.
  No ``source/``, no catalogues, no grading pipeline.
- ``DIR/<id>/<id>.ipynb``: the release notebooks, and ``DIR/<id>.zip`` with the
  same folder for the LMS.
- ``DIR/LEEME.md``: how to install and open them, in Spanish.

The first cell of every notebook installs the wheel when the package is
missing (Colab, a JupyterHub without it) from ``c.StudentBundle.package_url``
of ``nbgrader_config.py``, which :class:`SetupCell` writes into the student
version when nbgrader generates it.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from . import __version__

#: Distribution name of the student wheel (the import name stays ``autograder``).
DISTRIBUTION = "iap-estudiante"
#: The package modules a student's notebook imports; nothing else goes into the wheel.
STUDENT_MODULES = ("__init__.py", "checks.py", "datasets.py")
#: Data files of the wheel (relative to the repository's ``data/``), beside their checksums.
DATA_FILES = (
    "README.md",
    "SHA256SUMS",
    "boston_housing.csv",
    "mnist.npz",
    "fashion-mnist/train-images-idx3-ubyte.gz",
    "fashion-mnist/train-labels-idx1-ubyte.gz",
    "fashion-mnist/t10k-images-idx3-ubyte.gz",
    "fashion-mnist/t10k-labels-idx1-ubyte.gz",
)
#: What ``pip install "<wheel>[lab]"`` adds for a student working on their own machine.
LAB_EXTRA = ("jupyterlab>=4.2,<5", "ipykernel>=6.29,<7")

#: The line of every setup cell that holds where the package is installed from.
URL_LINE = re.compile(r"^(?P<indent>[ \t]*)PAQUETE_DEL_CURSO = .*$", flags=re.M)


class BundleError(RuntimeError):
    """The bundle cannot be written (the message says what to do)."""


def package_url(config) -> str:
    """Return ``c.StudentBundle.package_url`` of a loaded course config ("" when unset)."""
    section = config.get("StudentBundle", {})
    return str(section.get("package_url", "") or "")


def setup_cell_url(nb) -> str | None:
    """Return the package location written in a notebook's setup cell (None: no such line)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            match = URL_LINE.search(cell.source)
            if match:
                value = match.group(0).split("=", 1)[1].strip()
                return str(ast.literal_eval(value))
    return None


class SetupCell(Preprocessor):
    """Write ``c.StudentBundle.package_url`` into the setup cell's ``PAQUETE_DEL_CURSO`` line.

    Runs first in ``GenerateAssignment`` (see ``nbgrader_config.py``), so the
    checksums nbgrader records cover the written line.
    """

    enabled = Bool(True, help="nbconvert's preprocessors are off unless enabled").tag(config=True)

    def preprocess(self, nb, resources):
        """Replace the value of the ``PAQUETE_DEL_CURSO = ...`` line in every code cell."""
        url = package_url(self.config)
        for cell in nb.cells:
            if cell.cell_type == "code" and URL_LINE.search(cell.source):
                cell.source = URL_LINE.sub(
                    lambda m: f"{m.group('indent')}PAQUETE_DEL_CURSO = {json.dumps(url)}",
                    cell.source,
                )
        return nb, resources


@dataclass(frozen=True)
class Bundle:
    """What :func:`write_bundle` wrote."""

    root: Path
    wheel: Path
    notebooks: list[Path]
    zips: list[Path]
    readme: Path

    def size(self) -> int:
        """Return the total size in bytes of the bundle's files."""
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())


def student_dependencies(root: Path) -> list[str]:
    """Return the repository's base dependencies: the student's (see ``pyproject.toml``)."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return list(project["dependencies"])


def _student_pyproject(root: Path) -> str:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def toml_list(items) -> str:
        return "[" + ", ".join(f'"{item}"' for item in items) + "]"

    return f"""[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{DISTRIBUTION}"
version = "{__version__}"
description = "Pruebas y datos de las libretas del curso Introducción al Aprendizaje Profundo (unidad 1)."
readme = "LEEME.md"
requires-python = "{project["requires-python"]}"
license = {{ text = "MIT" }}
dependencies = {toml_list(project["dependencies"])}

[project.optional-dependencies]
lab = {toml_list(LAB_EXTRA)}

[tool.setuptools]
packages = ["autograder"]
include-package-data = false

[tool.setuptools.package-data]
autograder = ["data/*.csv", "data/*.npz", "data/*.md", "data/SHA256SUMS", "data/fashion-mnist/*.gz"]
"""


def build_wheel(root: Path, destination: Path, readme: str) -> Path:
    """Build the student wheel from a generated project; return its path in ``destination``."""
    destination.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="iap-wheel-") as tmp:
        project = Path(tmp) / "iap-estudiante"
        package = project / "autograder"
        package.mkdir(parents=True)
        for name in STUDENT_MODULES:
            shutil.copy2(root / "autograder" / name, package / name)
        for name in DATA_FILES:
            source = root / "data" / name
            if not source.is_file():
                raise BundleError(f"missing data file {source}")
            (package / "data" / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, package / "data" / name)
        (project / "pyproject.toml").write_text(_student_pyproject(root), encoding="utf-8")
        (project / "LEEME.md").write_text(readme, encoding="utf-8")
        command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp]
        if importlib.util.find_spec("setuptools") is not None:
            command.append("--no-build-isolation")  # offline, with this interpreter's setuptools
        result = subprocess.run(
            [*command, str(project)], capture_output=True, text=True, cwd=tmp, check=False
        )
        built = sorted(Path(tmp).glob("*.whl"))
        if result.returncode != 0 or len(built) != 1:
            raise BundleError(f"pip wheel failed:\n{result.stdout}\n{result.stderr}")
        for old in destination.glob(f"{DISTRIBUTION.replace('-', '_')}-*.whl"):
            old.unlink()
        return Path(shutil.copy2(built[0], destination / built[0].name))


def leeme(wheel_name: str, ids: list[str], url: str) -> str:
    """Return the Spanish ``LEEME.md`` of the bundle."""
    listing = "\n".join(f"- `{i}/{i}.ipynb` (también en `{i}.zip`)" for i in ids)
    colab = (
        f"La primera celda de cada libreta instala el paquete del curso desde\n`{url}`\n"
        "cuando falta (tarda uno o dos minutos la primera vez) y lo avisa con un mensaje."
        if url
        else "Sube también el archivo `.whl` a Colab (panel *Archivos*) y ejecuta en una "
        f"celda, antes de la primera de la libreta:\n\n    %pip install {wheel_name}"
    )
    hub = (
        "La primera celda instala el paquete si falta."
        if url
        else "El paquete suele estar ya instalado; si la primera celda dice que falta, "
        "avisa a tu profesor."
    )
    return f"""# Introducción al Aprendizaje Profundo — unidad 1

¡Bienvenida, bienvenido! Aquí tienes todo lo necesario para trabajar las libretas
del curso en tu computadora, en Colab o en el JupyterHub de tu institución.

## Qué hay en esta carpeta

- `{wheel_name}`: el paquete del curso. Trae las pruebas que revisan tu código
  (con mensajes en español) y los datos (Boston, MNIST, Fashion-MNIST), así que
  no necesitas descargar nada más.
{listing}

## En tu computadora

Necesitas Python 3.11 o 3.12. En una terminal, dentro de esta carpeta:

    python3 -m venv .venv
    source .venv/bin/activate        # en Windows: .venv\\Scripts\\activate
    pip install "{wheel_name}[lab]"
    jupyter lab

Se abrirá JupyterLab en tu navegador: abre la carpeta de la tarea y su libreta.
La instalación descarga TensorFlow (unos cientos de MB): hazla con buena conexión.

## En Colab

Abre la libreta (*Archivo → Subir libreta*). {colab}

## En JupyterHub

Si tu profesor usa el intercambio de nbgrader, descarga la tarea desde la
pestaña *Assignments*. {hub}

## Cómo trabajar

1. Ejecuta las celdas en orden. Completa las marcadas con `# TU CÓDIGO AQUÍ`
   (borra la línea `raise NotImplementedError(...)`) y `ESCRIBE TU RESPUESTA AQUÍ`.
2. Después de cada ejercicio hay una celda de prueba: si falla, lee su mensaje;
   dice qué se esperaba, qué obtuviste y da una pista.
3. Antes de entregar: *Kernel → Restart Kernel and Run All Cells* y revisa que
   todo funcione. Entrega la libreta `.ipynb` (sin cambiarle el nombre) por la
   plataforma del curso.

¡Mucho éxito!
"""


def write_bundle(root: Path, ids: list[str], destination: Path, url: str) -> Bundle:
    """Write the student bundle of the assignments ``ids`` into ``destination``.

    The release notebooks must be those of ``url`` (``autograder release``
    writes it into their setup cells).
    """
    notebooks, zips = [], []
    for assignment in ids:
        source = root / "release" / assignment / f"{assignment}.ipynb"
        if not source.is_file():
            raise BundleError(f"{source} is missing: run `autograder release {assignment}`")
        written = setup_cell_url(nbformat.read(source, as_version=4))
        if written is not None and written != url:
            raise BundleError(
                f"{source} installs the package from {written!r}, but nbgrader_config.py says "
                f"c.StudentBundle.package_url = {url!r}: run `autograder release` and commit"
            )
    destination.mkdir(parents=True, exist_ok=True)
    wheel_name = f"{DISTRIBUTION.replace('-', '_')}-{__version__}-py3-none-any.whl"
    readme = leeme(wheel_name, ids, url)
    wheel = build_wheel(root, destination, readme)
    for assignment in ids:
        folder = destination / assignment
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        target = folder / f"{assignment}.ipynb"
        shutil.copy2(root / "release" / assignment / f"{assignment}.ipynb", target)
        notebooks.append(target)
        archive = destination / f"{assignment}.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as handle:
            handle.write(target, f"{assignment}/{assignment}.ipynb")
        zips.append(archive)
    path = destination / "LEEME.md"
    path.write_text(readme, encoding="utf-8")
    return Bundle(destination, wheel, notebooks, zips, path)


def cmd_bundle(root: Path, args) -> int:
    """Write the student bundle: wheel, release notebooks, a zip per assignment, LEEME.md."""
    from . import nbgrader_tools as tools

    known = tools.assignment_ids(root)
    unknown = sorted(set(args.ids) - set(known))
    if unknown:
        raise SystemExit(f"unknown assignment(s): {', '.join(unknown)}; known: {', '.join(known)}")
    destination = args.to if args.to.is_absolute() else Path.cwd() / args.to
    url = package_url(tools.load_config(root))
    try:
        bundle = write_bundle(root, args.ids or known, destination, url)
    except BundleError as exc:
        print(f"bundle: {exc}", file=sys.stderr)
        return 1
    print(f"student wheel: {bundle.wheel} ({bundle.wheel.stat().st_size / 1e6:.1f} MB)")
    for notebook, archive in zip(bundle.notebooks, bundle.zips, strict=True):
        print(f"  {notebook.relative_to(destination)}  +  {archive.name}")
    print(
        f"bundle written to {destination} ({bundle.size() / 1e6:.1f} MB in all); read {bundle.readme.name}"
    )
    if not url:
        print(
            "note: c.StudentBundle.package_url is not set in nbgrader_config.py; in Colab the "
            "notebooks will ask students to upload and install the wheel themselves"
        )
    return 0
