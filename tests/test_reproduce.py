"""`make reproduce` leaves every byte of the notebooks as it was."""

from pathlib import Path

import nbformat

from estimators.reproduce import merge_streams, run_notebook

ROOT = Path(__file__).resolve().parents[1]


def test_a_cell_that_flushes_between_prints_stores_one_block(tmp_path):
    # The kernel sends each flush as its own message: without merging, one run stored two
    # stdout blocks where another stored one (notebook 01, on a fresh clone), and this cell
    # stored stdout, stderr, stdout.
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import sys, time\nprint('a'); sys.stdout.flush(); time.sleep(0.3)\nprint('b')\n"
        "print('warn', file=sys.stderr); sys.stderr.flush(); time.sleep(0.3)\nprint('c')")]
    path = tmp_path / "split.ipynb"
    nbformat.write(nb, path)
    run_notebook(path, timeout=120)
    outs = nbformat.read(path, as_version=4).cells[0].outputs
    # stdout and stderr interleave as the flushes happen to fall: stdout first, always
    assert [(o.name, o.text) for o in outs] == [("stdout", "a\nb\nc\n"), ("stderr", "warn\n")]


def test_merge_streams_keeps_other_outputs_in_order():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1"),
                    nbformat.v4.new_output("stream", name="stdout", text="2"),
                    nbformat.v4.new_output("display_data", data={"text/plain": "x"}),
                    nbformat.v4.new_output("stream", name="stdout", text="3")]
    nb.cells = [cell, nbformat.v4.new_markdown_cell("text")]
    merge_streams(nb)
    assert [o.get("text") for o in nb.cells[0].outputs] == ["12", None, "3"]
    other = nbformat.v4.new_code_cell("")
    other.outputs = [nbformat.v4.new_output("stream", name="stderr", text="e"),
                     nbformat.v4.new_output("stream", name="stdout", text="o")]
    nb.cells = [other]
    merge_streams(nb)
    assert [(o.name, o.text) for o in nb.cells[0].outputs] == [("stdout", "o"), ("stderr", "e")]


def test_committed_notebooks_are_stored_as_reproduce_writes_them():
    import copy

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        merged = copy.deepcopy(nb)
        merge_streams(merged)
        assert merged == nb, f"{path.name}: split stream outputs; run `make reproduce`"
