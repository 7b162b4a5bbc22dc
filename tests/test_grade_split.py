"""The coordinator/executor split: what an executor needs, and that it fails closed."""

import shutil
import subprocess
import sys
from types import SimpleNamespace

import pytest

from autograder import cli
from autograder.grade import Coordinator
from autograder.grade.executor import Job, run_job
from autograder.grade.worker import dask_setup
from autograder.sandbox import BWRAP_VARIABLE, UNSANDBOXED_VARIABLE, SandboxUnavailable

from .conftest import ROOT


@pytest.fixture
def no_bubblewrap(monkeypatch):
    monkeypatch.setenv(BWRAP_VARIABLE, "no-such-bubblewrap-program")
    monkeypatch.delenv(UNSANDBOXED_VARIABLE, raising=False)


def test_an_executor_without_its_sandbox_refuses_to_run(no_bubblewrap):
    job = Job("a", "s", {}, {}, {}, config=None)
    with pytest.raises(SandboxUnavailable):
        run_job(job)
    with pytest.raises(SandboxUnavailable):  # the Dask worker's preload: the worker never starts
        dask_setup(SimpleNamespace(state=SimpleNamespace(nthreads=1)))


def test_autograder_worker_refuses_to_start_without_its_sandbox(no_bubblewrap, capsys):
    assert cli.main(["worker", "tcp://127.0.0.1:9"]) == 2
    assert "refusing to start" in capsys.readouterr().err


def test_a_job_never_escapes_its_scratch_folder():
    from traitlets.config import Config

    job = Job("a", "s", {}, {"../evil.py": b"x"}, {}, config=Config(), unsandboxed=True)
    result = run_job(job)
    assert "unsafe file name" in result.error and not result.executed


def test_the_executor_imports_neither_the_gradebook_nor_the_coordinator():
    code = (
        "import sys, autograder.grade.executor, autograder.grade.worker\n"
        "bad = [m for m in ('nbgrader.api', 'sqlalchemy', 'autograder.grade.coordinator') "
        "if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_cluster_is_a_documented_configuration_trait(tmp_path):
    shutil.copytree(ROOT / "source" / "1.1_RegresionLineal", tmp_path / "source" / "1.1")
    config = (ROOT / "nbgrader_config.py").read_text()
    (tmp_path / "nbgrader_config.py").write_text(
        config + "\nc.Coordinator.cluster = 'tcp://10.0.0.5:8786'\nc.Coordinator.retries = 5\n"
    )
    coordinator = Coordinator(tmp_path)
    assert coordinator.cluster == "tcp://10.0.0.5:8786" and coordinator.retries == 5
    assert Coordinator(tmp_path, cluster="").cluster == ""  # the command line wins
    for name in ("cluster", "jobs", "retries", "connect_timeout"):
        assert Coordinator.class_traits()[name].help


def test_the_digest_follows_the_submission_the_assignment_and_the_grading_config(tmp_path):
    a = "1.1_RegresionLineal"
    shutil.copytree(ROOT / "source" / a, tmp_path / "source" / a)
    shutil.copytree(
        ROOT / "examples" / "submissions" / "ana_completa" / a,
        tmp_path / "submitted" / "ana_completa" / a,
    )
    config = tmp_path / "nbgrader_config.py"
    config.write_text((ROOT / "nbgrader_config.py").read_text())

    def digest():
        from autograder import nbgrader_tools as tools

        tools._COURSES.clear()
        return Coordinator(tmp_path).digest(a, "ana_completa")

    first = digest()
    assert digest() == first
    config.write_text(config.read_text() + "\nc.Coordinator.cluster = 'tcp://10.0.0.5:8786'\n")
    assert digest() == first, "where executors run is not what grades"
    (tmp_path / "submitted" / "ana_completa" / a / "notas.txt").write_text("hola")
    second = digest()
    assert second != first
    (tmp_path / "source" / a / f"{a}.ipynb").write_text(
        (tmp_path / "source" / a / f"{a}.ipynb").read_text().replace("assert", "assert  ", 1)
    )
    third = digest()
    assert third != second
    config.write_text(config.read_text() + "\nc.Execute.timeout = 301\n")
    assert digest() != third
