"""The published figures: complete, correct where spot-checked, disagreements kept."""

import re
from pathlib import Path

import pytest

import estimators

FIGURES_MD = Path(__file__).resolve().parents[2] / "shared" / "FIGURES.md"
MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"


@pytest.fixture(scope="module")
def figures():
    return estimators.load_published_figures().set_index("figure_id")


@pytest.mark.parametrize("figure_id, value", [
    ("coalition-acknowledged-2019-04", 1302),
    ("coalition-strikes-2019-04", 34502),
    ("raqqa-named-641", 641),
    ("coalition-pending-2019-04", 111),
    ("hrdag-custody-mse-17723", 17723),
])
def test_spot_values(figures, figure_id, value):
    assert figures.loc[figure_id, "value"] == value


def test_russia_may_2019_range(figures):
    row = figures.loc["russia-likely-range-2019-05"]
    assert (row.low, row.high, row.grades, row.belligerent) == (3270, 4767, "confirmed;fair", "Russia")


def test_raqqa_disagreement_is_kept_as_separate_rows(figures):
    raqqa = figures[(figures.event == "raqqa-2017") & (figures.kind == "acknowledged")]
    assert {159, 180, 318} <= set(raqqa["value"])


def test_every_row_has_provenance(figures):
    for column in ("source", "outlet", "reference"):
        assert figures[column].notna().all(), column


def _numbers_in_figures_md(text):
    """Every number in FIGURES.md that is a figure, not a date, file id or threshold."""
    for m in re.finditer(r"(?<![\w.-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(%?)", text):
        raw, pct = m.group(1), m.group(2)
        before, after = text[max(0, m.start() - 12):m.start()], text[m.end():m.end() + 12]
        if re.fullmatch(r"(19|20)\d\d", raw) or re.fullmatch(r"0\d\d", raw):
            continue  # a year, or a seed file's number
        if re.search(rf"^\s*({MONTHS})", after) or re.match(r"^–\d", after):
            continue  # a day of a month ("24 Apr", "11–24 Mar") or the "2025" of "2025–26"
        if re.search(r"(19|20)\d\d–$", before):
            continue  # the "26" of "2025–26"
        if re.search(r"1 in $", before) or (raw == "1" and after.startswith(" in ")):
            continue  # "1 in N": entered as a share, checked below
        if re.match(r"\s+or\s+more", after):
            continue  # Carpenter et al.'s event-size threshold, not a figure
        yield raw, float(raw.replace(",", "")) / (100 if pct else 1)


@pytest.mark.skipif(not FIGURES_MD.exists(), reason="shared/FIGURES.md is not beside this checkout")
def test_every_number_in_figures_md_is_in_the_data(figures):
    entered = {round(v, 6) for col in ("value", "low", "high") for v in figures[col].dropna()}
    missing = [raw for raw, v in _numbers_in_figures_md(FIGURES_MD.read_text()) if round(v, 6) not in entered]
    assert not missing, f"figures of FIGURES.md not in data/published_figures.csv: {missing}"
    # "1 in 5" and "1 in 157" are entered as shares.
    assert figures.loc["nyt-share-with-deaths", "value"] == pytest.approx(1 / 5)
    assert figures.loc["nyt-coalition-share-1-in-157", "value"] == pytest.approx(1 / 157, rel=1e-3)
