#!/usr/bin/env bash
# The embedded profile in one command (what `make run` starts): the web server and
# one background-jobs worker on the SQLite queue in instance/. Stopping either (or
# Ctrl-C) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
FLASK=".venv/bin/flask --app wsgi"
$FLASK jobs worker &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT
$FLASK run --host "${LMS_HOST:-127.0.0.1}" --port "${LMS_PORT:-5000}"
