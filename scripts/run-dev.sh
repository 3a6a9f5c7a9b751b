#!/usr/bin/env bash
# `make run`: the development server and the task worker (exports, reminder e-mails, quiz deadlines)
# side by side; Ctrl-C (or SIGTERM) stops both.
set -uo pipefail
PY="${PY:-.venv/bin/python}"
ADDR="${1:-127.0.0.1:8000}"

"$PY" manage.py db_worker --queue-name '*' &
worker=$!
"$PY" manage.py runserver "$ADDR" &
server=$!

stop() {
  trap - INT TERM EXIT
  kill -TERM "$server" "$worker" 2>/dev/null
  wait "$server" "$worker" 2>/dev/null
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT
# Whichever ends first (a crash, or Ctrl-C) ends the other.
wait -n "$server" "$worker"
