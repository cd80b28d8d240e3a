"""Rendered reports in headless Chromium: nothing is requested from the network, the page language is right,
navigation links resolve, figures load with their captions as alt text, no code cells, and the synthetic banner
appears once on synthetic data and never on real data (a real-looking dataset: files without the marker).

Needs Debian's ``chromium`` and ``chromium-driver`` (``scripts/install-test-tools.sh``, run by ``make test``).
Skipped only outside CI when they are missing; in CI a missing browser is a failure.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import openpyxl
import pytest

from iso18091lab.intake.clean import is_synthetic_marker
from iso18091lab.run.runner import run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
BANNER = "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA"


def require_browser(chromium, chromedriver, environ) -> None:
    """Skip when the browser is missing outside CI; fail when it is missing in CI (``.ci/run`` sets ``CI=true``),
    so the browser tests can never be skipped there."""
    if chromium and chromedriver:
        return
    if environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail("chromium and chromedriver are not installed (scripts/install-test-tools.sh)")
    pytest.skip("chromium/chromedriver not installed: run scripts/install-test-tools.sh")


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_a_missing_browser_fails_in_ci(ci):
    with pytest.raises(pytest.fail.Exception, match="not installed"):
        require_browser(None, "/usr/bin/chromedriver", {"CI": ci})
    with pytest.raises(pytest.fail.Exception):
        require_browser("/usr/bin/chromium", None, {"CI": ci})


def test_a_missing_browser_skips_only_outside_ci():
    for environ in ({}, {"CI": ""}, {"CI": "false"}):
        with pytest.raises(pytest.skip.Exception):
            require_browser(None, None, environ)
    assert require_browser("/usr/bin/chromium", "/usr/bin/chromedriver", {"CI": "true"}) is None


def test_ci_run_sets_ci():
    """The CI entry point sets the variable the check above reads."""
    script = (Path(__file__).parents[2] / ".ci" / "run").read_text(encoding="utf-8")
    assert "export CI=true" in script.splitlines()


@pytest.fixture(scope="module")
def browser():
    require_browser(CHROMIUM, CHROMEDRIVER, os.environ)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tempfile.mkdtemp()}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def requests_made(driver) -> list[str]:
    """URLs the page asked for (Chrome DevTools Network events since the last call)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def open_page(driver, path: Path) -> list[str]:
    requests_made(driver)  # drop earlier events
    driver.get(path.as_uri())
    driver.execute_script("return document.readyState")
    return requests_made(driver)


def assert_offline(urls: list[str]):
    remote = [u for u in urls if urlparse(u).scheme not in ("file", "data", "about", "blob")]
    assert not remote, remote


def assert_links_resolve(driver, page: Path):
    hrefs = [a.get_attribute("href") for a in driver.find_elements("tag name", "a")]
    assert hrefs
    for href in hrefs:
        url = urlparse(href)
        assert url.scheme == "file", href
        assert Path(unquote(url.path)).exists(), href


@pytest.fixture(scope="module")
def rendered(small_processed, tmp_path_factory):
    reports = tmp_path_factory.mktemp("html_reports")
    [province_run] = run(["Hải Phòng"], raw=small_processed / "raw", processed=small_processed / "processed",
                         reports=reports, progress=False)
    assert province_run.status == "ok", [(n.notebook, n.error) for n in province_run.notebooks]
    return reports


def desynthesise(source: Path, target: Path) -> None:
    """Copy synthetic raw files as a province would send them: no synthetic marker anywhere."""
    target.mkdir(parents=True)
    for path in sorted(source.iterdir()):
        if path.name.startswith("_"):
            continue
        name = path.name.replace("SYNTHETIC_", "")
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if isinstance(cell.value, str) and is_synthetic_marker(cell.value):
                            cell.value = "Sở KH&CN" if cell.row > 2 else None
            book.save(target / name)
        else:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
            kept = [line.replace("synthetic", "So KHCN") for line in lines if BANNER not in line]
            (target / name).write_text("\n".join(kept) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def real_reports(small_processed, tmp_path_factory):
    root = tmp_path_factory.mktemp("real")
    desynthesise(small_processed / "raw", root / "raw")
    reports = root / "reports"
    [province_run] = run(["Quảng Ninh"], raw=root / "raw", processed=root / "processed", reports=reports,
                         progress=False)
    assert province_run.status in ("ok", "partial"), [(n.notebook, n.error) for n in province_run.notebooks]
    return reports


@pytest.mark.parametrize("page, words", [
    ("hai-phong/00_data_quality.html", ["Chất lượng dữ liệu", "Tóm tắt", "Ghi chú phương pháp", "Hình 1."]),
    ("hai-phong/10_scorecard.html", ["Bảng điểm theo đèn tín hiệu", "Ma trận đèn tín hiệu", "hội đồng thẩm định",
                                     "Chỉ số màu đỏ"]),
])
def test_report_renders_offline(browser, rendered, page, words):
    urls = open_page(browser, rendered / page)
    assert_offline(urls)
    assert browser.find_element("tag name", "html").get_attribute("lang") == "vi"
    text = browser.find_element("tag name", "body").text
    for word in words:
        assert word in text
    assert len(browser.find_elements("css selector", ".iso-banner")) == 1 and text.count(BANNER) == 1
    images = browser.find_elements("tag name", "img")
    assert len(images) >= 2
    for image in images:
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image)
        alt = image.get_attribute("alt")
        assert alt.startswith("Hình ") and "No description" not in alt
    assert not browser.find_elements("css selector", ".jp-InputArea-editor, .input_area, .highlight-ipython3")
    assert "import iso18091lab" not in browser.page_source
    assert "Traceback" not in text and "Warning" not in text
    assert_links_resolve(browser, rendered / page)
    nav = [a.text for a in browser.find_elements("css selector", "nav.iso-nav a")]
    assert {"Trang tổng hợp", "Bảng số liệu", "Hiệu quả thí điểm so với các đơn vị chỉ áp dụng ISO 9001"} <= set(nav)


def test_index_and_tables_pages(browser, rendered):
    assert_offline(open_page(browser, rendered / "index.html"))
    assert browser.find_element("tag name", "html").get_attribute("lang") == "vi"
    links = [a.get_attribute("href") for a in browser.find_elements("tag name", "a")]
    assert any(href.endswith("hai-phong/00_data_quality.html") for href in links)
    assert any(href.endswith("hai-phong/tables.html") for href in links)
    assert "Hải Phòng" in browser.find_element("tag name", "body").text
    assert_links_resolve(browser, rendered / "index.html")
    assert_offline(open_page(browser, rendered / "hai-phong" / "tables.html"))
    assert_links_resolve(browser, rendered / "hai-phong" / "tables.html")
    assert "XLSX" in browser.find_element("tag name", "body").text


def test_real_data_has_no_synthetic_banner(browser, real_reports):
    for page in [real_reports / "index.html", *sorted((real_reports / "quang-ninh").glob("*.html"))]:
        assert_offline(open_page(browser, page))
        text = browser.find_element("tag name", "body").text
        assert "MÔ PHỎNG" not in text and "SYNTHETIC" not in text, page.name
        assert not browser.find_elements("css selector", ".iso-banner, .banner"), page.name
        assert_links_resolve(browser, page)


def test_english_reports_say_lang_en(browser, small_processed, tmp_path):
    reports = tmp_path / "en"
    run(["Quảng Ninh"], raw=small_processed / "raw", processed=small_processed / "processed", reports=reports,
        lang="en", progress=False, notebooks_dir=_only(tmp_path, "10_scorecard"))
    open_page(browser, reports / "quang-ninh" / "10_scorecard.html")
    assert browser.find_element("tag name", "html").get_attribute("lang") == "en"
    assert "Traffic-light scorecard" in browser.find_element("tag name", "body").text


def _only(tmp_path: Path, stem: str) -> Path:
    from iso18091lab.run.request import NOTEBOOKS_DIR

    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(NOTEBOOKS_DIR / f"{stem}.ipynb", folder)
    return folder
