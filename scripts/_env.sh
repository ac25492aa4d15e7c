# Shared set-up for scripts/main.sh and scripts/test.sh (sourced, not run).
# Creates the virtual environment $SKFASHION_VENV (default: .venv) if needed and
# installs skfashion into it from pyproject.toml, with the versions CI tests.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${SKFASHION_VENV:-$ROOT/.venv}"
EXTRAS="${1:-}"
# The interpreter of a new virtual environment: SKFASHION_PYTHON, else python3.
PYTHON="${SKFASHION_PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  if ! version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); then
    echo "error: cannot run $PYTHON; set SKFASHION_PYTHON to a Python 3.11+ interpreter" >&2
    exit 1
  fi
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: skfashion needs Python 3.11 or newer; $PYTHON is $version." \
      "Set SKFASHION_PYTHON, e.g. SKFASHION_PYTHON=python3.11." >&2
    exit 1
  fi
  echo "Creating virtual environment $VENV ($("$PYTHON" --version))"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
stamp="$VENV/.skfashion-installed$EXTRAS"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ .ci/constraints.txt -nt "$stamp" ]; then
  echo "Installing skfashion${EXTRAS} into $VENV"
  "$VENV/bin/python" -m pip install --quiet -c .ci/constraints.txt -e ".${EXTRAS}"
  touch "$stamp"
fi
# Without internet, use the datasets shipped beside the checkout, if any.
if [ -z "${SKFASHION_DATA:-}" ] && [ -d "$ROOT/../shared/datasets" ]; then
  SKFASHION_DATA="$(cd "$ROOT/../shared/datasets" && pwd)"
  export SKFASHION_DATA
fi
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
PY="$VENV/bin/python"
# TensorFlow's start-up lines on stderr, which report nothing wrong: absl's
# notice before its logging starts, oneDNN's note, and the CUDA probe of a
# machine without a GPU ("failed call to cuInit"). main.sh leaves them out;
# the library does not filter them. Run python directly to see them.
TF_STARTUP_LINES='^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR|[IWE][0-9]{4} [0-9:. ]+ +[0-9]+ (port|cudart_stub|cuda_platform|cpu_feature_guard)\.cc:[0-9]+\] .*|To enable the following instructions: .*)$'
