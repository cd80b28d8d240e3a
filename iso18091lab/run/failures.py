"""Where a report's notebook failed, as its user finds it (cell and line in the notebook file), and that place in
words for the index page.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from iso18091lab.i18n import t


_CELL_FRAME = re.compile(r"Cell In\[\d*\], line (\d+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _source(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def failure_location(notebook: Path, error) -> tuple[int | None, int | None, str]:
    """Where a notebook failed, as its user finds it: (position of the cell in the notebook file, counted from 1
    over all its cells; line in that cell, from 1; that line's text). None/'' where unknown, e.g. a failure in a
    cell the runner added.

    papermill's ``cell_index`` counts the cells it ran: the hidden reset cell the runner puts first, and the
    injected-parameters cell papermill puts after the ``parameters`` cell (first, when there is none). Its
    ``exec_count`` is the kernel's execution counter, which a warm kernel carries over from earlier reports, so it
    is not shown. The line comes from IPython's traceback frame of the cell ("Cell In[n], line k")."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    parameters = next((i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    index = error.cell_index - 1  # the reset cell
    if parameters is None or index > parameters + 1:
        index -= 1  # the injected-parameters cell
    if not (0 <= index < len(cells) and _source(cells[index]) == error.source):
        same = [i for i, c in enumerate(cells) if _source(c) == error.source]
        index = same[0] if len(same) == 1 else None
    if index is None:
        return None, None, ""
    frame = _CELL_FRAME.search(_ANSI.sub("", "\n".join(error.traceback or [])))
    lines = _source(cells[index]).splitlines()
    if frame is None or not 1 <= int(frame.group(1)) <= len(lines):
        return index + 1, None, ""
    line = int(frame.group(1))
    return index + 1, line, lines[line - 1].strip()


def failure_text(item: dict, lang: str = "vi") -> str:
    """'ô 8, dòng 16: reds = …' for a failed report's manifest entry ('' when the cell is unknown)."""
    if item.get("failing_cell") is None:
        return ""
    if item.get("failing_line") is None:
        return t("failed_cell", lang, cell=item["failing_cell"])
    return t("failed_cell_line", lang, cell=item["failing_cell"], line=item["failing_line"],
             source=item.get("failing_source", ""))
