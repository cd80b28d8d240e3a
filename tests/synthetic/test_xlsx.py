"""The workbook writer's numbers read back exactly."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from iso18091lab.intake.clean import parse_number
from iso18091lab.synthetic.xlsx import number_text


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_number_text_reads_back_exactly(value):
    text = number_text(value)
    # read back as Python reads it, and as ingest reads a decimal comma typed by staff
    assert float(text) == value and parse_number(text.replace(".", ",")) == value
    assert "e" not in text.lower()
