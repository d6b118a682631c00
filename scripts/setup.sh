#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install ddr-sim with its test tools.
# Looks for the interpreter on PATH first, then under pyenv; stops with a clear
# message if there is none. Safe to run again: an existing .venv is reused.
set -euo pipefail
cd "$(dirname "$0")/.."

ok_version() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }

find_python() {
  local candidate
  for candidate in python3.13 python3.12 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 && ok_version "$candidate"; then
      command -v "$candidate"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    local root version
    root="$(pyenv root)"
    for version in $(pyenv versions --bare 2>/dev/null | sort -rV); do
      candidate="$root/versions/$version/bin/python"
      if [ -x "$candidate" ] && ok_version "$candidate"; then
        echo "$candidate"; return 0
      fi
    done
  fi
  return 1
}

if [ -x .venv/bin/python ] && ok_version .venv/bin/python; then
  PY=.venv/bin/python
else
  if ! BASE=$(find_python); then
    echo "ddr-sim needs Python >= 3.12 (Mesa 3.4+ refuses older versions)." >&2
    echo "None was found on PATH (python3.13, python3.12, python3) or under pyenv." >&2
    echo "Install one (e.g. 'pyenv install 3.12') and run this script again." >&2
    exit 1
  fi
  echo "Using $BASE ($("$BASE" --version))"
  rm -rf .venv
  "$BASE" -m venv .venv
  PY=.venv/bin/python
fi
"$PY" -m pip install --quiet --upgrade pip
"$PY" -m pip install --quiet -e ".[dev]"
echo "ddr-sim installed in .venv ($("$PY" --version))"
