"""The event-study table's caption says its intervals are too narrow when the answer rests on re-labelling.

The Word pack copies a notebook's tables with their captions but not the paragraphs around them; on the
three_plus_three design the pack printed a per-wave interval of 3,55 to 8,76 next to a main answer whose
interval is unbounded, with nothing saying why the two differ.
"""
from types import SimpleNamespace

import pandas as pd
import pytest

from iso18091lab.i18n import t
from iso18091lab.render.effectiveness import show_event_study


class _Report:
    """Records what the section shows (the calls of NotebookReport it uses)."""

    def __init__(self, lang):
        self.lang, self.tables, self.paragraphs = lang, [], []

    def t(self, key, **values):
        return t(key, self.lang, **values)

    def heading(self, text):
        pass

    def markdown(self, text):
        self.paragraphs.append(text)

    def figure(self, fig, name, caption):
        pass

    def table(self, frame, name, caption):
        self.tables.append((name, caption))


def _summary(inference):
    events = pd.DataFrame({"province": ["hai-phong"] * 2, "event_time": [-1, 0], "kind": ["reference", "effect"],
                           "estimate": [0.0, 6.15], "ci_low": [float("nan"), 3.55],
                           "ci_high": [float("nan"), 8.76], "n_bodies": [3, 3]})
    return SimpleNamespace(not_estimated=[], event_study=events, shown_events=lambda: events,
                           primary=SimpleNamespace(params={"inference": inference}), min_pilots_per_start=6,
                           smallest_cohort=3, pretrend=None)


@pytest.mark.parametrize("lang, words", [("vi", ("hẹp hơn thực tế", "dưới 6", "nhỏ nhất: 3")),
                                         ("en", ("too narrow", "fewer than 6", "smallest: 3"))])
def test_caption_carries_the_caveat_under_randomization(monkeypatch, lang, words):
    monkeypatch.setattr("iso18091lab.render.effectiveness.plots.event_study_plot", lambda *a, **k: None)
    rep = _Report(lang)
    show_event_study(rep, _summary("randomization"))
    [(name, caption)] = rep.tables
    assert name == "event_study"
    assert all(w in caption for w in words), caption
    assert rep.paragraphs == []  # said once, in the caption, not again in a paragraph above the table


def test_caption_plain_when_clustered_inference(monkeypatch):
    monkeypatch.setattr("iso18091lab.render.effectiveness.plots.event_study_plot", lambda *a, **k: None)
    rep = _Report("vi")
    show_event_study(rep, _summary("cluster"))
    [(_, caption)] = rep.tables
    assert caption == "Nghiên cứu sự kiện: ước lượng theo đợt kể từ khi bắt đầu thí điểm."
    assert rep.paragraphs == []
