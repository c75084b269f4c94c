"""The app as uvicorn imports it (`lightrail.asgi:create`, a factory), settings from the environment."""

from fastapi import FastAPI

from lightrail.app import create_app
from lightrail.logs import configure_logging
from lightrail.settings import load_settings


def create() -> FastAPI:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
