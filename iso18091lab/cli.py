"""The ``iso18091lab`` command: a thin layer over the package's functions."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from iso18091lab._version import __version__
from iso18091lab.config import DEFAULT_PROCESSED, DEFAULT_RAW, DEFAULT_REPORTS


class UserError(Exception):
    """An error to show as one clear message (no traceback), exit code 2."""


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
        print(f"LỖI / ERROR {row.file}: {row.message_vi} / {row.message_en}", file=sys.stderr)
    flag = {"yes": " [DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA]", "mixed": " [CÓ DỮ LIỆU MÔ PHỎNG / CONTAINS SYNTHETIC DATA]"}
    print(f"\nĐã đọc / rows read {summary['rows_read']} = nhận / accepted {summary['accepted']}"
          f" + cách ly / quarantined {summary['quarantined']} + trùng / duplicates {summary['duplicates']}"
          f" (dòng trống / empty rows {summary['empty_rows']}){flag.get(summary['synthetic'], '')}")
    print(f"Kết quả / output: {processed}/ (assessments.parquet, units.parquet, outcomes.parquet, "
          f"quarantine.csv, ingest_summary.json)")


def _synth(args: argparse.Namespace) -> int:
    import time

    from iso18091lab.synthetic.model import write_synthetic
    from iso18091lab.synthetic.designs import FILE_DESIGNS, design_by_name, design_names

    if args.design not in design_names():
        raise UserError(f"unknown design {args.design!r} / không có thiết kế này; known: {', '.join(design_names())}")
    sizes = {key: value for key, value in (("provinces", args.provinces), ("bodies", args.bodies),
                                           ("years", args.years), ("member_share", args.member_share))
             if value is not None}
    if sizes and args.design != "national":
        raise UserError("--provinces, --bodies, --years and --member-share apply to --design national only")
    if args.design in FILE_DESIGNS and args.layout != "long":
        raise UserError(f"--design {args.design} chỉ ghi dạng long / is written in the long layout only")
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
    print(f"DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA ({args.design}, seed {args.seed}): "
          f"{len(manifest['files'])} tệp / files -> {args.out}")
    for name in manifest["files"]:
        print(f"  {name}")
    print(f"  {counts['provinces']} tỉnh / provinces, {counts['bodies']} đơn vị / bodies "
          f"({counts['pilot']} thí điểm / pilot, {counts['comparison']} đối chứng / comparison), "
          f"{counts['assessment_rows_written']} dòng điểm / score rows, {time.perf_counter() - start:.1f} s")
    print(f"  _synthetic/manifest.json ({len(manifest['planted_errors'])} lỗi cài sẵn / planted errors; "
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
    print(f"Đã tạo phiếu chấm điểm / scoring workbook written: {path}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from iso18091lab.run.runner import run

    extra = {}
    for item in args.param or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UserError(f"--param needs NAME=VALUE, got {item!r}")
        extra[name.strip()] = value  # always text: codes such as 01 stay "01"
    runs = run(provinces=args.province, all_provinces=args.all, raw=args.raw, processed=args.processed,
               reports=args.reports, lang=args.lang, seed=args.seed, extra=extra, workers=args.workers,
               progress=not args.quiet, national=args.national, catalog=args.catalog, force=args.force,
               document={"issuer": args.issuer, "number": args.doc_number, "motto": args.motto})
    return _print_runs(runs, args.reports, args.lang)


def _print_runs(runs, reports: Path, lang: str = "vi") -> int:
    """One line per report and evidence pack (in ``lang``; each reason for what could not be estimated once),
    then where the index is; 1 when anything failed."""
    from iso18091lab.i18n import t

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
    print(f"Mẫu dữ liệu mô phỏng / synthetic sample: {out / 'raw'}")
    return code


def _lab(args: argparse.Namespace) -> int:
    from iso18091lab.run.workbench import open_lab, prepare_lab

    written = prepare_lab(args.processed, args.province, args.work, lang=args.lang, seed=args.seed)
    print(f"Notebook đã chuẩn bị cho / notebooks prepared for {args.province}: {Path(args.work).resolve()}")
    for path in written:
        print(f"  {path.name}")
    if args.no_start:
        print(f"Mở bằng / open with: {sys.executable} -m jupyterlab --ServerApp.root_dir=\"{Path(args.work).resolve()}\"")
        return 0
    return open_lab(args.work, browser=not args.no_browser)


def _float_list(text: str) -> list[float]:
    try:
        return [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise UserError(f"--effects needs numbers separated by commas (e.g. 0,0.5,1), not {text!r}") from None


def _simulate(args: argparse.Namespace) -> int:
    from iso18091lab.run import simulation as sim

    common = dict(runs=args.runs, seed=args.seed, scheduler=args.scheduler, n_jobs=args.jobs,
                  progress=not args.quiet)
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
            from iso18091lab.i18n import t
            from iso18091lab.render.figures import simulated_power

            figure = simulated_power(result.summary, args.lang, t("plot_simpower_title", args.lang,
                                                                   provinces=design.provinces, bodies=design.bodies,
                                                                   years=design.years, runs=args.runs), args.alpha)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        if args.scheduler is None:
            raise
        raise UserError(f"không kết nối được Dask scheduler / cannot reach the Dask scheduler "
                        f"{args.scheduler}: {exc}") from None
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(result.summary.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    paths = sim.write_study(result, args.out, args.study, figure)
    print(f"\nMÔ PHỎNG / SIMULATION — {result.method}")
    print(f"{result.describe()['runs']} dòng / rows, {result.seconds:.0f} s, {result.executor}; {result.machine}")
    print("Kết quả / output: " + ", ".join(str(p) for p in paths))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (sub-commands ingest, run, demo, lab, synth, template, simulate)."""
    parser = argparse.ArgumentParser(
        prog="iso18091lab",
        description="Bàn thí nghiệm TCVN ISO 18091:2020 / TCVN ISO 18091:2020 research workbench")
    parser.add_argument("--version", action="version", version=f"iso18091lab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="đọc, kiểm tra, làm sạch dữ liệu thô / read, check and clean raw files")
    p.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="thư mục dữ liệu thô / raw folder (%(default)s)")
    p.add_argument("--processed", type=Path, default=DEFAULT_PROCESSED,
                   help="thư mục kết quả / output folder (%(default)s)")
    p.add_argument("--catalog", type=Path, default=None, help="bộ chỉ số riêng (CSV) / own indicator catalog")
    p.add_argument("--quiet", action="store_true", help="không hiện thanh tiến trình / no progress bars")
    p.set_defaults(func=_ingest)

    p = sub.add_parser("run", help="chạy các notebook phân tích và tạo báo cáo / run the analysis notebooks")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--province", action="append", help="tên hoặc mã tỉnh (lặp lại được) / province name or slug")
    where.add_argument("--all", action="store_true",
                       help="mọi tỉnh rồi tổng hợp toàn quốc / every province, then the national synthesis")
    where.add_argument("--national", action="store_true", help="chỉ tổng hợp toàn quốc / the national synthesis only")
    p.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="thư mục dữ liệu thô / raw folder (%(default)s)")
    p.add_argument("--processed", type=Path, default=DEFAULT_PROCESSED, help="dữ liệu đã xử lý (%(default)s)")
    p.add_argument("--reports", type=Path, default=DEFAULT_REPORTS, help="thư mục báo cáo / reports (%(default)s)")
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help="ngôn ngữ báo cáo / language (%(default)s)")
    p.add_argument("--seed", type=int, default=2024, help="hạt giống ngẫu nhiên / random seed (%(default)s)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="tham số khác của notebook (chỉ tên có trong ô parameters) / extra notebook parameter")
    p.add_argument("--workers", type=int, default=None,
                   help="số báo cáo chạy song song / reports at once (mặc định: số lõi, tối đa 4 / default: cores, max 4)")
    p.add_argument("--issuer", default=None, metavar="TÊN CƠ QUAN",
                   help="cơ quan ban hành, in ở góc trái đầu hồ sơ Word / issuing body on the Word pack")
    p.add_argument("--doc-number", default=None, metavar="SỐ",
                   help="số, ký hiệu văn bản (vd. 123/BC-SKHCN) / document number on the Word pack")
    p.add_argument("--motto", action="store_true",
                   help="in Quốc hiệu, Tiêu ngữ (Nghị định 30/2020/NĐ-CP) / the national motto header")
    p.add_argument("--force", action="store_true",
                   help="chạy lại mọi báo cáo, kể cả khi dữ liệu không đổi / re-run every report, even unchanged ones")
    p.add_argument("--catalog", type=Path, default=None,
                   help="bộ chỉ số riêng (CSV), dùng khi nhập dữ liệu / own indicator catalog, used at ingest")
    p.add_argument("--quiet", action="store_true", help="không hiện thanh tiến trình / no progress bars")
    p.set_defaults(func=_run)

    p = sub.add_parser("demo", help="chạy toàn bộ trên dữ liệu mô phỏng / run everything on the synthetic sample")
    p.add_argument("--out", type=Path, default=Path("iso18091lab-demo"),
                   help="thư mục ghi (raw/, processed/, reports/) / output folder (%(default)s)")
    p.add_argument("--seed", type=int, default=2024, help="hạt giống ngẫu nhiên / random seed (%(default)s)")
    p.add_argument("--small", action="store_true", help="mẫu nhỏ, chạy nhanh / a small, quick sample")
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help="ngôn ngữ báo cáo / language (%(default)s)")
    p.add_argument("--quiet", action="store_true", help="không hiện thanh tiến trình / no progress bars")
    p.set_defaults(func=_demo)

    p = sub.add_parser("lab", help="mở các notebook trong JupyterLab cho một tỉnh / open the notebooks in JupyterLab")
    p.add_argument("--province", required=True, help="tên hoặc mã tỉnh / province name or slug")
    p.add_argument("--processed", type=Path, default=DEFAULT_PROCESSED, help="dữ liệu đã xử lý (%(default)s)")
    p.add_argument("--work", type=Path, default=Path("lab"),
                   help="thư mục làm việc cho các bản notebook / work folder for the notebook copies (%(default)s)")
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help="ngôn ngữ báo cáo / language (%(default)s)")
    p.add_argument("--seed", type=int, default=2024, help="hạt giống ngẫu nhiên / random seed (%(default)s)")
    p.add_argument("--no-start", action="store_true",
                   help="chỉ chuẩn bị notebook, không mở JupyterLab / prepare the notebooks only")
    p.add_argument("--no-browser", action="store_true", help="không mở trình duyệt / do not open a browser")
    p.set_defaults(func=_lab)

    p = sub.add_parser("synth", help="tạo dữ liệu mô phỏng / write synthetic raw files")
    p.add_argument("--out", type=Path, required=True, help="thư mục ghi (nên là thư mục mới) / output folder (best a new one)")
    p.add_argument("--seed", type=int, default=2024, help="hạt giống ngẫu nhiên / random seed (%(default)s)")
    p.add_argument("--design", default="sample",
                   help="thiết kế có tên / named design (%(default)s): sample, one_year, two_rounds, national, reform_2025, ...")
    p.add_argument("--provinces", type=int, default=None, help="national: số tỉnh / provinces (34)")
    p.add_argument("--bodies", type=int, default=None, help="national: số đơn vị mỗi tỉnh / bodies per province (97)")
    p.add_argument("--years", type=int, default=None, help="national: số năm / yearly waves (5)")
    p.add_argument("--member-share", type=float, default=None,
                   help="national: tỷ lệ đơn vị có điểm từng thành viên hội đồng / share of bodies with members (0.1)")
    p.add_argument("--layout", default="long", choices=["long", "matrix", "matrix2", "rater_column", "forms"],
                   help="cách trình bày / layout (%(default)s): long (mỗi dòng một điểm / one row per score), matrix, "
                        "matrix2 (bảng tổng hợp / summary matrices), rater_column, forms (phiếu từng đơn vị / "
                        "per-body forms)")
    p.add_argument("--total-mismatch", action="store_true",
                   help="ghi sai một ô tổng mỗi tỉnh (matrix2, forms) / write one wrong total per province")
    p.set_defaults(func=_synth)

    p = sub.add_parser("template", help="tạo phiếu chấm điểm Excel / write an Excel scoring workbook")
    p.add_argument("--out", type=Path, default=Path("phieu_cham_diem.xlsx"), help="tệp ghi / file (%(default)s)")
    p.add_argument("--catalog", type=Path, default=None, help="bộ chỉ số riêng (CSV) / own indicator catalog")
    p.add_argument("--province", default="", help="tỉnh/thành phố điền sẵn / province to pre-fill")
    p.add_argument("--unit", default="", help="đơn vị điền sẵn / unit to pre-fill")
    p.add_argument("--year", type=int, default=None, help="năm điền sẵn / year to pre-fill")
    p.add_argument("--kind", default="sheet", choices=["sheet", "form", "units"],
                   help="sheet: bảng chấm điểm (mỗi dòng một điểm) / long scoring sheet; form: phiếu của một đơn vị "
                        "/ per-body form; units: danh sách đơn vị / units table (%(default)s)")
    p.add_argument("--code", default="", help="form: mã đơn vị điền sẵn / unit code to pre-fill")
    p.add_argument("--members", type=int, default=0, help="form: số thành viên hội đồng chấm riêng / council "
                                                          "members scoring separately (%(default)s)")
    p.set_defaults(func=_template)

    p = sub.add_parser("simulate", help="nghiên cứu mô phỏng: hiệu chỉnh, lực kiểm định / simulation studies: "
                                        "calibration, power")
    p.add_argument("study", choices=["calibration", "power"],
                   help="calibration: các phương pháp ước lượng hiệu quả / the effectiveness estimators; "
                        "power: lực kiểm định cho thiết kế toàn quốc / power of a national design")
    p.add_argument("--runs", type=int, default=200, help="số lần mô phỏng mỗi kịch bản / runs per scenario (%(default)s)")
    p.add_argument("--seed", type=int, default=1, help="hạt giống ngẫu nhiên / random seed (%(default)s)")
    p.add_argument("--jobs", type=int, default=None,
                   help="số tiến trình cục bộ / local processes (mặc định: số lõi / default: cores; 1 = trong tiến trình này)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="địa chỉ Dask scheduler, vd. tcp://10.0.0.5:8786 / a Dask scheduler address")
    p.add_argument("--out", type=Path, default=Path("simulations"), help="thư mục ghi / output folder (%(default)s)")
    p.add_argument("--permutations", type=int, default=None,
                   help="số hoán vị cho giá trị p / permutations for p (calibration 500, power 0 = p từ SE)")
    p.add_argument("--designs", default=None,
                   help="calibration: thiết kế, cách nhau dấu phẩy / designs (staggered,two rounds,pilot-like,pre-trend,"
                        "1 per start,2 per start,3 per start,6 per start,3 + 3,5 + 5; mặc định tất cả / default all)")
    p.add_argument("--provinces", type=int, default=34, help="power: số tỉnh / provinces (%(default)s)")
    p.add_argument("--bodies", type=int, default=97, help="power: đơn vị mỗi tỉnh / bodies per province (%(default)s)")
    p.add_argument("--years", type=int, default=5, help="power: số năm / yearly waves (%(default)s)")
    p.add_argument("--pre-years", type=int, default=2, help="power: năm trước thí điểm / waves before the start (%(default)s)")
    p.add_argument("--pilot-share", type=float, default=0.5, help="power: tỷ lệ thí điểm / pilot share (%(default)s)")
    p.add_argument("--staggered", action="store_true", help="power: bắt đầu so le / pilots start in turn")
    p.add_argument("--effect-sd", type=float, default=0.0,
                   help="power: độ lệch chuẩn hiệu quả giữa các tỉnh / SD of the effect between provinces (%(default)s)")
    p.add_argument("--effects", default="0,0.25,0.5,1",
                   help="power: các mức hiệu quả cần phát hiện (điểm) / effects to detect, points (%(default)s)")
    p.add_argument("--alpha", type=float, default=0.05, help="power: mức ý nghĩa / significance level (%(default)s)")
    p.add_argument("--processed", type=Path, default=None,
                   help="power: ước lượng phương sai, hiệp phương sai từ dữ liệu đã xử lý / take the variances from data")
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help="ngôn ngữ hình / figure language (%(default)s)")
    p.add_argument("--quiet", action="store_true", help="không hiện thanh tiến trình / no progress bars")
    p.set_defaults(func=_simulate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``iso18091lab`` command; returns the exit code."""
    from iso18091lab.catalog import CatalogError
    from iso18091lab.intake.dataset import DatasetNotFound
    from iso18091lab.intake.pipeline import IngestError
    from iso18091lab.run.runner import RunError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UserError, RunError, CatalogError, IngestError, DatasetNotFound, FileNotFoundError, PermissionError) as exc:
        print(f"iso18091lab {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("đã dừng / interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
