"""Benchmark: the report's heaviest figures at national size (one province of ~97 bodies, 39 indicators, 5 years),
each timed as its notebook cell does it: build the figure and save it through :meth:`NotebookReport.figure`.

    python benchmarks/bench_plots.py /tmp/bn4/processed "Hà Nội" [--out /tmp/plots_bench] [--profile NAME]

Target: every figure within ~1–2 s. Writes only under ``--out``.
"""
from __future__ import annotations

import argparse
import cProfile
import contextlib
import io
import pstats
import tempfile
import time
from pathlib import Path

import iso18091lab as lab
from iso18091lab.render import figures as plots
from iso18091lab.stats import descriptive as d


def figures(data, lang: str = "vi") -> dict:
    """name -> a function that makes the figure, with the same inputs as notebooks 00 and 10."""
    a = data.assessments
    latest = int(d.waves(a)["year"].iloc[-1])
    main = d.overall_scores(a, "council")
    matrix = d.light_matrix(a, latest)
    bodies = d.body_table(a, data.units)
    in_group = {g: matrix.loc[:, matrix.columns.get_level_values(0).isin(bodies.loc[bodies["group"] == g,
                                                                                    "body_label"])]
                for g in ("pilot", "comparison")}
    pillars = d.pillar_scores(a, "council")
    grid = pillars[pillars["year"] == latest].pivot_table(index="body_label", columns="pillar", values="score")
    completeness = d.completeness(a, data.units, data.catalog)
    share = completeness.pivot_table(index="body_label", columns=["year", "rater"], values="share_scored")
    change, ranked = d.change_since_baseline(main), d.ranking(main, latest)
    return {"light_matrix_all": lambda: plots.light_matrix_plot(matrix, lang),
            "light_matrix_pilot": lambda: plots.light_matrix_plot(in_group["pilot"], lang),
            "light_matrix_comparison": lambda: plots.light_matrix_plot(in_group["comparison"], lang),
            "pillar_heatmap": lambda: plots.pillar_heatmap(grid, lang),
            "change_plot": lambda: plots.change_plot(change, lang),
            "score_bars": lambda: plots.score_bars(ranked, lang),
            "completeness_heatmap": lambda: plots.completeness_heatmap(share, lang)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("processed")
    parser.add_argument("province")
    parser.add_argument("--out", default=None, help="folder for the figures (default: a temporary folder)")
    parser.add_argument("--profile", default=None, help="profile this figure (cProfile, top 25 by cumulative time)")
    args = parser.parse_args()
    data = lab.load(args.processed).for_province(args.province)
    out = Path(args.out or tempfile.mkdtemp(prefix="bench_plots_"))
    report = lab.NotebookReport("bench", out, data, args.province)
    for name, make in figures(data).items():
        if args.profile and name != args.profile:
            continue
        profiler = cProfile.Profile() if args.profile else None
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # IPython's display prints outside a notebook
            if profiler:
                profiler.enable()
            report.figure(make(), name, name)
            if profiler:
                profiler.disable()
        seconds = time.perf_counter() - start
        entry = report.results["figures"][-1]
        sizes = {k: (out / entry[k]).stat().st_size // 1024 for k in ("png", "svg") if entry.get(k)}
        print(f"{name:24s} {seconds:6.2f} s  " + "  ".join(f"{k} {v} KiB" for k, v in sizes.items()))
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
