#!/usr/bin/env bash
# Set up and run Aisha on one port: migrate, create the admin, load the demo on a fresh
# embedded database, build the web app and serve it.
source "$(dirname "$0")/_bootstrap.sh" requirements.txt

PORT=${PORT:-3000}
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://localhost:$PORT}

python -m aisha_app.manage setup
echo
echo "Building the web app; Aisha will be at $PUBLIC_BASE_URL."
echo
exec reflex run --env prod --single-port --frontend-port "$PORT"
