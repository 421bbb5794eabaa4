#!/usr/bin/env bash
# Set up and run every test: lint; API and unit tests, then the API fuzz, on SQLite, and again on
# PostgreSQL when TEST_DATABASE_URL is set; then the browser tests (Chromium against the running app).
source "$(dirname "$0")/_bootstrap.sh" requirements-dev.txt

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests ..."
  apt_install chromium
fi

# Reports stay in test-results/ (git-ignored; emptied first): one junit XML per suite and the app's
# log of each browser run. Temporary files live in one directory per pytest run, removed at its end.
results=test-results
rm -rf "$results" && mkdir -p "$results"
status=0
pg=${TEST_DATABASE_URL:-}
suite() {  # suite NAME DATABASE_URL PYTEST_ARGS...
  local name=$1 url=$2
  shift 2
  echo
  echo "=== $name"
  TEST_DATABASE_URL=$url python -m pytest "$@" --junitxml="$results/$name.xml" || { status=1; return 1; }
}
both() {  # both NAME PYTEST_ARGS...: NAME-sqlite, and NAME-postgresql beside it when there is one
  local name=$1
  shift
  if [ -z "$pg" ]; then
    suite "$name-sqlite" "" "$@" || true
    return
  fi
  # Side by side (two cores), each to its log, shown when both are done. The PostgreSQL run gets a
  # Redis of its own when CI starts one (TEST_REDIS_URL_POSTGRESQL): a bus test hears only its own.
  suite "$name-sqlite" "" "$@" >"$results/$name-sqlite.log" 2>&1 &
  local lite=$!
  TEST_REDIS_URL=${TEST_REDIS_URL_POSTGRESQL:-${TEST_REDIS_URL:-}} suite "$name-postgresql" "$pg" "$@" \
    >"$results/$name-postgresql.log" 2>&1 &
  local post=$!
  wait "$lite" || status=1
  wait "$post" || status=1
  cat "$results/$name-sqlite.log" "$results/$name-postgresql.log"
}

echo "=== lint"
ruff check --no-cache . || status=1
ruff format --no-cache --check --quiet . || { echo "run: .venv/bin/ruff format ."; status=1; }

both unit tests/unit -q
# Schemathesis against /openapi.json as an admin: a few examples per operation; any 5xx fails.
both fuzz tests/fuzz -q
# Playwright's sync API and pytest-asyncio do not share a process: browser tests run on their own.
browser_args=(tests/browser -q -p no:asyncio -W ignore::pytest.PytestConfigWarning)
suite browser-sqlite "" "${browser_args[@]}" || true
[ -z "$pg" ] || suite browser-postgresql "$pg" "${browser_args[@]}" || true

python - "$results" <<'PY'
import sys, xml.etree.ElementTree as ET
from pathlib import Path
total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
for report in sorted(Path(sys.argv[1]).glob("*.xml")):
    suite = ET.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    for key in total:
        total[key] += int(suite.get(key, 0))
    print(f"{report.stem}: {suite.get('tests')} tests, {suite.get('failures')} failed, "
          f"{suite.get('errors')} errors, {suite.get('skipped')} skipped")
failed = total["failures"] + total["errors"]
passed = total["tests"] - failed - total["skipped"]
print(f"total: {passed} passed, {failed} failed, {total['skipped']} skipped")
logs = sorted(str(log) for log in Path(sys.argv[1]).glob("browser-*/app.log"))
print(f"reports: {sys.argv[1]}/*.xml" + (f"; the app's logs: {', '.join(logs)}" if logs else ""))
PY
exit $status
