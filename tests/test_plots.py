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
    save_figure(fig, path, source="a test", formats=("svg",))
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


def test_svg_does_not_see_a_last_digit_difference_in_the_data(tmp_path):
    # Two CPUs can differ in the last digits of an axis limit (here 1e-9): every
    # coordinate's sixth decimal, and the hashed id of every marker, moved with it (seen
    # on notebook 05; 33 lines of this figure differed before the rounding).
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from estimators.plots import save_figure

    texts = []
    for k, limit in enumerate((1000.0, 1000.0 * (1 + 1e-9))):
        fig, ax = plt.subplots()
        x = np.linspace(0, 1000, 37)
        ax.plot(x, np.sqrt(x), "o-")
        ax.fill_between(x, 0, np.sqrt(x), alpha=0.3)
        ax.set_xlim(-17.3, limit)
        save_figure(fig, tmp_path / f"f{k}", source="a test", formats=("svg",))
        plt.close(fig)
        texts.append((tmp_path / f"f{k}.svg").read_text())
    assert texts[0] == texts[1]
    assert re.search(r'<path id="marker1"', texts[0]) and 'xlink:href="#marker1"' in texts[0]
    assert not re.search(r'id="[a-z][0-9a-f]{10}"', texts[0])  # no hashed id left
    assert not re.search(r'\sd="[^"]*\d\.\d{3}', texts[0])  # no path coordinate beyond 1/100 pt


def test_every_saved_figure_says_where_its_numbers_come_from(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pytest

    from estimators.plots import DPI, PALETTE, save_figure, use_house_style

    use_house_style()
    fig, ax = plt.subplots(figsize=(4, 3))
    (line,) = ax.plot([0, 1], [0, 1])
    assert line.get_color().lower() == PALETTE[0].lower()  # C0 is Okabe-Ito blue
    with pytest.raises(ValueError, match="source="):
        save_figure(fig, tmp_path / "none", source=" ")
    ax.set_ylabel("a label placed far to the left", labelpad=60)  # would be cut without the tight box
    png, svg = save_figure(fig, tmp_path / "fig", source="Airwars, 2025")
    assert "Source: Airwars, 2025" in svg.read_text()
    from matplotlib.image import imread

    height, width = imread(png).shape[:2]
    assert DPI == 300 and width > 4 * DPI  # the label's room was added, not cropped away
    plt.close(fig)
