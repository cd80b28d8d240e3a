"""The files tests/conftest.py hands out first to the xdist workers exist (a renamed file would silently drop to
its collection place and could end the run alone on one worker), and each is named once."""
from __future__ import annotations

from pathlib import Path

from conftest import LONGEST_FIRST

ROOT = Path(__file__).resolve().parents[1]


def test_the_longest_files_handed_out_first_exist_once():
    missing = [path for path in LONGEST_FIRST if not (ROOT / path).is_file()]
    assert not missing and len(set(LONGEST_FIRST)) == len(LONGEST_FIRST)
