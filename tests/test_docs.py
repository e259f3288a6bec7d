"""The documentation site: built from the notebooks' committed outputs and the docstrings
with every Sphinx warning an error, every internal link and anchor resolved, and (where
a chromium is installed; `.ci/run` installs Debian's) every page opened in a headless
browser with all its figures decoded. External links are not followed: CI has no network."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    # -E: read everything afresh; -W --keep-going: every warning fails the build, all listed
    run = subprocess.run([sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-q", "-b", "html",
                          str(ROOT / "docs"), str(out)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    return out


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()
        self.images = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "img":
            self.images += 1
        for key in ("href", "src"):
            if attrs.get(key):
                self.targets.append(attrs[key])


def _parse(page: Path) -> _Links:
    links = _Links()
    links.feed(page.read_text())
    return links


def _figures_in(notebook: Path) -> int:
    nb = nbformat.read(notebook, as_version=4)
    return sum("image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))


def test_every_notebook_is_a_page_with_its_figures(site):
    for notebook in NOTEBOOKS:
        page = site / "notebooks" / f"{notebook.stem}.html"
        assert page.exists(), page
        expected = _figures_in(notebook)
        assert expected >= 1, f"{notebook.name} shows no figure"
        assert _parse(page).images >= expected, notebook.name
    api = (site / "api.html").read_text()
    import estimators

    for name in estimators.__all__:  # the whole public API is documented
        assert f'id="estimators.{name}"' in api, name


def test_every_internal_link_and_anchor_resolves(site):
    pages = {page: _parse(page) for page in site.rglob("*.html")}
    broken = []
    for page, links in pages.items():
        for target in links.targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or target.startswith(("mailto:", "javascript:")):
                continue  # external: not checked offline
            path = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not path.exists():
                broken.append(f"{page.relative_to(site)} -> {target}")
            elif parts.fragment and path.suffix == ".html":
                ids = pages[path].ids if path in pages else _parse(path).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(site)} -> {target} (no such anchor)")
    assert not broken, "\n".join(broken[:20])


def _chromium() -> str | None:
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)


def test_every_page_renders_its_figures_in_a_browser(site):
    browser_path = _chromium()
    if browser_path is None:
        pytest.skip("no chromium on PATH: install Debian's chromium (`apt-get install chromium`), as .ci/run does")
    from playwright.sync_api import sync_playwright

    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=flags)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        for html in sorted([site / "index.html", site / "api.html", *(site / "notebooks").glob("*.html")]):
            page.goto(html.as_uri(), wait_until="load")
            shown = page.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
            assert all(shown), f"{html.name}: {shown.count(False)} of {len(shown)} images not rendered"
            if html.parent.name == "notebooks":
                assert len(shown) >= _figures_in(ROOT / "notebooks" / f"{html.stem}.ipynb"), html.name
                assert re.search(r"\S", page.inner_text("h1")), f"{html.name} has no title"
        browser.close()
    assert not errors, errors
