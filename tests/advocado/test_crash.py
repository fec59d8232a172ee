"""A process killed mid-import loses nothing and duplicates nothing (SQLite's crashtest idea)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage import Database, add_brand

N = 6000


def _count(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as connection:
            return int(connection.execute("SELECT count(*) FROM mentions").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_sigkill_at_random_points_then_rerun_gives_exactly_n_rows(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    database_file = data_dir / "advocado.db"
    with Database(f"sqlite:///{database_file}").write() as session:
        add_brand(session, "Acme")
    reviews = tmp_path / "reviews.jsonl"
    reviews.write_text("".join(
        json.dumps({"id": f"r{i}", "author": f"Author {i}", "rating": 1 + i % 5, "text": f"Review number {i} " * 5}) + "\n"
        for i in range(N)
    ))
    env = {**os.environ, "ADVOCADO_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "advocado", "import", str(reviews), "--brand", "Acme"]
    kills_mid_import = 0
    for seed in range(6):
        target = random.Random(seed).randrange(1, N)
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while child.poll() is None and _count(database_file) < target and time.monotonic() < deadline:
            time.sleep(0.005)
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            child.wait()
            kills_mid_import += _count(database_file) < N
        else:
            assert child.returncode == 0, child.stderr.read() if child.stderr else ""
        if child.stderr:
            child.stderr.close()
    assert kills_mid_import >= 3, "the test must interrupt imports that are still writing"

    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    with sqlite3.connect(database_file) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows, distinct = connection.execute("SELECT count(*), count(DISTINCT source_id || ':' || external_id) FROM mentions").fetchone()
        sources = connection.execute("SELECT count(*) FROM sources").fetchone()[0]
    assert (rows, distinct, sources) == (N, N, 1)
