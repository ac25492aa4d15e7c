#!/usr/bin/env bash
# Set up (first run only) and run the main job: bash scripts/main.sh [example args]
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh" ""
exec "$PY" examples/plot_ann_grid_search.py "$@" \
  2> >(grep --line-buffered -vE "$TF_STARTUP_LINES" >&2)
