"""The shipped data works from an installed wheel, not only from a checkout."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_the_data_and_loads_it(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
         "--wheel-dir", str(tmp_path / "dist"), str(ROOT)],
        check=True,
    )
    (wheel,) = (tmp_path / "dist").glob("estimators-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        shipped = zf.read("estimators/data_files/published_figures.csv")
    assert shipped == (ROOT / "data" / "published_figures.csv").read_bytes()

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
    )
    code = ("import estimators; t = estimators.load_published_figures(); "
            "print(estimators.__file__); print(len(t))")
    # Run outside the checkout with only the wheel's copy on the path.
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(site)},
                         check=True, capture_output=True, text=True).stdout.split()
    assert out[0].startswith(str(site))
    assert int(out[1]) == len((ROOT / "data" / "published_figures.csv").read_text().splitlines()) - 1
