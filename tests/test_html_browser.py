"""A rendered report opens in headless Chromium: images load, Vietnamese text shows, no code cells.

Needs Debian's ``chromium`` and ``chromium-driver`` (``scripts/install-browser.sh``, run by ``make test``).
Skipped only outside CI when they are missing; in CI a missing browser is a failure.
"""
from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from iso18091lab.runner import run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromedriver are not installed (scripts/install-browser.sh)")
        pytest.skip("chromium/chromedriver not installed: run scripts/install-browser.sh")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tempfile.mkdtemp()}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def rendered(small_processed, tmp_path_factory):
    reports = tmp_path_factory.mktemp("html_reports")
    [province_run] = run(["Hải Phòng"], raw=small_processed / "raw", processed=small_processed / "processed",
                         reports=reports, progress=False)
    assert province_run.status == "ok"
    return reports


@pytest.mark.parametrize("page, words", [
    ("hai-phong/00_data_quality.html", ["Chất lượng dữ liệu", "Tóm tắt", "Ghi chú phương pháp", "Hình 1."]),
    ("hai-phong/10_scorecard.html", ["Bảng điểm theo đèn tín hiệu", "Ma trận đèn tín hiệu", "hội đồng thẩm định",
                                     "Chỉ số màu đỏ"]),
])
def test_report_renders_offline(browser, rendered, page, words):
    browser.get((rendered / page).as_uri())
    text = browser.find_element("tag name", "body").text
    for word in words:
        assert word in text
    assert "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA" in text
    images = browser.find_elements("tag name", "img")
    assert len(images) >= 2
    for image in images:
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image)
    assert not browser.find_elements("css selector", ".jp-InputArea-editor, .input_area, .highlight-ipython3")
    assert "import iso18091lab" not in browser.page_source
    assert "Traceback" not in text and "Warning" not in text


def test_index_page_links_every_report(browser, rendered):
    browser.get((rendered / "index.html").as_uri())
    links = [a.get_attribute("href") for a in browser.find_elements("tag name", "a")]
    assert any(href.endswith("hai-phong/00_data_quality.html") for href in links)
    assert any(href.endswith("hai-phong/10_scorecard.html") for href in links)
    assert "Hải Phòng" in browser.find_element("tag name", "body").text
