#!/usr/bin/env bash
# Set up, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# the dashboard's browser files (normally from a CDN) from the npm registry, once
.venv/bin/python -m ddr_sim.dashboard.assets || echo "note: dashboard browser files not fetched (needs npm)"
.venv/bin/python -m pytest -q -n 2 "$@"
