"""National scale in the runner (issue 13): province partitions, warm kernels, one BLAS thread per kernel and
incremental runs — an unchanged re-run reuses every report, a changed province re-runs only itself and the
national synthesis, ``force`` re-runs all, and a report from a warm kernel equals one from a fresh kernel."""
from __future__ import annotations

import json
import os
import shutil

import pandas as pd
import pytest

import iso18091lab as lab
from iso18091lab.run.kernels import WarmKernel, _execute, thread_environment
from iso18091lab.run.runner import run


def _reused(reports) -> dict[str, list[bool]]:
    out = {}
    for path in sorted(reports.glob("*/manifest.json")):
        manifest = json.loads(path.read_text(encoding="utf-8"))
        out[manifest["slug"]] = [n["reused"] for n in manifest["notebooks"]]
    return out


def _one_notebook(folder, name):
    from iso18091lab.run.request import NOTEBOOKS_DIR

    folder.mkdir()
    shutil.copy(NOTEBOOKS_DIR / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def runs(small_processed, tmp_path_factory):
    """On a copy of the small design: a first run (warm kernels); an unchanged one; one after a Quảng Ninh file
    changed; the scorecard of Hải Phòng again on a fresh kernel (elsewhere); then forced."""
    root = tmp_path_factory.mktemp("incremental")
    raw, processed, reports = root / "raw", root / "processed", root / "reports"
    shutil.copytree(small_processed / "raw", raw)
    first = run(all_provinces=True, raw=raw, processed=processed, reports=reports, progress=False)
    second = run(all_provinces=True, raw=raw, processed=processed, reports=reports, progress=False)
    reused_second = _reused(reports)
    changed = sorted(raw.glob("*quang-ninh*.csv"))[-1]
    lines = changed.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].split(";")[7] == "diem"
    cells = lines[2].split(";")
    cells[7] = "3" if cells[7] != "3" else "4"  # one score of one body changed
    changed.write_text("\n".join(lines[:2] + [";".join(cells)] + lines[3:]) + "\n", encoding="utf-8")
    third = run(all_provinces=True, raw=raw, processed=processed, reports=reports, progress=False)
    reused_third = _reused(reports)
    # the scorecard ran second on its warm kernel (after 00_data_quality): the same report on a fresh kernel
    scorecard = _one_notebook(root / "only", "10_scorecard.ipynb")
    run(["Hải Phòng"], raw=raw, processed=processed, reports=root / "fresh", progress=False, warm_kernels=False,
        notebooks_dir=scorecard)
    forced = run(["Hải Phòng"], raw=raw, processed=processed, reports=root / "fresh", progress=False, force=True,
                 notebooks_dir=scorecard)
    return {"first": first, "second": second, "reused_second": reused_second, "third": third,
            "reused_third": reused_third, "forced": forced, "reports": reports, "processed": processed,
            "fresh": root / "fresh" / "hai-phong"}


def test_every_report_runs_the_first_time_and_is_reused_when_nothing_changed(runs):
    assert all(r.status in ("ok", "partial") for r in runs["first"]), [(n.notebook, n.error) for r in runs["first"]
                                                                       for n in r.notebooks]
    assert not any(n.reused for r in runs["first"] for n in r.notebooks)
    assert runs["reused_second"] == {"hai-phong": [True] * 4, "quang-ninh": [True] * 4, "toan-quoc": [True]}
    assert all(n.status in ("ok", "partial") and n.inputs_hash for r in runs["second"] for n in r.notebooks)


def test_force_runs_again_and_a_warm_kernel_gives_the_same_report(runs):
    assert [n.reused for r in runs["forced"] for n in r.notebooks] == [False]
    warm, fresh = runs["reports"] / "hai-phong", runs["fresh"]
    entry = lambda folder: json.loads((folder / "results.json").read_text(encoding="utf-8"))["10_scorecard"]  # noqa
    assert entry(warm) == entry(fresh)
    # ... and the same numbers: the typed summary the report states them in
    saved = lambda folder: (folder / "summaries" / "10_scorecard.json").read_text(encoding="utf-8")  # noqa: E731
    assert saved(warm) == saved(fresh)
    for table in sorted((fresh / "summaries" / "10_scorecard").glob("*.parquet")):
        pd.testing.assert_frame_equal(pd.read_parquet(warm / "summaries" / "10_scorecard" / table.name),
                                      pd.read_parquet(table))
    tables = sorted(p.name for p in (fresh / "tables").glob("10_scorecard*.csv"))
    assert tables
    for name in tables:
        assert (warm / "tables" / name).read_bytes() == (fresh / "tables" / name).read_bytes(), name


def test_a_changed_province_re_runs_only_itself_and_the_national_synthesis(runs):
    reports = runs["reports"]
    assert runs["reused_third"] == {"hai-phong": [True] * 4, "quang-ninh": [False] * 4, "toan-quoc": [False]}
    # the kept province belongs to the new dataset: it is on the index, not moved away as other data
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "hai-phong/10_scorecard.html" in index and "quang-ninh/10_scorecard.html" in index
    assert not (reports / "_du-lieu-khac").exists() or not any((reports / "_du-lieu-khac").rglob("hai-phong"))
    hashes = {json.loads(p.read_text(encoding="utf-8"))["input_hash"] for p in reports.glob("*/manifest.json")}
    assert len(hashes) == 1


def test_a_province_kernel_reads_only_its_partition(runs):
    processed = runs["processed"]
    whole = lab.load(processed)
    for province in whole.provinces:
        part = lab.load(processed, province=province)
        expected = whole.for_province(province)
        for table in ("assessments", "units", "outcomes", "quarantine", "name_matches"):
            pd.testing.assert_frame_equal(getattr(part, table), getattr(expected, table))
        assert part.summary == expected.summary
        assert set(part.assessments["province"]) == {province}
        # the province's file list: its own files and files of no province, never another province's
        files = {f["file"] for f in part.summary["files"]}
        own = {f for f, provinces in whole.summary["file_provinces"].items() if province in provinces}
        assert own <= files
        assert not any(set(whole.summary["file_provinces"].get(f, [province])) == {other}
                       for f in files for other in whole.provinces if other != province)


def test_kernels_get_one_blas_thread_when_several_run(tmp_path):
    import nbformat

    code = "import os\nprint(os.environ.get('OPENBLAS_NUM_THREADS'), os.environ.get('OMP_NUM_THREADS'))"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                                         nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "n.ipynb")
    env = thread_environment(2)
    kernel = WarmKernel(env)
    try:
        for x in (1, 2):  # the second notebook on the same kernel starts from a clean namespace
            _execute(tmp_path / "n.ipynb", tmp_path / f"out{x}.ipynb", {"x": x}, kernel)
            out = nbformat.read(tmp_path / f"out{x}.ipynb", as_version=4)
            printed = [c for c in out.cells if "OPENBLAS" in c.source][0].outputs[0]["text"]
            assert printed.split() == [env["OPENBLAS_NUM_THREADS"], env["OMP_NUM_THREADS"]]
    finally:
        kernel.close()
    assert thread_environment(1).get("OPENBLAS_NUM_THREADS") == os.environ.get("OPENBLAS_NUM_THREADS")
    assert thread_environment(2)["OMP_NUM_THREADS"] == os.environ.get("OMP_NUM_THREADS", "1")


def test_a_warm_kernel_forgets_the_previous_notebook(tmp_path):
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    def notebook(name, source):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 0", metadata={"tags": ["parameters"]}),
                                             nbformat.v4.new_code_cell(source)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, tmp_path / name)
        return tmp_path / name

    kernel = WarmKernel(thread_environment(1))
    try:
        _execute(notebook("a.ipynb", "leftover = 42"), tmp_path / "a.out.ipynb", {"x": 1}, kernel)
        first = kernel.manager
        with pytest.raises(PapermillExecutionError, match="NameError"):
            _execute(notebook("b.ipynb", "print(leftover)"), tmp_path / "b.out.ipynb", {"x": 1}, kernel)
        assert kernel.manager is None  # a failed notebook's kernel is replaced
        _execute(notebook("c.ipynb", "print(x)"), tmp_path / "c.out.ipynb", {"x": 3}, kernel)
        assert kernel.manager is not first
        out = nbformat.read(tmp_path / "c.out.ipynb", as_version=4)
        assert out.cells[-1].outputs[0]["text"] == "3\n"
        assert "remove_cell" in out.cells[0].metadata["tags"]  # the reset cell never shows in the HTML report
    finally:
        kernel.close()


def test_a_kernel_warmed_during_ingest_has_the_package_imported_and_no_names_left(tmp_path):
    import nbformat

    from iso18091lab.run.kernels import _warm_up

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 0", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import sys\nprint(sorted(m for m in sys.modules if m.startswith('iso18091lab.stats.')))\n"
                                  "print([n for n in ('iso18091lab', 'matplotlib') if n in dir()])\nprint(__name__)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "probe.ipynb")
    kernel = WarmKernel(thread_environment(1))
    try:
        _warm_up(kernel)
        warmed = kernel.manager
        _execute(tmp_path / "probe.ipynb", tmp_path / "probe.out.ipynb", {"x": 1}, kernel)
        assert kernel.manager is warmed  # the report ran on the kernel started during ingest
    finally:
        kernel.close()
    modules, names, module_name = nbformat.read(tmp_path / "probe.out.ipynb", as_version=4).cells[-1].outputs[0]["text"].splitlines()
    assert module_name == "__main__"  # the reset keeps the dunders (%reset restored them; code may test __name__)
    assert {"iso18091lab.stats.intraclass", "iso18091lab.stats.synthesis",
            "iso18091lab.stats.did.imputation"} <= set(eval(modules))
    assert eval(names) == []  # the warm-up's imports are gone from the report's namespace


def test_a_table_changed_after_ingest_is_not_hidden_by_a_stale_partition(small_processed, tmp_path):
    processed = tmp_path / "processed"
    shutil.copytree(small_processed / "processed", processed)
    province = lab.load(processed).provinces[0]
    assert len(lab.load(processed, province=province).assessments) > 0
    whole = pd.read_parquet(processed / "assessments.parquet")
    whole[whole["province"] != province].to_parquet(processed / "assessments.parquet", index=False)
    assert len(lab.load(processed, province=province).assessments) == 0


def test_one_failing_task_does_not_stop_the_others_and_cancel_drops_the_rest():
    import threading
    import time

    from iso18091lab.run.workers import _Workers

    def work(task, kernel):
        if task == "bad":
            raise RuntimeError("this province's pages could not be written")
        time.sleep(0.01)
        return task

    pool = _Workers(2, thread_environment(2))
    with pytest.raises(RuntimeError, match="could not be written"):
        pool.run(["a", "bad", "b", "c", "d"], work)
    assert sorted(pool.results) == ["a", "b", "c", "d"]  # the other tasks still ran

    started, release = [], threading.Event()

    def slow(task, kernel):
        started.append(task)
        release.wait(5)
        return task

    pool = _Workers(2, thread_environment(2))
    for task in range(10):
        pool.queue.put((slow, task))
    while len(started) < 2:
        time.sleep(0.01)
    pool.cancel()  # what run() does on Ctrl-C
    release.set()
    pool.close()
    assert sorted(started) == [0, 1] and sorted(pool.results) == [0, 1]  # the running two end; no new one starts


def test_the_kernel_code_lives_in_a_module_and_the_cells_only_call_it():
    """RESET_SOURCE / WARM_UP_SOURCE are one call each into iso18091lab.run.kernel_setup (no code held in strings);
    the reset keeps dunders and IPython's hidden names and deletes the user's."""
    import ast

    from iso18091lab.run import kernel_setup
    from iso18091lab.run.kernels import RESET_SOURCE, WARM_UP_SOURCE

    for source in (RESET_SOURCE, WARM_UP_SOURCE):
        body = ast.parse(source).body
        assert len(body) == 1 and isinstance(body[0].value, ast.Call)

    class Shell:
        user_ns_hidden = {"In": 1, "_oh": 1}

        def __init__(self):
            self.user_ns = {"__name__": "__main__", "In": [], "_oh": {1: "x"}, "table": 1, "_private": 2}

            class Hook:
                pass
            self.displayhook = Hook()

    shell = Shell()
    kernel_setup.reset_namespace(shell)
    assert set(shell.user_ns) == {"__name__", "In", "_oh"} and shell.user_ns["_oh"] == {}
    kernel_setup.warm_up()
    import sys

    assert all(name in sys.modules for name in kernel_setup.REPORT_MODULES)


def test_the_national_report_runs_again_when_a_province_summary_it_read_changed(runs):
    """The national report's inputs hold the bytes of the province summaries it reads: rewritten (same content,
    other bytes), Hải Phòng's effectiveness summary makes it run again, alone; an unchanged re-run reuses it."""
    reports, processed = runs["reports"], runs["processed"]
    path = reports / "hai-phong" / "summaries" / "30_effectiveness.json"
    path.write_text(json.dumps(json.loads(path.read_text(encoding="utf-8")), indent=4), encoding="utf-8")
    again = run(national=True, raw=processed.parent / "raw", processed=processed, reports=reports, progress=False)
    assert [(r.slug, [n.reused for n in r.notebooks]) for r in again] == [("toan-quoc", [False])]
    assert again[0].status in ("ok", "partial")
    manifest = json.loads((reports / "toan-quoc" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["parameters"]["province_dirs"]) == ["Hải Phòng", "Quảng Ninh"]
    unchanged = run(national=True, raw=processed.parent / "raw", processed=processed, reports=reports, progress=False)
    assert [n.reused for r in unchanged for n in r.notebooks] == [True]
