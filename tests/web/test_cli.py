"""`advocado token create|list|revoke`, and `serve` refusing a public address while no token exists."""

from __future__ import annotations

from typer.testing import CliRunner

from advocado.cli import app
from advocado.context import database
from storage import verify_token


def test_token_lifecycle(cli: CliRunner) -> None:
    created = cli.invoke(app, ["token", "create", "--name", "alice", "--expires", "30d"])
    assert created.exit_code == 0, created.output
    secret = created.output.split()[0]
    assert secret.startswith("adv_") and len(secret) > 40
    with database().read() as session:
        assert verify_token(session, secret) is not None
    listed = cli.invoke(app, ["token", "list"])
    assert "alice" in listed.output and secret not in listed.output and "live" in listed.output
    assert cli.invoke(app, ["token", "create", "--name", "alice"]).exit_code == 1
    assert cli.invoke(app, ["token", "revoke", "alice"]).exit_code == 0
    assert "revoked" in cli.invoke(app, ["token", "list"]).output
    with database().read() as session:
        assert verify_token(session, secret) is None
    assert "no token named 'bob'" in cli.invoke(app, ["token", "revoke", "bob"]).output


def test_bad_expiry_is_one_line(cli: CliRunner) -> None:
    result = cli.invoke(app, ["token", "create", "--name", "x", "--expires", "soon"])
    assert result.exit_code == 1 and "use a number and h, d or w" in result.output


def test_serve_refuses_a_public_address_without_a_token(cli: CliRunner) -> None:
    result = cli.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 1
    assert "refusing to listen on 0.0.0.0" in " ".join(result.output.split())


def test_serve_says_so_when_the_port_is_taken(cli: CliRunner) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in " ".join(result.output.split())


def test_serve_demo_reissues_the_demo_token_and_serves(cli: CliRunner, monkeypatch: object) -> None:
    from advocado import cli_web

    served: list[dict[str, object]] = []
    monkeypatch.setattr(cli_web, "serve", lambda **kwargs: served.append(kwargs))  # type: ignore[attr-defined]
    printed = []
    monkeypatch.setattr(cli_web.console, "print", lambda text, **_: printed.append(str(text)))  # type: ignore[attr-defined]
    cli_web.serve_demo()
    cli_web.serve_demo(port=8123)
    first, second = printed[1], printed[3]
    assert printed[0].startswith("Dashboard: http://127.0.0.1:8000/") and printed[2].startswith("Dashboard: http://127.0.0.1:8123/")
    with database().read() as session:
        assert verify_token(session, first) is None and verify_token(session, second) is not None
    assert served == [{"host": None, "port": None, "scheduler": True}, {"host": None, "port": 8123, "scheduler": True}]


def test_the_session_secret_is_masked_in_config_show(cli: CliRunner, monkeypatch: object) -> None:
    monkeypatch.setenv("ADVOCADO_SESSION_SECRET", "canary-session-secret-123")  # type: ignore[attr-defined]
    result = cli.invoke(app, ["config", "show"])
    assert result.exit_code == 0 and "ADVOCADO_SESSION_SECRET" in result.output
    assert "canary-session-secret-123" not in result.output


def test_the_jobs_use_the_collectors_fetch_settings(cli: CliRunner, monkeypatch: object) -> None:
    from advocado.cli_web import configured_jobs

    monkeypatch.setenv("ADVOCADO_HOST_INTERVAL", "2.5")  # type: ignore[attr-defined]
    monkeypatch.setenv("ADVOCADO_FAILURE_THRESHOLD", "7")  # type: ignore[attr-defined]
    jobs = configured_jobs(schedule=False)
    assert (jobs.options.host_interval, jobs.failure_threshold, jobs.schedule) == (2.5, 7, False)
