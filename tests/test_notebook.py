"""`notebooks/explore.ipynb` runs headless on a fresh build, and is committed without outputs."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "explore.ipynb"


def test_notebook_is_committed_with_outputs_stripped():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.mark.slow
def test_notebook_runs_headless_on_the_sample_build(sample_build, tmp_path, monkeypatch):
    out, stats = sample_build  # the sample corpus shipped in the package
    monkeypatch.setenv("CORPUS", str(out))  # the kernel inherits the environment
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert f"{stats['totals']['kept']} documents kept, {stats['totals']['rejected']} rejected" in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 6  # outlets, dates, lengths, clusters, removals, stance by outlet
