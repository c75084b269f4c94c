"""Every change gets its own event, even two changes of one object within a second."""

from __future__ import annotations

import sqlalchemy as sa

from lightrail.events.tables import events


def test_two_updates_within_a_second_are_two_events(api, app, run_async):
    api.post("/v2/contacts", json={"id": "c1"})
    api.patch("/v2/contacts/c1", json={"firstName": "A"})
    api.patch("/v2/contacts/c1", json={"firstName": "B"})

    async def updates():
        async with app.state.db.read() as conn:
            query = sa.select(events.c.id, events.c.data).where(
                events.c.account_id == api.account_id, events.c.type == "lightrail.contact.updated"
            ).order_by(events.c.created_at)
            return (await conn.execute(query)).all()

    rows = run_async(updates)
    assert [r.data["newContact"]["firstName"] for r in rows] == ["A", "B"]
    assert rows[0].id != rows[1].id
    assert all(len(r.id) == 27 for r in rows)
