"""Figures are byte-for-byte reproducible, so re-running a notebook leaves git status clean."""

import re

import numpy as np


def _draw(path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from estimators.plots import save_figure

    fig, ax = plt.subplots()
    x = np.linspace(0, 1, 20)
    ax.fill_between(x, x**2, x, alpha=0.3)  # clipped by a path, which matplotlib names by address
    ax.plot(x, x)
    save_figure(fig, path, formats=("svg",))
    plt.close(fig)
    return (path.with_suffix(".svg")).read_text()


def test_svg_is_the_same_whatever_the_run(tmp_path):
    first = _draw(tmp_path / "a")
    keep = [object() for _ in range(100)]  # move the allocator on, so the objects' addresses differ
    second = _draw(tmp_path / "b")
    assert first == second
    names = re.findall(r'<clipPath id="([^"]+)"', first)
    assert names and names == [f"clip{k}" for k in range(1, len(names) + 1)]
    assert all(f"url(#{name})" in first for name in names) and len(keep) == 100
