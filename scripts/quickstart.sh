#!/usr/bin/env bash
# Set up, then run the historical Mali 2013-2023 scenario over 20 seeds:
# tables, manifest and plots land in output/mali_2013_2023/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ddr-sim run scenarios/mali_2013_2023.yaml --seeds 20 --out output/mali_2013_2023 "$@"
