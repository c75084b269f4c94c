"""The garbage collector's pause ends whatever happens, and leaves a collector already off alone."""

from __future__ import annotations

import gc

import pytest

from lightrail import collector


def test_paused_inside_and_back_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with collector.paused():
            assert not gc.isenabled()
            raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    try:
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
