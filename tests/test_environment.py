"""Project hygiene: dependencies agree, the README has its two commands, CI runs the suite."""

import re
import tomllib

from .conftest import ROOT


def _normalise(requirement):
    return re.sub(r"\s+", "", requirement).lower()


def _environment_yml_pip_list():
    lines = (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    items = []
    for line in lines[start + 1 :]:
        match = re.match(r"^\s{6}- (.+)$", line)
        if not match:
            break
        items.append(match.group(1))
    return items


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    expected = project["dependencies"] + extras["grading"] + extras["dev"]
    pip_list = [item for item in _environment_yml_pip_list() if item != "-e ."]
    assert sorted(map(_normalise, pip_list)) == sorted(map(_normalise, expected))
    assert "-e ." in _environment_yml_pip_list(), "environment.yml must install the course package"
    assert "python=3.11" in (ROOT / "environment.yml").read_text()


def test_tensorflow_cpu_on_linux():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("tensorflow-cpu") and "sys_platform == 'linux'" in d for d in deps)


def test_grading_stack_is_an_extra_not_a_student_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!;\[ ]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    assert names == {"numpy", "matplotlib", "scikit-learn", "tensorflow-cpu", "tensorflow", "keras"}
    grading = project["optional-dependencies"]["grading"]
    assert any(d.startswith("nbgrader==0.9") for d in grading)
    assert any(d.startswith("jupyterlab") for d in grading)
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -e '.[grading,dev]'" in makefile


def test_readme_has_exactly_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\s*(make \w+)\s*$", section, flags=re.M)
    assert commands == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command_only():
    script = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip()
        and not line.startswith("#")
        and not line.startswith("set ")
        and not line.startswith("cd ")
    ]
    assert script == ["make test"]


def test_assignment_folders_hold_no_data():
    for folder in ("source", "release"):
        for path in (ROOT / folder).rglob("*"):
            assert path.suffix not in {".csv", ".npz", ".gz"}, (
                f"data file inside an assignment: {path}"
            )


def test_runtime_state_is_ignored():
    ignored = (ROOT / ".gitignore").read_text().split()
    for name in ("submitted/", "autograded/", "feedback/", "gradebook.db", ".venv/"):
        assert name in ignored


def test_make_test_and_demo_install_the_system_packages():
    makefile = (ROOT / "Makefile").read_text()
    lines = makefile.splitlines()
    test_recipe = lines[lines.index(next(x for x in lines if x.startswith("test:"))) + 1]
    assert "scripts/system-deps.sh --with-browser" in test_recipe
    demo_target = next(line for line in lines if line.startswith("demo:"))
    assert "system-deps" in demo_target.split()
    script = (ROOT / "scripts" / "system-deps.sh").read_text()
    for package in ("bubblewrap", "chromium"):
        assert package in script
    assert 'apt-get install -y -qq "${missing[@]}"' in script
    assert "sudo apt-get install -y ${missing[*]}" in script  # the command printed otherwise
