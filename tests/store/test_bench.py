"""The benchmarks still run (at a tiny size) and count what they claim to; their timings are
printed by ``python -m bench``, never asserted here."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bench.digests import bench_digests
from bench.materialize import bench_materialize
from bench.orgs import Size
from bench.sweep import bench_sweep
from scheduler.engine import digests


def test_materialize_benchmark_inserts_every_occurrence(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    row = bench_materialize(Size("tiny", 1, 3, 8), tmp_path / "m")
    created = int(row.zhibu.split(", ")[1].split(" tasks")[0].replace(",", ""))
    assert created > 3 * 8 * 12  # at least dues for every member and month
    assert row.ratio.endswith("×")


def test_sweep_benchmark_changes_exactly_the_crossing_tasks(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    rows = bench_sweep(tmp_path / "s", counts=(2_000, 4_000), changing=100)
    assert [r.zhibu.split(": ", 1)[1] for r in rows] == ["100 overdue, 100 notices"] * 2


def test_digest_benchmark_queues_a_message_per_recipient(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    row = bench_digests(Size("tiny", 1, 2, 6), tmp_path / "d")
    recipients = int(row.size.split(", ")[1].split(" ")[0])
    messages = int(row.zhibu.split(" messages")[0].replace(",", ""))
    assert recipients > 0
    assert messages == recipients  # one email each (every bench person has an address)


def test_digests_composed_a_batch_at_a_time_reach_everyone_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digests, "DIGEST_BATCH", 4)  # smaller than the recipients: several batches
    (tmp_path / "d").mkdir()
    row = bench_digests(Size("tiny", 1, 2, 6), tmp_path / "d")
    recipients = int(row.size.split(", ")[1].split(" ")[0])
    assert recipients > 4 * 2
    assert int(row.zhibu.split(" messages")[0].replace(",", "")) == recipients
    with sqlite3.connect(tmp_path / "d" / "org" / "zhibu.db") as connection:
        waiting = connection.execute("SELECT count(*) FROM notice WHERE digest_day IS NULL").fetchone()[0]
        queued = connection.execute("SELECT count(DISTINCT recipient) FROM outbox WHERE kind = 'digest'").fetchone()[0]
    assert (waiting, queued) == (0, recipients)  # every notice carried, every recipient once
