# Shared by run.sh and test.sh: a virtualenv with the pinned requirements, and Reflex's settings.
# Usage: source scripts/_bootstrap.sh REQUIREMENTS_FILE
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/_apt.sh

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c "import ensurepip" 2>/dev/null; then
    echo "Installing python3-venv ..."
    apt_install python3-venv
  fi
  "$PYTHON" -m venv .venv
fi

stamp=.venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$1")
if [ ! -f "$stamp" ]; then
  echo "Installing Python requirements from $1 ..."
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$1"
  touch "$stamp"
fi

export PATH="$PWD/.venv/bin:$PATH"
# Reflex: npm from the virtualenv (bun cannot be downloaded here), no telemetry, no version check.
export REFLEX_USE_NPM=1 REFLEX_CHECK_LATEST_VERSION=false
