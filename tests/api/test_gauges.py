"""The periodic gauges read the database: outbox backlog and database health."""

from __future__ import annotations

from lightrail import metrics
from lightrail.gauges import refresh_gauges


def test_refresh_reports_backlog_and_database_up(api, app, run_async):
    api.post("/v2/currencies", json={"code": "USD", "name": "Dollar", "symbol": "$", "decimalPlaces": 2})
    run_async(refresh_gauges, app.state.db)
    assert metrics.REGISTRY.get_sample_value("lightrail_database_up") == 1
    assert metrics.REGISTRY.get_sample_value("lightrail_outbox_backlog_events") >= 1
    assert metrics.REGISTRY.get_sample_value("lightrail_outbox_oldest_event_age_seconds") >= 0
