"""Error tracking: unexpected exceptions and worker failures go to Sentry when a DSN is configured.

Only the request id, account id, route and worker name travel with an error: no request bodies,
headers, cookies or local variables, so tokens, codes and secrets never leave the process.
"""

from __future__ import annotations

import sentry_sdk

from lightrail.settings import Settings


def init_error_tracking(settings: Settings) -> None:
    if not settings.sentry_dsn:
        return
    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.env,
        default_integrations=False,
        include_local_variables=False,
        max_request_body_size="never",
    )


def capture(exc: BaseException, **tags: str | None) -> None:
    if sentry_sdk.get_client().is_active():
        with sentry_sdk.new_scope() as scope:
            for key, value in tags.items():
                if value is not None:
                    scope.set_tag(key, value)
            scope.capture_exception(exc)
