"""What the browser tests need: the system's Chromium, Playwright, a JupyterLab server.

Never downloads a browser: Playwright drives the Chromium of the system
(Debian's ``chromium``; ``make test`` installs it when missing). Without
Chromium or Playwright the browser tests are skipped, except in CI (the ``CI``
environment variable set), where they fail instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT

#: Where the screenshots go (git-ignored; the README names it).
SCREENSHOTS = ROOT / "reports" / "screenshots"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: The notebook on show (a restored workspace may hold other, hidden, notebook panels).
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
NOTEBOOK = f"{PANEL} .jp-Notebook"

#: JupyterLab settings for a test: every cell in the page (no virtual scrolling, so the
#: page text holds every output), and no news or update pop-ups.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


def chromium_executable() -> str:
    """Return the system's Chromium (skip, or fail in CI, when there is none)."""
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    _unavailable("Chromium is not installed: run  sudo apt-get install -y chromium")
    raise AssertionError  # unreachable


def sync_playwright():
    """Return Playwright's sync API (skip, or fail in CI, when it is not installed)."""
    try:
        from playwright.sync_api import sync_playwright as start
    except ImportError:
        _unavailable("Playwright is not installed: run  make .venv/.installed")
    return start


@contextlib.contextmanager
def browser_page():
    """Yield a Playwright page of a headless system Chromium."""
    executable = chromium_executable()
    with sync_playwright()() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under :data:`SCREENSHOTS`; return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_lab_settings(folder: Path) -> Path:
    """Write the test's JupyterLab user settings into ``folder``; return it."""
    for name, values in LAB_SETTINGS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return folder


@contextlib.contextmanager
def jupyterlab(python: Path, root: Path, env: dict[str, str], log: Path):
    """Run ``python -m jupyterlab`` on 127.0.0.1 (random port, a token) in ``root``.

    Yields ``(base_url, token)``; the server is stopped afterwards.
    """
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(env)
    env["JUPYTERLAB_SETTINGS_DIR"] = str(write_lab_settings(root.parent / "lab-settings"))
    env["JUPYTER_RUNTIME_DIR"] = str(root.parent / "jupyter-runtime")
    workspaces = root.parent / f"lab-workspaces-{port}"  # no layout restored from a former run
    command = [
        str(python),
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={workspaces}",
    ]
    if os.geteuid() == 0:  # containers and CI machines often run as root
        command.append("--allow-root")
    with open(log, "w") as handle:
        server = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"JupyterLab did not start:\n{log.read_text()[-3000:]}"
                    ) from None
                time.sleep(0.5)
        yield base, token
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_for_idle_notebook(page, timeout: float = 180) -> None:
    """Wait until no cell of the open notebook is running or queued and the kernel is idle."""
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        busy = page.evaluate(
            """([NOTEBOOK, PANEL]) => {
                const prompts = [...document.querySelectorAll(NOTEBOOK + ' .jp-InputArea-prompt')];
                const running = prompts.some(p => p.textContent.includes('*'));
                const status = document.querySelector(PANEL + ' .jp-Notebook-ExecutionIndicator');
                const kernelBusy = status ? status.getAttribute('data-status') === 'busy' : false;
                return running || kernelBusy;
            }""",
            [NOTEBOOK, PANEL],
        )
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 1.5:
            return
        time.sleep(0.3)
    raise TimeoutError("the notebook kept running")


def open_notebook(page, base: str, token: str, path: str) -> None:
    """Open a notebook in JupyterLab and wait until its kernel is connected and idle."""
    page.goto(f"{base}/lab/tree/{path}?token={token}")
    page.locator(f"{NOTEBOOK} .jp-Cell").first.wait_for()
    page.locator(".jp-StatusBar-Widget", has_text="| Idle").first.wait_for(timeout=90_000)
    page.wait_for_timeout(1000)


def _executed_count(page) -> int:
    return page.evaluate(
        r"""NOTEBOOK => [...document.querySelectorAll(NOTEBOOK + ' .jp-InputArea-prompt')]
                 .filter(p => /\[(\d+|\*)\]/.test(p.textContent)).length""",
        NOTEBOOK,
    )


def run_all(page) -> None:
    """Run all cells from the Run menu, and wait until they ran (or stopped at an error)."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_function(
        r"""NOTEBOOK => [...document.querySelectorAll(NOTEBOOK + ' .jp-InputArea-prompt')]
                 .some(p => /\[(\d+|\*)\]/.test(p.textContent))""",
        arg=NOTEBOOK,
        timeout=60_000,
    )
    wait_for_idle_notebook(page)


def cell(page, index: int):
    """Return the locator of the notebook's cell number ``index`` (0-based)."""
    return page.locator(f"{NOTEBOOK} .jp-Cell").nth(index)


def replace_cell_source(page, index: int, source: str) -> None:
    """Click into a code cell, select all its text and type ``source`` over it."""
    editor = cell(page, index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(source)


def run_cells(page, first: int, count: int) -> None:
    """Run ``count`` cells from ``first`` with Shift+Enter, and wait until they ran."""
    before = _executed_count(page)
    cell(page, first).locator(".jp-InputPrompt").click()
    for _ in range(count):
        page.keyboard.press("Shift+Enter")
        page.wait_for_timeout(300)
    deadline = time.monotonic() + 60
    while _executed_count(page) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    wait_for_idle_notebook(page)


@contextlib.contextmanager
def screenshot_on_failure(page, name: str):
    """Save a screenshot named ``name`` when the block fails, to see what the browser showed."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):
            print("failure screenshot:", screenshot(page, f"FAILED-{name}"))
        raise
