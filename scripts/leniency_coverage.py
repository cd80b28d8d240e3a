"""Coverage of the leniency (self − council) CI with few bodies: the table in docs/methods.md.

    .venv/bin/python scripts/leniency_coverage.py            # 2000 runs per size, seed 19 (about 15 s)

Synthetic data only (iso18091lab.run.simulation.leniency_coverage describes the design).
"""
from __future__ import annotations

import argparse

from iso18091lab.i18n import method_label
from iso18091lab.run.simulation import leniency_coverage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    table = leniency_coverage(runs=args.runs, seed=args.seed).table
    print(f"{args.runs} runs per size, seed {args.seed} (`scripts/leniency_coverage.py`):\n")
    print("| bodies | method | coverage (Monte Carlo 95% interval) | mean width (points) |")
    print("|---|---|---|---|")
    for row in table.itertuples():
        print(f"| {row.bodies} | {method_label(row.method, 'en')} | {100 * row.coverage:.1f} % ({100 * row.mc_low:.1f}–"
              f"{100 * row.mc_high:.1f}) | {row.mean_width:.1f} |")


if __name__ == "__main__":
    main()
