#!/usr/bin/env bash
# Set up (first run only) and run the test suite: bash scripts/test.sh [pytest args]
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh" "[test]"
exec "$PY" -m pytest "$@"
