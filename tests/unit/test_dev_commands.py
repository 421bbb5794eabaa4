"""The README's developer commands work as written: no activated virtualenv, nothing left in /tmp."""

import os
import subprocess
import sys
from pathlib import Path

from aisha_app.devserver import app_environment

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"  # what a shell without the virtualenv has


def test_the_in_process_app_runs_the_virtualenvs_node_without_an_activated_virtualenv(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", SYSTEM_PATH)
    env = app_environment("http://localhost:3000", {}, tmp_path)
    node = subprocess.run(["node", "--version"], env=env, capture_output=True, text=True, check=True)
    assert int(node.stdout.strip().lstrip("v").split(".")[0]) >= 22  # Reflex 0.10 refuses older Node


def test_the_benchmarks_run_from_the_clone_without_an_activated_virtualenv():
    env = {**os.environ, "PATH": SYSTEM_PATH}
    for script in ("bench/webhooks.py", "bench/leads_board.py"):
        result = subprocess.run([script, "--help"], cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert "usage:" in result.stdout


def test_a_test_run_leaves_nothing_in_the_temporary_directory(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    # On SQLite whatever this run uses: a nested run must not wipe the outer run's database.
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"} | {"TMPDIR": str(scratch)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/unit/test_setup.py", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert list(scratch.iterdir()) == []
