"""The iso18091lab command: sub-commands, exit codes, messages."""
from __future__ import annotations

import subprocess
import sys

import pytest

from iso18091lab.cli import main


def test_synth_ingest_template(tmp_path, capsys):
    assert main(["synth", "--out", str(tmp_path / "raw"), "--seed", "3"]) == 0
    assert "SYNTHETIC DATA" in capsys.readouterr().out
    # the sample has rows spoiled on purpose: they are quarantined, so the exit status is 1 (documented)
    assert main(["ingest", "--raw", str(tmp_path / "raw"), "--processed", str(tmp_path / "p"), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "rows read" in out and "SYNTHETIC DATA" in out
    assert (tmp_path / "p" / "assessments.parquet").exists()
    assert main(["template", "--out", str(tmp_path / "t.xlsx"), "--province", "Hải Phòng", "--year", "2024"]) == 0
    assert (tmp_path / "t.xlsx").exists()


def test_errors_are_one_clear_line(tmp_path, capsys):
    assert main(["ingest", "--raw", str(tmp_path / "nothing"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "raw folder not found" in err and "Traceback" not in err
    bad_catalog = tmp_path / "c.csv"
    bad_catalog.write_text("x\n1\n")
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.csv").write_text("unit,indicator,score\nA,1.1,5\n")
    assert main(["ingest", "--raw", str(tmp_path / "raw"), "--catalog", str(bad_catalog), "--quiet"]) == 2
    assert "catalog needs columns" in capsys.readouterr().err


def test_failed_file_gives_exit_code_1(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text("province,unit,year,rater,indicator,score\nHải Phòng,A,2023,self,1.1,5\n",
                               encoding="utf-8")
    (raw / "b.xlsx").write_text("not a workbook")
    assert main(["ingest", "--raw", str(raw), "--processed", str(tmp_path / "p"), "--quiet"]) == 1
    assert "b.xlsx" in capsys.readouterr().err


def test_help_for_every_command():
    for command in ([], ["ingest"], ["synth"], ["template"]):
        done = subprocess.run([sys.executable, "-m", "iso18091lab.cli", *command, "--help"], capture_output=True,
                              text=True)
        assert done.returncode == 0 and "usage: iso18091lab" in done.stdout


def test_missing_subcommand_is_a_usage_error():
    with pytest.raises(SystemExit) as exit_:
        main([])
    assert exit_.value.code == 2
