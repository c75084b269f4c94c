"""`lightrail export` → `lightrail import` loses nothing; `lightrail backup` copies a live SQLite database."""

from __future__ import annotations

import asyncio
import json
import sqlite3

from typer.testing import CliRunner

from lightrail.cli import app as cli
from lightrail.db.engine import Database
from lightrail.events import backlog
from lightrail.db.migrate import upgrade
from tests.conftest import JWT_SECRET


def populate(api) -> None:
    assert api.post("/v2/currencies", json={"code": "USD", "name": "Dollar", "symbol": "$", "decimalPlaces": 2}).status_code == 201
    for i in range(3):
        body = {"id": f"c{i}", "firstName": "Ünïcode ☃", "metadata": {"n": i, "nested": {"list": [1, None]}}}
        assert api.post("/v2/contacts", json=body).status_code == 201
    assert api.patch("/v2/contacts/c1", json={"lastName": "Changed"}).status_code == 200
    assert api.post("/v2/programs", json={"id": "p1", "name": "Gift cards", "currency": "USD"}).status_code == 201
    value = {"id": "v1", "programId": "p1", "currency": "USD", "balance": 500, "code": "SECRETCODE1", "contactId": "c0"}
    assert api.post("/v2/values", json=value).status_code == 201
    issuance = {"id": "i1", "name": "batch", "count": 3, "balance": 100, "generateCode": {"length": 12}}
    assert api.post("/v2/programs/p1/issuances", json=issuance).status_code == 201


def test_round_trip_keeps_every_row(api, database_url, tmp_path, monkeypatch):
    populate(api)
    account = api.account_id.removesuffix("-TEST")
    out = tmp_path / "export"
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env = {"LIGHTRAIL_DATABASE_URL": database_url, "LIGHTRAIL_JWT_SECRET": JWT_SECRET}
    result = runner.invoke(cli, ["export", "--account", account, "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tables"]["contacts"]["rows"] == 3
    assert manifest["tables"]["currencies"]["rows"] == 1
    assert manifest["tables"]["values"]["rows"] == 4
    assert manifest["tables"]["transactions"]["rows"] == 4
    assert "SECRETCODE1" not in (out / "values.jsonl").read_text()
    assert len(manifest["tables"]["contacts"]["sha256"]) == 64

    target = f"sqlite:///{tmp_path / 'restored.db'}"
    upgrade(target)
    result = runner.invoke(cli, ["import", str(out)], env={**env, "LIGHTRAIL_DATABASE_URL": target})
    assert result.exit_code == 0, result.output
    assert manifest["tables"]["events"]["rows"] > 0
    # The events came with the history they record: webhooks are not sent them again.
    assert "event_cursors" not in manifest["tables"]
    assert asyncio.run(_waiting_events(target)) == 0

    second = tmp_path / "export-again"
    result = runner.invoke(cli, ["export", "--all", "--out", str(second)], env={**env, "LIGHTRAIL_DATABASE_URL": target})
    assert result.exit_code == 0, result.output
    again = json.loads((second / "manifest.json").read_text())
    for name, info in manifest["tables"].items():
        assert again["tables"][name]["rows"] == info["rows"], name
        assert (second / f"{name}.jsonl").read_text() == (out / f"{name}.jsonl").read_text(), name


async def _waiting_events(database_url: str) -> int:
    db = Database(database_url)
    try:
        async with db.read() as conn:
            return (await backlog.waiting(conn))[0]
    finally:
        await db.dispose()


def test_import_refuses_a_damaged_export(api, database_url, tmp_path):
    populate(api)
    out = tmp_path / "export"
    env = {"LIGHTRAIL_DATABASE_URL": database_url, "LIGHTRAIL_JWT_SECRET": JWT_SECRET}
    runner = CliRunner()
    assert runner.invoke(cli, ["export", "--account", api.account_id, "--out", str(out)], env=env).exit_code == 0
    with (out / "contacts.jsonl").open("a") as f:
        f.write('{"tampered": true}\n')
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    upgrade(target)
    result = runner.invoke(cli, ["import", str(out)], env={**env, "LIGHTRAIL_DATABASE_URL": target})
    assert result.exit_code == 1
    assert "checksum" in result.output


def test_backup_copies_a_sqlite_database(tmp_path):
    source = tmp_path / "live.db"
    upgrade(f"sqlite:///{source}")
    with sqlite3.connect(source) as conn:
        conn.execute("INSERT INTO currencies VALUES ('a', 'USD', 'Dollar', '$', 2, '2020-01-01 00:00:00', '2020-01-01 00:00:00', 'a')")
    result = CliRunner().invoke(cli, ["backup", "--out", str(tmp_path / "copy.db")], env={"LIGHTRAIL_DATABASE_URL": f"sqlite:///{source}"})
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "copy.db") as conn:
        assert conn.execute("SELECT code, name FROM currencies").fetchall() == [("USD", "Dollar")]


def test_codes_are_exported_in_clear_only_when_asked(api, database_url, tmp_path):
    populate(api)
    env = {"LIGHTRAIL_DATABASE_URL": database_url, "LIGHTRAIL_JWT_SECRET": JWT_SECRET}
    out = tmp_path / "export"
    result = CliRunner().invoke(cli, ["export", "--account", api.account_id, "--out", str(out), "--include-codes"], env=env)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (out / "values.jsonl").read_text().splitlines()]
    assert {"SECRETCODE1"} <= {row.get("code") for row in rows}
    assert json.loads((out / "manifest.json").read_text())["codes_in_clear"] is True
