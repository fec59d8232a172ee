"""A real `advocado serve` on a free loopback port: API, login, run-now, scheduler, and a model that won't load."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from storage import Database
from tests.web.conftest import CANARY, Site, _seed

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Site, subprocess.Popen[str]]]:
    data = tmp_path / "data"
    db = Database(f"sqlite:///{data / 'advocado.db'}")
    site = _seed(db)
    with db.write() as session:
        from storage import get_source

        source = get_source(session, site.youtube_id)
        source.params = {**source.params, "base_url": "http://127.0.0.1:9"}
        source.last_error, source.consecutive_failures = None, 0
        session.add(source)
    db.dispose()
    port = free_port()
    env = {**os.environ, "ADVOCADO_DATA_DIR": str(data), "ADVOCADO_SENTIMENT_MODEL": str(tmp_path / "no-such-model"),
           "ADVOCADO_LOG_LEVEL": "INFO", "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "-m", "advocado", "serve", "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            if server.poll() is not None:
                pytest.fail(f"advocado serve exited: {server.stdout.read() if server.stdout else ''}")
            time.sleep(0.2)
    else:
        server.kill()
        server.wait()
        pytest.fail("advocado serve did not start within 60 s")
    yield base, site, server
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    if server.stdout:
        server.stdout.close()


def _wait_for(check: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.25)
    pytest.fail("condition not met in time")


def test_a_running_server(served: tuple[str, Site, subprocess.Popen[str]]) -> None:
    base, site, server = served
    with httpx.Client(base_url=base, timeout=10, follow_redirects=True) as client:
        assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "scheduler": True}
        assert client.get("/api/v1/mentions").status_code == 401
        mentions = client.get("/api/v1/mentions", params={"sentiment": "negative"}, headers=site.auth).json()
        assert mentions["total"] == 2
        login = client.post("/login", data={"token": site.token, "next": "/moderation"})
        assert login.status_code == 200 and "Moderation queue" in login.text
        assert client.post("/mentions/moderate", data={"ids": [str(site.mention_ids["r1"])], "action": "approve"},
                           headers={"Origin": "https://evil.example"}).status_code == 403

        assert client.post(f"/api/v1/sources/{site.youtube_id}/run", headers=site.auth).status_code == 202

        def source_failed() -> bool:
            return bool(client.get(f"/api/v1/sources/{site.youtube_id}", headers=site.auth).json()["last_error"])

        _wait_for(source_failed)

        def scoring_gave_up() -> bool:
            return client.get("/api/v1/jobs", headers=site.auth).json()["scoring"]["available"] is False

        _wait_for(scoring_gave_up)
        jobs = client.get("/api/v1/jobs", headers=site.auth).json()
        everything = [jobs, client.get("/jobs").text, client.get("/brands").text,
                      client.get(f"/api/v1/sources/{site.youtube_id}", headers=site.auth).text]
    server.send_signal(signal.SIGINT)
    output, _ = server.communicate(timeout=20)
    assert jobs["scheduler_running"] is True and jobs["scoring"]["problem"]
    assert "Advocado is serving http://127.0.0.1:" in output
    assert output.count("sentiment scoring is off") == 1, output
    assert "PolicyError" in str(everything) or "refused" in str(everything).lower()
    assert CANARY not in output and all(CANARY not in str(body) for body in everything)


def test_worker_runs_the_jobs_without_a_web_server(tmp_path: Path) -> None:
    env = {**os.environ, "ADVOCADO_DATA_DIR": str(tmp_path / "data"), "ADVOCADO_SENTIMENT_MODEL": str(tmp_path / "none"),
           "PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen([sys.executable, "-m", "advocado", "worker"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert worker.stdout is not None
    first_line = worker.stdout.readline()
    worker.send_signal(signal.SIGINT)
    rest, _ = worker.communicate(timeout=20)
    assert "Advocado worker: collecting on schedule" in first_line, first_line + rest
    assert worker.returncode == 0 and "Traceback" not in rest
