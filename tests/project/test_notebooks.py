"""The teaching notebooks run top to bottom, as a student's *Run all* would.

Each notebook in ``notebooks/`` is executed with nbclient in a ``python3`` kernel running
this interpreter (so it imports this checkout of ``ddr_sim``), from the ``notebooks/``
folder, with ``DDR_SIM_QUICK=1`` (fewer seeds, a smaller sensitivity design; the cells are
the same). The executed copies and their run times land in ``test-output/``. The
committed notebooks carry no outputs.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="needs the 'notebooks' extra")
nbclient = pytest.importorskip("nbclient", reason="needs the 'notebooks' extra")
pytest.importorskip("ipykernel", reason="needs the 'notebooks' extra")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
OUTPUT = ROOT / "test-output"
CELL_TIMEOUT = 600  # seconds


def _execute(nb, env: dict[str, str] | None = None) -> None:
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    )
    saved = dict(os.environ)
    os.environ.update(env or {})  # the kernel inherits the environment of this process
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_the_three_teaching_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == [
        "01_why_ddr_stalls.ipynb",
        "02_what_if.ipynb",
        "03_sweeps_and_sensitivity.ipynb",
    ]


def test_kernel_runs_this_interpreter():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import sys, ddr_sim; print(sys.executable)")]
    _execute(nb)
    printed = nb.cells[0].outputs[0]["text"].strip()
    assert Path(printed).resolve() == Path(sys.executable).resolve()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name}: clear the outputs before committing"
            assert cell.execution_count is None, f"{path.name}: clear the outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path):
    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    _execute(nb, {"DDR_SIM_QUICK": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"})
    seconds = time.perf_counter() - started
    OUTPUT.mkdir(exist_ok=True)
    nbformat.write(nb, OUTPUT / path.name)
    (OUTPUT / f"{path.stem}.seconds.txt").write_text(
        f"{path.name}: {seconds:.0f} s (DDR_SIM_QUICK=1)\n", encoding="utf-8"
    )
    print(f"{path.name}: {seconds:.0f} s")
    errors = [
        output
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors
    images = sum(
        "image/png" in output.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert images >= 2, f"{path.name} drew {images} figure(s)"
