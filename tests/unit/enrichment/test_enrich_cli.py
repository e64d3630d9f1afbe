"""``warta enrich``: JSON lines in, JSON lines out, bad lines reported with their number."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from warta.enrichment.cli import enrich_command

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "enrichment" / "articles.jsonl"


def test_round_trip_on_a_jsonl_file_reports_bad_lines_and_exits_nonzero() -> None:
    result = CliRunner().invoke(enrich_command, [str(FIXTURE)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [r["id"] for r in lines][0] == "sport-1"
    assert len(lines) == 2
    sport, bank = lines
    assert sport["language"]["code"] == "id"
    assert bank["language"]["code"] == "en"
    assert "Baca juga" not in sport["text"] and "Read more" not in bank["text"]
    for record in lines:
        assert record["signature"] and record["keywords"]
        assert {"entities", "topics", "enricher_version"} <= set(record)
    assert "line 3: invalid JSON" in result.stderr
    assert "line 4: cannot enrich" in result.stderr


def test_stdin_input_with_only_good_lines_exits_zero() -> None:
    good = '{"text": "Bank Indonesia mempertahankan suku bunga acuan pada rapat dewan gubernur bulan ini."}\n'
    result = CliRunner().invoke(enrich_command, [], input=good)
    assert result.exit_code == 0, result.stderr
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["language"]["code"] == "id"
    assert "terms" not in record


def test_installed_warta_command_has_the_enrich_subcommand(tmp_path: Path) -> None:
    exe = shutil.which("warta")
    assert exe is not None, "the warta entry point must be installed in the environment"
    src = tmp_path / "one.jsonl"
    src.write_text(
        '{"id": "x", "text": "The European Central Bank kept interest rates unchanged on Thursday."}\n'
    )
    proc = subprocess.run(
        [exe, "enrich", str(src), "--with-terms"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["id"] == "x" and record["terms"]
