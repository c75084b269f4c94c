"""Logging: structured lines through structlog, as text or JSON."""

from __future__ import annotations

import logging
import sys

import structlog


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    # logfmt keeps the access line greppable (`status=500`) and costs far less than the console renderer.
    renderer = structlog.processors.JSONRenderer() if fmt == "json" else structlog.processors.LogfmtRenderer(
        key_order=["timestamp", "level", "event"]
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )


def get_logger(name: str = "lightrail"):
    return structlog.get_logger(name)
