"""Wide layouts at national scale: the national benchmark dataset written as summary matrices (two-row headers with
pillar names and total columns, as ``iso18091lab synth --layout matrix2`` writes them) must ingest in at most 3x the
time a bare pandas + calamine read of the same files takes, both measured in this run on this machine.

    python benchmarks/bench_wide.py                   # full size: 34 provinces x 97 bodies x 5 years
    python benchmarks/bench_wide.py --provinces 4     # a quicker look
    python benchmarks/bench_wide.py --layout matrix   # one-row headers, rater and year in the title
    python benchmarks/bench_wide.py --repeat 3        # three (read, ingest) pairs; the median ratio decides

Prints the ratio of each pair (the read and the ingest timed back to back, in this run) and exits 1 when the
median is above 3x. Beside it, for a shared machine, the load average and the CPU ratio of each pair: CPU seconds
of the ingest's process tree (the workbook children included) over those of the read, which depend less on
the other work than the wall-clock ratio. Results on the reference machine: ``benchmarks/README.md``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_national import GIB, bare_read, line, timed  # noqa: E402

import psutil  # noqa: E402


def children_cpu() -> float:
    """User + system CPU seconds of the ended child processes of this one (and of theirs)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--bodies", type=int, default=97)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--layout", default="matrix2", choices=["matrix", "matrix2", "rater_column"])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "iso18091lab-wide")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=1, help="(read, ingest) pairs timed; the median ratio decides")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "iso18091lab.cli"]
    raw, processed = args.work / "raw", args.work / "processed"
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / GIB:.1f} GiB, Python {platform.python_version()}")
    size = f"{args.provinces}-{args.bodies}-{args.years}-{args.seed}-{args.layout}"
    if not (args.work / f".made-{size}").exists():
        shutil.rmtree(args.work, ignore_errors=True)
        args.work.mkdir(parents=True)
        start = time.perf_counter()
        subprocess.run(cli + ["synth", "--design", "national", "--provinces", str(args.provinces), "--bodies",
                              str(args.bodies), "--years", str(args.years), "--seed", str(args.seed), "--layout",
                              args.layout, "--out", str(raw)], check=True, stdout=subprocess.DEVNULL)
        (args.work / f".made-{size}").touch()
        print(f"generated the synthetic national data as {args.layout} in {time.perf_counter() - start:.0f} s -> {raw}")
    manifest = json.loads((raw / "_synthetic" / "manifest.json").read_text(encoding="utf-8"))
    print(f"data: {args.provinces} provinces, {manifest['counts']['assessment_rows_written']} scores in "
          f"{len(manifest['files'])} files ({args.layout})")
    pairs = []
    for _ in range(max(1, args.repeat)):  # the peer and the ingest back to back: a ratio on one machine state
        load = os.getloadavg()[0]
        peer_cpu = time.process_time()
        peer = bare_read(raw)
        peer_cpu = time.process_time() - peer_cpu
        shutil.rmtree(processed, ignore_errors=True)
        ingest_cpu = children_cpu()
        seconds, peak, code = timed(cli + ["ingest", "--raw", str(raw), "--processed", str(processed), "--quiet"])
        ingest_cpu = children_cpu() - ingest_cpu
        pairs.append((seconds / peer, seconds, peer, peak, ingest_cpu / peer_cpu))
        print(f"  pair {len(pairs)}: {seconds:.1f} s / {peer:.1f} s = {seconds / peer:.2f}x; CPU {ingest_cpu:.1f} s / "
              f"{peer_cpu:.1f} s = {ingest_cpu / peer_cpu:.2f}x; load average {load:.1f} -> {os.getloadavg()[0]:.1f}")
    ratio, seconds, peer, peak, _ = sorted(pairs)[(len(pairs) - 1) // 2]  # the median pair (the lower one of two)
    cpu_ratio = sorted(p[4] for p in pairs)[(len(pairs) - 1) // 2]
    summary = json.loads((processed / "ingest_summary.json").read_text(encoding="utf-8"))
    print(f"ingest exit {code}: {summary['rows_read']} rows read = {summary['accepted']} accepted + "
          f"{summary['quarantined']} quarantined + {summary['duplicates']} duplicates; "
          f"{summary.get('total_checks', 0)} totals checked, {summary.get('total_mismatches', 0)} mismatches")
    ok = [line("wide ingest vs pandas+calamine read", f"{seconds:.1f} s / {peer:.1f} s = {ratio:.2f}x",
               "<= 3x", ratio <= 3),
          line("score rows accepted = written", f"{summary['tables']['assessments']} / {manifest['counts']['assessment_rows_written']}",
               "equal", summary["tables"]["assessments"] == manifest["counts"]["assessment_rows_written"]),
          line("CPU of the ingest vs of the read (median)", f"{cpu_ratio:.2f}x", "(reported)", True),
          line("wide ingest peak memory", f"{max(p[3] for p in pairs) / GIB:.2f} GiB", "(reported)", True)]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
