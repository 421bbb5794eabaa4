"""One temporary directory per test run, removed when the run ends: nothing is left in /tmp.

Loaded before the suites' own conftests, so it is already TMPDIR when they start: for this
process (``tempfile``, pytest's ``tmp_path``) and for everything it starts (the app, Reflex,
npm, Chromium). Reports and app logs that a run keeps go to ``test-results/`` instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile

RUN_TMP = tempfile.mkdtemp(prefix="aisha-tests-")
os.environ["TMPDIR"] = RUN_TMP
tempfile.tempdir = RUN_TMP


def pytest_unconfigure(config) -> None:
    shutil.rmtree(RUN_TMP, ignore_errors=True)
