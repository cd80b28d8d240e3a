"""The ``iso18091lab`` command: a thin layer over the package's functions.

Every word it prints, and its help, is a row of the text table (``cli_*``); the commands that take no ``--lang``
speak both languages, Vietnamese first ("Kết quả / output").
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from iso18091lab._version import __version__
from iso18091lab.config import DEFAULT_PROCESSED, DEFAULT_RAW, DEFAULT_REPORTS
from iso18091lab.i18n import both, t


class UserError(Exception):
    """An error to show as one clear message (no traceback), exit code 2."""


_both = both  # a text of the text table in both languages, 'vi / en'


def _h(key: str, default: bool = False) -> str:
    """An option's help in both languages, with its default value when ``default``."""
    return _both(key) + (" (%(default)s)" if default else "")


def _ingest(args: argparse.Namespace) -> int:
    from iso18091lab.intake.pipeline import ingest

    result = ingest(args.raw, args.processed, catalog=args.catalog, progress=not args.quiet)
    print_ingest_summary(result.summary, result.files, Path(args.processed))
    return result.summary["exit_status"]


def print_ingest_summary(summary: dict, files, processed: Path) -> None:
    """Print the per-file table and the reconciliation line in Vietnamese and English."""
    shown = files[["file", "sheet", "table", "status", "rows_read", "accepted", "quarantined", "duplicates"]]
    print(shown.to_string(index=False))
    for row in files[files["status"] == "error"].itertuples():
        print(f"{_both('cli_error')} {row.file}: {row.message_vi} / {row.message_en}", file=sys.stderr)
    flag = {"yes": f" [{_both('cli_synthetic')}]", "mixed": f" [{_both('cli_mixed')}]"}
    print(f"\n{_both('cli_rows_read')} {summary['rows_read']} = {_both('cli_accepted')} {summary['accepted']}"
          f" + {_both('cli_quarantined')} {summary['quarantined']} + {_both('cli_duplicates')} {summary['duplicates']}"
          f" ({_both('cli_empty_rows')} {summary['empty_rows']}){flag.get(summary['synthetic'], '')}")
    print(f"{_both('cli_output')}: {processed}/ (assessments.parquet, units.parquet, outcomes.parquet, "
          f"quarantine.csv, ingest_summary.json)")


def _synth(args: argparse.Namespace) -> int:
    import time

    from iso18091lab.synthetic.write import write_synthetic
    from iso18091lab.synthetic.designs import FILE_DESIGNS, design_by_name, design_names

    if args.design not in design_names():
        raise UserError(_both("cli_unknown_design", design=repr(args.design), known=", ".join(design_names())))
    sizes = {key: value for key, value in (("provinces", args.provinces), ("bodies", args.bodies),
                                           ("years", args.years), ("member_share", args.member_share))
             if value is not None}
    if sizes and args.design != "national":
        raise UserError(_both("cli_sizes_national_only"))
    if args.design in FILE_DESIGNS and args.layout != "long":
        raise UserError(_both("cli_long_only", design=args.design))
    start = time.perf_counter()
    if args.design in FILE_DESIGNS:
        manifest = FILE_DESIGNS[args.design](args.out, seed=args.seed)
    elif args.layout == "long":
        design = design_by_name(args.design, **sizes)
        manifest = write_synthetic(args.out, seed=args.seed, design=design)
    else:  # the same planted data in a wide layout (no planted row errors)
        from iso18091lab.synthetic.wide import write_layouts

        design = design_by_name(args.design, **sizes)
        manifest = write_layouts(args.out, seed=args.seed, design=design, layout=args.layout,
                                 total_mismatch=args.total_mismatch)
    counts = manifest["counts"]
    print(f"{_both('cli_synthetic')} ({args.design}, seed {args.seed}): "  # --seed: the option's name
          f"{len(manifest['files'])} {_both('cli_files')} -> {args.out}")
    for name in manifest["files"]:
        print(f"  {name}")
    print(f"  {counts['provinces']} {_both('cli_provinces')}, {counts['bodies']} {_both('cli_bodies')} "
          f"({counts['pilot']} {_both('cli_pilot')}, {counts['comparison']} {_both('cli_comparison')}), "
          f"{counts['assessment_rows_written']} {_both('cli_score_rows')}, {time.perf_counter() - start:.1f} s")
    print(f"  _synthetic/manifest.json ({len(manifest['planted_errors'])} {_both('cli_planted_errors')}; "
          f"ATT {manifest['att']['pooled']['overall']})")
    return 0


def _template(args: argparse.Namespace) -> int:
    from iso18091lab.render.forms import write_template

    if args.kind == "form":
        from iso18091lab.render.forms import write_form

        path = write_form(args.out, catalog=args.catalog, province=args.province, unit=args.unit, code=args.code,
                          year=args.year if args.year is not None else "", members=args.members)
    elif args.kind == "units":
        from iso18091lab.render.forms import write_units_template

        path = write_units_template(args.out, province=args.province)
    else:
        path = write_template(args.out, catalog=args.catalog, province=args.province, unit=args.unit,
                              year=args.year if args.year is not None else "")
    print(f"{_both('cli_template_written')}: {path}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from iso18091lab.run.runner import run

    extra = {}
    for item in args.param or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UserError(_both("cli_param_format", item=repr(item)))
        extra[name.strip()] = value  # always text: codes such as 01 stay "01"
    runs = run(provinces=args.province, all_provinces=args.all, raw=args.raw, processed=args.processed,
               reports=args.reports, lang=args.lang, seed=args.seed, extra=extra, workers=args.workers,
               progress=not args.quiet, national=args.national, catalog=args.catalog, force=args.force,
               document={"issuer": args.issuer, "number": args.doc_number, "motto": args.motto})
    return _print_runs(runs, args.reports, args.lang)


def _print_runs(runs, reports: Path, lang: str = "vi") -> int:
    """One line per report and evidence pack (in ``lang``; each reason for what could not be estimated once),
    then where the index is; 1 when anything failed."""
    failed = 0
    for province_run in runs:
        for item in province_run.notebooks:
            if item.status in ("ok", "partial"):
                mark = "✔" if item.status == "ok" else "◐"
                kept = f" ({t('cli_reused', lang)})" if item.reused else ""
                print(f"{mark} {province_run.province}: {reports / province_run.slug / item.html}{kept}")
                for reason in dict.fromkeys(note["reason"] for note in item.not_estimable):
                    print(f"    {t('not_estimable', lang)}: {reason}")
            else:
                failed += 1
                where = ""
                if item.failing_cell is not None:  # the cell's position in the notebook file, from 1
                    where = f", {t('cli_cell', lang)} {item.failing_cell}"
                    if item.failing_line is not None:
                        where += f", {t('cli_line', lang)} {item.failing_line}: {item.failing_source}"
                print(f"✘ {province_run.province}: {item.notebook}{where} — {item.error}", file=sys.stderr)
        if province_run.evidence.get("docx"):
            print(f"✔ {province_run.province}: {reports / province_run.slug / province_run.evidence['docx']}")
        elif province_run.evidence.get("error"):
            failed += 1
            print(f"✘ {province_run.province}: {t('ev_title', lang)}: {province_run.evidence['error']}",
                  file=sys.stderr)
    items = [item for province_run in runs for item in province_run.notebooks]
    reused = sum(item.reused for item in items)
    print(t("cli_done", lang, n_run=len(items) - reused, n_reused=reused))
    print(f"{t('nav_index', lang)}: {(Path(reports) / 'index.html').resolve()}")
    return 1 if failed else 0


def _demo(args: argparse.Namespace) -> int:
    from iso18091lab.run.workbench import demo

    out = Path(args.out)
    runs = demo(out, seed=args.seed, small=args.small, lang=args.lang, progress=not args.quiet)
    code = _print_runs(runs, out / "reports", args.lang)
    print(f"{_both('cli_synthetic_sample')}: {out / 'raw'}")
    return code


def _lab(args: argparse.Namespace) -> int:
    from iso18091lab.run.workbench import open_lab, prepare_lab

    written = prepare_lab(args.processed, args.province, args.work, lang=args.lang, seed=args.seed)
    print(f"{_both('cli_lab_prepared')} {args.province}: {Path(args.work).resolve()}")
    for path in written:
        print(f"  {path.name}")
    if args.no_start:
        print(f"{_both('cli_open_with')}: {sys.executable} -m jupyterlab --ServerApp.root_dir=\"{Path(args.work).resolve()}\"")
        return 0
    return open_lab(args.work, browser=not args.no_browser)


def _float_list(text: str) -> list[float]:
    try:
        return [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise UserError(_both("cli_effects_numbers", text=repr(text))) from None


def _simulate(args: argparse.Namespace) -> int:
    from iso18091lab.run import simulation as sim

    common = dict(runs=args.runs, seed=args.seed, scheduler=args.scheduler, n_jobs=args.jobs,
                  progress=not args.quiet, lang=args.lang)
    try:
        if args.study == "calibration":
            designs = [d.strip() for d in args.designs.split(",")] if args.designs else None
            result = sim.calibration_study(permutations=500 if args.permutations is None else args.permutations,
                                           designs=designs, **common)
            figure = None
        else:
            cov = sim.covariances_from_data(args.processed) if args.processed else None
            design = sim.NationalDesign(provinces=args.provinces, bodies=args.bodies, years=args.years,
                                        pre_years=args.pre_years, pilot_share=args.pilot_share,
                                        staggered=args.staggered, effect_sd=args.effect_sd,
                                        **({"cov": cov} if cov is not None else {}))
            result = sim.power_study(design, effects=_float_list(args.effects), alpha=args.alpha,
                                     permutations=args.permutations or 0, **common)
            from iso18091lab.render.figures import simulated_power

            figure = simulated_power(result.summary, args.lang, t("plot_simpower_title", args.lang,
                                                                   provinces=design.provinces, bodies=design.bodies,
                                                                   years=design.years, runs=args.runs), args.alpha)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        if args.scheduler is None:
            raise
        raise UserError(f"{_both('cli_no_scheduler')} {args.scheduler}: {exc}") from None
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(result.summary.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    paths = sim.write_study(result, args.out, args.study, figure)
    print(f"\n{_both('cli_simulation')} — {result.method}")
    print(f"{result.describe()['runs']} {_both('cli_rows')}, {result.seconds:.0f} s, {result.executor}; {result.machine}")
    print(f"{_both('cli_output')}: " + ", ".join(str(p) for p in paths))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (sub-commands ingest, run, demo, lab, synth, template, simulate)."""
    parser = argparse.ArgumentParser(prog="iso18091lab", description=_both("cli_description"))
    parser.add_argument("--version", action="version", version=f"iso18091lab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help=_h("cli_h_ingest"))
    p.add_argument("--raw", type=Path, default=DEFAULT_RAW, help=_h("cli_h_raw", default=True))
    p.add_argument("--processed", type=Path, default=DEFAULT_PROCESSED, help=_h("cli_h_out_processed", default=True))
    p.add_argument("--catalog", type=Path, default=None, help=_h("cli_h_catalog"))
    p.add_argument("--quiet", action="store_true", help=_h("cli_h_quiet"))
    p.set_defaults(func=_ingest)

    p = sub.add_parser("run", help=_h("cli_h_run"))
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--province", action="append", help=_h("cli_h_province_many"))
    where.add_argument("--all", action="store_true", help=_h("cli_h_all"))
    where.add_argument("--national", action="store_true", help=_h("cli_h_national"))
    p.add_argument("--raw", type=Path, default=DEFAULT_RAW, help=_h("cli_h_raw", default=True))
    p.add_argument("--processed", type=Path, default=DEFAULT_PROCESSED, help=_h("cli_h_processed", default=True))
    p.add_argument("--reports", type=Path, default=DEFAULT_REPORTS, help=_h("cli_h_reports", default=True))
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help=_h("cli_h_lang", default=True))
    p.add_argument("--seed", type=int, default=2024, help=_h("cli_h_seed", default=True))
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help=_h("cli_h_param"))
    p.add_argument("--workers", type=int, default=None, help=_h("cli_h_workers"))
    p.add_argument("--issuer", default=None, metavar=t("cli_mv_issuer"), help=_h("cli_h_issuer"))
    p.add_argument("--doc-number", default=None, metavar=t("cli_mv_number"), help=_h("cli_h_doc_number"))
    p.add_argument("--motto", action="store_true", help=_h("cli_h_motto"))
    p.add_argument("--force", action="store_true", help=_h("cli_h_force"))
    p.add_argument("--catalog", type=Path, default=None, help=_h("cli_h_catalog_ingest"))
    p.add_argument("--quiet", action="store_true", help=_h("cli_h_quiet"))
    p.set_defaults(func=_run)

    p = sub.add_parser("demo", help=_h("cli_h_demo"))
    p.add_argument("--out", type=Path, default=Path("iso18091lab-demo"), help=_h("cli_h_demo_out", default=True))
    p.add_argument("--seed", type=int, default=2024, help=_h("cli_h_seed", default=True))
    p.add_argument("--small", action="store_true", help=_h("cli_h_small"))
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help=_h("cli_h_lang", default=True))
    p.add_argument("--quiet", action="store_true", help=_h("cli_h_quiet"))
    p.set_defaults(func=_demo)

    p = sub.add_parser("lab", help=_h("cli_h_lab"))
    p.add_argument("--province", required=True, help=_h("cli_h_province"))
    p.add_argument("--processed", type=Path, default=DEFAULT_PROCESSED, help=_h("cli_h_processed", default=True))
    p.add_argument("--work", type=Path, default=Path("lab"), help=_h("cli_h_work", default=True))
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help=_h("cli_h_lang", default=True))
    p.add_argument("--seed", type=int, default=2024, help=_h("cli_h_seed", default=True))
    p.add_argument("--no-start", action="store_true", help=_h("cli_h_no_start"))
    p.add_argument("--no-browser", action="store_true", help=_h("cli_h_no_browser"))
    p.set_defaults(func=_lab)

    p = sub.add_parser("synth", help=_h("cli_h_synth"))
    p.add_argument("--out", type=Path, required=True, help=_h("cli_h_synth_out"))
    p.add_argument("--seed", type=int, default=2024, help=_h("cli_h_seed", default=True))
    p.add_argument("--design", default="sample",
                   help=_h("cli_h_design", default=True) + ": sample, one_year, two_rounds, national, reform_2025, ...")
    p.add_argument("--provinces", type=int, default=None, help=f"national: {_h('cli_h_n_provinces')} (34)")
    p.add_argument("--bodies", type=int, default=None, help=f"national: {_h('cli_h_n_bodies')} (97)")
    p.add_argument("--years", type=int, default=None, help=f"national: {_h('cli_h_n_years')} (5)")
    p.add_argument("--member-share", type=float, default=None, help=f"national: {_h('cli_h_member_share')} (0.1)")
    p.add_argument("--layout", default="long", choices=["long", "matrix", "matrix2", "rater_column", "forms"],
                   help=f"{_h('cli_h_layout', default=True)}: long ({_both('cli_h_layout_long')}), matrix, matrix2 "
                        f"({_both('cli_h_layout_matrix')}), rater_column, forms ({_both('cli_h_layout_forms')})")
    p.add_argument("--total-mismatch", action="store_true", help=_h("cli_h_total_mismatch"))
    p.set_defaults(func=_synth)

    p = sub.add_parser("template", help=_h("cli_h_template"))
    p.add_argument("--out", type=Path, default=Path("phieu_cham_diem.xlsx"), help=_h("cli_h_file", default=True))
    p.add_argument("--catalog", type=Path, default=None, help=_h("cli_h_catalog"))
    p.add_argument("--province", default="", help=_h("cli_h_prefill_province"))
    p.add_argument("--unit", default="", help=_h("cli_h_prefill_unit"))
    p.add_argument("--year", type=int, default=None, help=_h("cli_h_prefill_year"))
    p.add_argument("--kind", default="sheet", choices=["sheet", "form", "units"],
                   help=f"sheet: {_both('cli_h_kind_sheet')}; form: {_both('cli_h_kind_form')}; "
                        f"units: {_both('cli_h_kind_units')} (%(default)s)")
    p.add_argument("--code", default="", help=f"form: {_h('cli_h_prefill_code')}")
    p.add_argument("--members", type=int, default=0, help=f"form: {_h('cli_h_members', default=True)}")
    p.set_defaults(func=_template)

    p = sub.add_parser("simulate", help=_h("cli_h_simulate"))
    p.add_argument("study", choices=["calibration", "power"],
                   help=f"calibration: {_both('cli_h_study_calibration')}; power: {_both('cli_h_study_power')}")
    p.add_argument("--runs", type=int, default=200, help=_h("cli_h_runs", default=True))
    p.add_argument("--seed", type=int, default=1, help=_h("cli_h_seed", default=True))
    p.add_argument("--jobs", type=int, default=None, help=_h("cli_h_jobs"))
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help=_h("cli_h_scheduler"))
    p.add_argument("--out", type=Path, default=Path("simulations"), help=_h("cli_h_out", default=True))
    p.add_argument("--permutations", type=int, default=None, help=_h("cli_h_permutations"))
    p.add_argument("--designs", default=None,
                   help=f"calibration: {_both('cli_h_designs')} (staggered,two rounds,pilot-like,pre-trend,"
                        f"1 per start,2 per start,3 per start,6 per start,3 + 3,5 + 5; {_both('cli_h_default_all')})")
    p.add_argument("--provinces", type=int, default=34, help=f"power: {_h('cli_h_n_provinces', default=True)}")
    p.add_argument("--bodies", type=int, default=97, help=f"power: {_h('cli_h_n_bodies', default=True)}")
    p.add_argument("--years", type=int, default=5, help=f"power: {_h('cli_h_n_years', default=True)}")
    p.add_argument("--pre-years", type=int, default=2, help=f"power: {_h('cli_h_pre_years', default=True)}")
    p.add_argument("--pilot-share", type=float, default=0.5, help=f"power: {_h('cli_h_pilot_share', default=True)}")
    p.add_argument("--staggered", action="store_true", help=f"power: {_h('cli_h_staggered')}")
    p.add_argument("--effect-sd", type=float, default=0.0, help=f"power: {_h('cli_h_effect_sd', default=True)}")
    p.add_argument("--effects", default="0,0.25,0.5,1", help=f"power: {_h('cli_h_effects', default=True)}")
    p.add_argument("--alpha", type=float, default=0.05, help=f"power: {_h('cli_h_alpha', default=True)}")
    p.add_argument("--processed", type=Path, default=None, help=f"power: {_h('cli_h_processed_cov')}")
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help=_h("cli_h_figure_lang", default=True))
    p.add_argument("--quiet", action="store_true", help=_h("cli_h_quiet"))
    p.set_defaults(func=_simulate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``iso18091lab`` command; returns the exit code."""
    from iso18091lab.catalog import CatalogError
    from iso18091lab.intake.dataset import DatasetNotFound
    from iso18091lab.intake.pipeline import IngestError
    from iso18091lab.run.request import RunError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UserError, RunError, CatalogError, IngestError, DatasetNotFound, FileNotFoundError, PermissionError) as exc:
        print(f"iso18091lab {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(_both("cli_interrupted"), file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
