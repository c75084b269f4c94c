"""`lightrail check-config`: secrets masked, unsafe production settings refused."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from lightrail.cli import app
from lightrail.settings import Settings

SAFE = {
    "LIGHTRAIL_ENV": "production",
    "LIGHTRAIL_JWT_SECRET": "j" * 40,
    "LIGHTRAIL_CODE_SECRET": "c" * 40,
    "LIGHTRAIL_DATABASE_URL": "postgresql://lightrail:hunter2hunter2@db:5432/lightrail",
    "LIGHTRAIL_BASE_URL": "https://api.example.com",
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for key in list(__import__("os").environ):
        if key.startswith("LIGHTRAIL_"):
            monkeypatch.delenv(key)


def run(env):
    return CliRunner().invoke(app, ["check-config"], env=env)


def test_safe_production_settings_pass_and_secrets_are_masked():
    result = run(SAFE)
    assert result.exit_code == 0, result.output
    assert "j" * 40 not in result.output and "c" * 40 not in result.output
    assert "hunter2hunter2" not in result.output
    assert "****" in result.output
    assert "json" in result.output  # production logs default to JSON


@pytest.mark.parametrize(
    "override",
    [
        {"LIGHTRAIL_JWT_SECRET": "short"},
        {"LIGHTRAIL_DATABASE_URL": "sqlite:///x.db"},
        {"LIGHTRAIL_BASE_URL": "http://api.example.com"},
        {"LIGHTRAIL_LOG_FORMAT": "text"},
        {"LIGHTRAIL_CODE_SECRET": ""},
    ],
)
def test_unsafe_production_settings_fail(override):
    result = run({**SAFE, **override})
    assert result.exit_code == 1
    assert "UNSAFE" in result.output


def test_production_refuses_to_start_without_secret():
    with pytest.raises(ValueError):
        Settings(env="production", database_url="postgresql://x/y", _env_file=None)


def test_dev_is_never_flagged():
    assert run({}).exit_code == 0
