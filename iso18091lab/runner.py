"""``iso18091lab run``: ingest when the raw data changed, run every analysis notebook per province with
papermill, render HTML without code, write a manifest per province and ``reports/index.html``.

Provinces run concurrently in a thread pool (each papermill kernel is its own process; process pools with
fork collide on kernel ports). papermill's ``cwd`` option changes the working directory of the *whole
process* (``os.chdir``), which races between threads and can leave the process in another folder, so it is
never passed: every path is made absolute first and notebooks read only the absolute paths they are given. Parameters are checked before anything runs: only names that the notebooks'
``parameters`` cells declare may be passed, and every value is passed as text or number exactly as given.
"""
from __future__ import annotations

import hashlib
import json
import platform
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from tqdm import tqdm

from . import __version__
from .provinces import province_key
from .config import DEFAULT_PROCESSED, DEFAULT_RAW, DEFAULT_REPORTS
from .dataset import load
from .i18n import TEXT, number, t
from .catalog import load_catalog
from .ingest import catalog_fingerprint, ingest, raw_fingerprint
from .text import slugify

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
KERNEL_NAME = "python3"
BASE_PARAMETERS = ("province", "processed_dir", "output_dir", "lang", "seed")
KEY_PACKAGES = ("pandas", "numpy", "scipy", "matplotlib", "papermill", "nbconvert", "pyarrow", "python-calamine")
REMOVE_TAGS = {"remove_cell", "parameters", "injected-parameters"}


class RunError(Exception):
    """Bad run request (unknown province, parameter not declared by the notebooks...)."""


@dataclass
class NotebookRun:
    notebook: str
    status: str = "pending"
    html: str = ""
    executed: str = ""
    error: str = ""
    failing_cell: int | None = None
    seconds: float = 0.0
    not_estimable: list = field(default_factory=list)  # [{"section", "reason"}]: the report is "partial"


@dataclass
class ProvinceRun:
    province: str
    slug: str
    status: str = "pending"
    notebooks: list[NotebookRun] = field(default_factory=list)
    started: str = ""
    finished: str = ""
    evidence: dict = field(default_factory=dict)  # {"docx": name, "xlsx": name} or {"error": message}


NATIONAL_SLUG = "toan-quoc"
NATIONAL_NAME = "Toàn quốc"


def analysis_notebooks(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Province notebooks in reading order: ``NN_name.ipynb`` with NN below 40 (40+ are national)."""
    found = sorted(p for p in Path(notebooks_dir).glob("[0-9][0-9]_*.ipynb") if int(p.name[:2]) < 40)
    if not found:
        raise RunError(f"no analysis notebooks in {notebooks_dir}")
    return found


def national_notebooks(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """National notebooks (``NN_name.ipynb`` with NN of 40 or more), run after the provinces."""
    return sorted(p for p in Path(notebooks_dir).glob("[0-9][0-9]_*.ipynb") if int(p.name[:2]) >= 40)


def declared_parameters(notebook: Path) -> set[str]:
    """Names in the notebook's tagged ``parameters`` cell (as papermill reads them)."""
    import papermill

    return set(papermill.inspect_notebook(str(notebook)).keys())


def check_parameters(notebooks: list[Path], extra: dict[str, object]) -> None:
    """Refuse any parameter name that a notebook does not declare (papermill would run it as code)."""
    for notebook in notebooks:
        declared = declared_parameters(notebook)
        missing = set(BASE_PARAMETERS) - declared
        if missing:
            raise RunError(f"{notebook.name}: its parameters cell lacks {sorted(missing)}")
        unknown = set(extra) - declared
        if unknown:
            raise RunError(f"unknown parameter(s) {sorted(unknown)} for {notebook.name}; "
                           f"declared: {sorted(declared)} / tham số không có trong notebook")


def resolve_provinces(requested: list[str], known: list[str]) -> list[str]:
    """Canonical province names for names, slugs or spellings ('hai-phong', 'TP. Hải Phòng')."""
    by_key = {province_key(p): p for p in known} | {slugify(p): p for p in known}
    resolved = []
    for name in requested:
        match = by_key.get(province_key(name)) or by_key.get(slugify(name))
        if match is None:
            raise RunError(f"unknown province {name!r}; known: {', '.join(known) or '(none)'} / "
                           f"không có tỉnh/thành phố này trong dữ liệu")
        resolved.append(match)
    return list(dict.fromkeys(resolved))


def ensure_ingested(raw: Path, processed: Path, progress: bool = False, catalog: Path | None = None) -> bool:
    """Ingest when the processed data is missing, or the raw files, the catalog or the package version changed
    since it was written; True if it ran. ``catalog`` None means the bundled catalog."""
    summary = processed / "ingest_summary.json"
    if summary.exists() and raw.is_dir():
        previous = json.loads(summary.read_text(encoding="utf-8"))
        wanted = catalog_fingerprint(load_catalog(catalog))
        if (previous.get("raw_fingerprint") == raw_fingerprint(raw) and previous.get("catalog_fingerprint") == wanted
                and previous.get("package_version") == __version__):
            return False
    ingest(raw, processed, catalog=catalog, progress=progress)
    return True


def dependency_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "iso18091lab": __version__}
    for name in KEY_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover
            versions[name] = "not installed"
    return versions


def _not_estimable(folder: Path, notebook: str) -> list[dict]:
    """What a rendered notebook said it could not estimate (from its results.json entry)."""
    path = folder / "results.json"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8")).get(notebook, {}).get("not_estimable", [])


def render_html(executed: Path, html_path: Path, synthetic: bool, lang: str) -> None:
    """HTML without code cells or prompts, figures embedded, synthetic banner on top when it applies."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    notebook = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    remover = TagRemovePreprocessor(remove_cell_tags=REMOVE_TAGS, enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": executed.stem}})
    body = body.replace("<html>", f'<html lang="{lang}">', 1)
    if synthetic:
        banner = ('<div style="position:sticky;top:0;z-index:10;background:#FFC7CE;color:#9C0006;'
                  'border-bottom:2px solid #9C0006;padding:6px 12px;font-weight:bold;font-family:DejaVu Sans,'
                  f'sans-serif">{escape(t("synthetic_banner", lang))}</div>')
        body = body.replace("<body", "<body data-synthetic='true'", 1)
        head_end = body.index(">", body.index("<body")) + 1
        body = body[:head_end] + banner + body[head_end:]
    html_path.write_text(body, encoding="utf-8")


def _input_hash(processed: Path) -> str:
    digest = hashlib.sha256()
    for name in ("assessments.parquet", "units.parquet", "outcomes.parquet", "quarantine.csv"):
        path = processed / name
        if path.exists():
            digest.update(name.encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _run_province(province: str, notebooks: list[Path], processed: Path, reports: Path, lang: str, seed: int,
                  extra: dict, synthetic: bool, summary: dict, bar, slug: str | None = None) -> ProvinceRun:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .evidence import write_evidence_pack

    slug = slug or slugify(province)
    out = reports / slug
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").unlink(missing_ok=True)
    run = ProvinceRun(province, slug, started=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    parameters = {"province": province, "processed_dir": str(processed), "output_dir": str(out),
                  "lang": lang, "seed": seed, **extra}
    for notebook in notebooks:
        item = NotebookRun(notebook.stem)
        executed = out / notebook.name
        start = datetime.now(timezone.utc)
        try:
            papermill.execute_notebook(str(notebook), str(executed), parameters=parameters, kernel_name=KERNEL_NAME,
                                       progress_bar=False, log_output=False)
            item.executed = executed.name
            render_html(executed, out / f"{notebook.stem}.html", synthetic, lang)
            item.html, item.status = f"{notebook.stem}.html", "ok"
            item.not_estimable = _not_estimable(out, notebook.stem)
            if item.not_estimable:
                item.status = "partial"
        except PapermillExecutionError as exc:
            item.status, item.failing_cell = "failed", exc.exec_count
            item.error = f"{exc.ename}: {exc.evalue}"
            item.executed = executed.name if executed.exists() else ""
        except Exception as exc:  # noqa: BLE001 - one province's failure must not stop the others
            item.status = "failed"
            item.error = traceback.format_exception_only(type(exc), exc)[-1].strip()
        item.seconds = round((datetime.now(timezone.utc) - start).total_seconds(), 1)
        run.notebooks.append(item)
        bar.update(1)
    provenance = {"input_hash": _input_hash(processed), "seed": seed}
    if (out / "results.json").exists():
        try:
            docx_path, xlsx_path = write_evidence_pack(out, province, provenance, lang)
            run.evidence = {"docx": docx_path.name, "xlsx": xlsx_path.name}
        except Exception as exc:  # noqa: BLE001 - reported in the manifest and the index
            run.evidence = {"error": traceback.format_exception_only(type(exc), exc)[-1].strip()}
    if any(n.status == "failed" for n in run.notebooks) or "error" in run.evidence:
        run.status = "failed"
    else:
        run.status = "partial" if any(n.status == "partial" for n in run.notebooks) else "ok"
    run.finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
    manifest = {
        "province": province, "slug": slug, "status": run.status, "started": run.started, "finished": run.finished,
        "parameters": parameters, "seed": seed, "lang": lang, "synthetic": synthetic,
        "raw_fingerprint": summary.get("raw_fingerprint"), "input_hash": provenance["input_hash"],
        "versions": dependency_versions(),
        "notebooks": [vars(n) for n in run.notebooks], "evidence": run.evidence,
        "scope": "national" if slug == NATIONAL_SLUG else "province",
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return run


def run(provinces: list[str] | None = None, all_provinces: bool = False, raw: Path = DEFAULT_RAW,
        processed: Path = DEFAULT_PROCESSED, reports: Path = DEFAULT_REPORTS, lang: str = "vi", seed: int = 2024,
        extra: dict | None = None, notebooks_dir: Path = NOTEBOOKS_DIR, workers: int = 4,
        progress: bool = True, national: bool = False, catalog: Path | None = None) -> list[ProvinceRun]:
    """Run every analysis notebook for the given provinces (or all), then — with ``all_provinces`` or
    ``national`` — the national notebooks into ``reports/toan-quoc/``, and write the index page."""
    raw, processed, reports = Path(raw).resolve(), Path(processed).resolve(), Path(reports).resolve()
    notebooks_dir = Path(notebooks_dir).resolve()
    extra = dict(extra or {})
    if lang not in ("vi", "en"):
        raise RunError(f"unknown language {lang!r}: use vi or en")
    notebooks = analysis_notebooks(notebooks_dir)
    national_set = national_notebooks(notebooks_dir) if (all_provinces or national) else []
    check_parameters(notebooks + national_set, extra)
    ensure_ingested(raw, processed, progress=progress, catalog=catalog)
    data = load(processed)
    known = data.provinces
    targets = known if all_provinces else ([] if national and not provinces else
                                           resolve_provinces(provinces or [], known))
    if not targets and not national_set:
        raise RunError("name a province (--province), or use --all or --national")
    reports.mkdir(parents=True, exist_ok=True)
    runs: list[ProvinceRun] = []
    total = len(targets) * len(notebooks) + len(national_set)
    with tqdm(total=total, desc="Chạy báo cáo / running reports", unit="notebook", disable=not progress) as bar:
        if targets:
            with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) as pool:
                futures = [pool.submit(_run_province, p, notebooks, processed, reports, lang, seed, extra,
                                       data.synthetic, data.summary, bar) for p in targets]
                for future in as_completed(futures):
                    runs.append(future.result())
        if national_set:
            runs.append(_run_province(NATIONAL_NAME, national_set, processed, reports, lang, seed, extra,
                                      data.synthetic, data.summary, bar, slug=NATIONAL_SLUG))
    write_index(reports, lang, data.summary)
    return sorted(runs, key=lambda r: (r.slug == NATIONAL_SLUG, r.province))


def write_index(reports: Path, lang: str = "vi", summary: dict | None = None) -> Path:
    """``reports/index.html``: every province's reports with status and date, from their manifests, and the
    ingest totals (rows read, accepted, quarantined — also those not attributable to any province)."""
    manifests = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(reports.glob("*/manifest.json"))]
    synthetic = any(m.get("synthetic") for m in manifests)
    rows = []
    for m in sorted(manifests, key=lambda m: (m.get("scope") != "national", m["province"])):
        links = []
        for n in m["notebooks"]:
            title = escape(_notebook_title(n["notebook"], lang))
            if n["status"] in ("ok", "partial"):
                links.append(f'<a href="{escape(m["slug"])}/{escape(n["html"])}">{title}</a>')
                links += [f'<span class="partial">({escape(t("partial", lang))}: {escape(x["reason"])})</span>'
                          for x in n.get("not_estimable", [])]
            else:
                links.append(f'<span class="failed">{title}: {escape(n["error"])}</span>')
        links = " · ".join(links)
        evidence = m.get("evidence", {})
        if evidence.get("docx"):
            links += (f' · <a href="{escape(m["slug"])}/{escape(evidence["docx"])}">Word</a>'
                      f' · <a href="{escape(m["slug"])}/{escape(evidence["xlsx"])}">Excel</a>')
        elif evidence.get("error"):
            links += f' · <span class="failed">{escape(evidence["error"])}</span>'
        status = {"ok": "✔ ok", "partial": "◐ " + t("partial", lang)}.get(
            m["status"], "✘ " + ("lỗi" if lang == "vi" else "failed"))
        rows.append(f"<tr><td>{escape(m['province'])}</td><td class='{m['status']}'>{status}</td>"
                    f"<td>{escape(m['finished'][:16].replace('T', ' '))}</td>"
                    f"<td>{escape(headline(reports / m['slug'], lang))}</td><td>{links}</td>"
                    f"<td><a href='{escape(m['slug'])}/manifest.json'>manifest</a></td></tr>")
    heads = (["Tỉnh/Thành phố", "Trạng thái", "Thời gian (UTC)", "Kết quả chính", "Báo cáo", "Lý lịch chạy"]
             if lang == "vi" else ["Province", "Status", "Time (UTC)", "Main result", "Reports", "Run record"])
    banner = (f'<div class="banner">{escape(t("synthetic_banner", lang))}</div>' if synthetic else "")
    title = "Báo cáo thí điểm TCVN ISO 18091:2020" if lang == "vi" else "TCVN ISO 18091:2020 pilot reports"
    html = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:"DejaVu Sans",Arial,sans-serif;margin:2em;max-width:70em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:6px 10px;text-align:left}}
.banner{{background:#FFC7CE;color:#9C0006;border:2px solid #9C0006;padding:8px 12px;font-weight:bold}}
.ok{{color:#007a55}}.failed{{color:#b00020}}.partial{{color:#b26a00}}</style></head>
<body>{banner}<h1>{escape(title)}</h1>{_ingest_line(summary, lang)}
<table><tr>{''.join(f'<th>{h}</th>' for h in heads)}</tr>
{''.join(rows)}
</table><p>iso18091lab {__version__}</p></body></html>
"""
    path = reports / "index.html"
    path.write_text(html, encoding="utf-8")
    return path


def _ingest_line(summary: dict | None, lang: str) -> str:
    """One paragraph with the ingest totals for the index page."""
    if not summary:
        return ""
    if lang == "vi":
        text = (f"Dữ liệu: đã đọc {summary['rows_read']} dòng = nhận {summary['accepted']} + cách ly "
                f"{summary['quarantined']} + trùng lặp {summary['duplicates']}; "
                f"{summary.get('quarantined_unattributed', 0)} dòng bị cách ly không xác định được tỉnh/thành phố "
                f"(xem quarantine.csv trong thư mục dữ liệu đã xử lý và báo cáo chất lượng dữ liệu của từng tỉnh).")
    else:
        text = (f"Data: {summary['rows_read']} rows read = {summary['accepted']} accepted + {summary['quarantined']} "
                f"quarantined + {summary['duplicates']} duplicates; {summary.get('quarantined_unattributed', 0)} "
                f"quarantined rows could not be attributed to a province (see quarantine.csv in the processed "
                f"folder and each province's data-quality report).")
    return f"<p class='ingest'>{escape(text)}</p>"


def headline(folder: Path, lang: str = "vi") -> str:
    """The main result of a report folder, read from its results.json (effect and 95% CI, else data size)."""
    path = folder / "results.json"
    if not path.exists():
        return "–"
    results = json.loads(path.read_text(encoding="utf-8"))
    fmt = lambda x: number(x, lang)  # noqa: E731
    word = "điểm" if lang == "vi" else "points"
    if "40_national" in results:
        p = results["40_national"].get("values", {}).get("pooled")
        if not p:  # fewer than two provinces could be estimated: notebook 40 says why
            return t("not_estimable", lang)
        return f"{fmt(p['estimate'])} {word} ({fmt(p['ci_low'])} – {fmt(p['ci_high'])}), k = {p['k']}"
    primary = results.get("30_effectiveness", {}).get("values", {}).get("primary")
    if primary:
        return f"{fmt(primary['estimate'])} {word} ({fmt(primary['ci_low'])} – {fmt(primary['ci_high'])})"
    quality = results.get("00_data_quality", {}).get("values")
    if quality:
        return f"{quality['n_bodies']} {'đơn vị' if lang == 'vi' else 'bodies'}"
    return "–"


def _notebook_title(notebook: str, lang: str) -> str:
    """The report title of a notebook ('10_scorecard' -> 'Bảng điểm theo đèn tín hiệu'), else its name."""
    return t(f"title_{notebook}", lang) if f"title_{notebook}" in TEXT else notebook
