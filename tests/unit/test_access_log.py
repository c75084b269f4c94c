"""The access line: one per request, greppable by `status=`, and never split or forged by what a client sends."""

from __future__ import annotations

import io
import json

import pytest

from lightrail.logs import AccessLog, configure_logging, logfmt


def line(log: AccessLog, **fields) -> str:
    stream = io.StringIO()
    log.stream = stream
    defaults = {"method": "POST", "path": "/v2/transactions/debit", "status": 201, "duration_ms": 3.25,
                "request_id": "abc", "account": "acct-1"}
    log(**{**defaults, **fields})
    return stream.getvalue()


def test_text_line_has_every_field_in_order():
    text = line(AccessLog("text"))
    assert text.endswith("\n") and text.count("\n") == 1
    assert text.startswith("timestamp=20") and "Z level=info event=request " in text
    assert text.split(" level=info ", 1)[1] == (
        "event=request method=POST path=/v2/transactions/debit status=201 duration_ms=3.25 request_id=abc account=acct-1\n"
    )


@pytest.mark.parametrize(("value", "shown"), [
    ("/v2/values/gc-1", "/v2/values/gc-1"),
    (None, ""),
    ("a b", '"a b"'),
    ("k=v", '"k=v"'),
    ('say "hi"', '"say \\"hi\\""'),
    ("two\nlines", '"two\\nlines"'),
    ("tab\there", '"tab\\there"'),
    ("back\\slash x", '"back\\\\slash x"'),
])
def test_values_are_quoted_and_escaped_as_logfmt(value, shown):
    assert logfmt(value) == shown


def test_a_client_cannot_split_the_line_or_forge_a_field():
    text = line(AccessLog("text"), path="/v2/x\nstatus=200 forged", request_id="id status=200")
    assert text.count("\n") == 1
    assert " status=201 " in text
    assert text.count("status=") == 3  # the real one and the two inside quoted values
    assert 'path="/v2/x\\nstatus=200 forged"' in text and 'request_id="id status=200"' in text


def test_json_line_is_one_object():
    text = line(AccessLog("json"), account=None)
    assert text.count("\n") == 1
    assert json.loads(text) == {
        "timestamp": json.loads(text)["timestamp"], "level": "info", "event": "request", "method": "POST",
        "path": "/v2/transactions/debit", "status": 201, "duration_ms": 3.25, "request_id": "abc", "account": None,
    }


def test_configured_level_above_info_silences_it(monkeypatch):
    import structlog

    import lightrail.logs as logs

    monkeypatch.setattr(logs, "access", logs.access)  # restored after the test
    monkeypatch.setattr(structlog, "configure", lambda **kwargs: None)  # the other loggers are not this test's
    configure_logging("WARNING", "text")
    assert line(logs.access) == ""
    configure_logging("INFO", "json")
    assert json.loads(line(logs.access))["status"] == 201


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_logged_exception_carries_its_traceback_on_one_line(fmt):
    import subprocess
    import sys

    program = (
        "from lightrail.logs import configure_logging, get_logger\n"
        f"configure_logging('INFO', {fmt!r})\n"
        "try:\n    raise RuntimeError('boom')\n"
        "except RuntimeError:\n    get_logger('t').exception('unhandled error', request_id='r-1')\n"
    )
    err = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stderr
    assert err.count("\n") == 1
    if fmt == "json":
        assert "RuntimeError: boom" in json.loads(err)["exception"]
    else:
        assert "event=\"unhandled error\"" in err and "Traceback" in err and "RuntimeError: boom" in err
