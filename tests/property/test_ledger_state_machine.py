"""A random walk over the ledger: after every transaction, balances equal the sum of their steps and never go negative."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from lightrail.transactions.commands import find_mismatches
from tests.conftest import ApiClient, make_token

VALUES = [("a", 1000, None), ("b", 500, 5), ("c", 0, None)]
value_names = st.sampled_from([name for name, _, _ in VALUES])
amounts = st.integers(min_value=1, max_value=700)


def test_ledger_stays_consistent_under_random_transactions(client, app, run_async):
    class Ledger(RuleBasedStateMachine):
        written = Bundle("written")
        pending = Bundle("pending")

        @initialize()
        def open_account(self):
            account_id = f"acct-{uuid.uuid4().hex[:12]}-TEST"
            self.api = ApiClient(client, make_token(account_id), account_id)
            self.api.post("/v2/currencies", json={"code": "USD", "name": "US dollars", "symbol": "$", "decimalPlaces": 2})
            self.expected = {}
            for name, balance, uses in VALUES:
                assert self.api.post("/v2/values", json={"id": name, "currency": "USD", "balance": balance, "usesRemaining": uses}).status_code == 201
                self.expected[name] = (balance, uses)

        def post(self, path, body):
            body = {"id": uuid.uuid4().hex, **body}
            response = self.api.post(path, json=body)
            assert response.status_code in (201, 409), response.text
            if response.status_code != 201:
                return None
            for step in response.json()["steps"]:
                if step["rail"] == "lightrail":
                    balance, uses = self.expected[step["valueId"]]
                    assert (step["balanceBefore"], step["usesRemainingBefore"]) == (balance, uses)
                    self.expected[step["valueId"]] = (step["balanceAfter"], step["usesRemainingAfter"])
            return body["id"]

        @rule(target=written, name=value_names, amount=amounts)
        def credit(self, name, amount):
            return self.post("/v2/transactions/credit", {"destination": {"rail": "lightrail", "valueId": name}, "amount": amount, "currency": "USD"})

        @rule(target=written, name=value_names, amount=amounts, remainder=st.booleans())
        def debit(self, name, amount, remainder):
            return self.post("/v2/transactions/debit", {
                "source": {"rail": "lightrail", "valueId": name}, "amount": amount, "currency": "USD", "allowRemainder": remainder,
            })

        @rule(target=written, source=value_names, destination=value_names, amount=amounts)
        def transfer(self, source, destination, amount):
            return self.post("/v2/transactions/transfer", {
                "source": {"rail": "lightrail", "valueId": source}, "destination": {"rail": "lightrail", "valueId": destination},
                "amount": amount, "currency": "USD", "allowRemainder": True,
            })

        @rule(target=written, names=st.lists(value_names, min_size=1, max_size=3), price=amounts, remainder=st.booleans())
        def checkout(self, names, price, remainder):
            return self.post("/v2/transactions/checkout", {
                "currency": "USD", "lineItems": [{"unitPrice": price, "taxRate": 0.05}], "allowRemainder": remainder,
                "sources": [{"rail": "lightrail", "valueId": n} for n in names],
            })

        @rule(target=pending, name=value_names, amount=amounts)
        def pending_debit(self, name, amount):
            return self.post("/v2/transactions/debit", {
                "source": {"rail": "lightrail", "valueId": name}, "amount": amount, "currency": "USD", "pending": True,
                "allowRemainder": True,
            })

        @rule(transaction=pending)
        def capture(self, transaction):
            if transaction is not None:
                self.post(f"/v2/transactions/{transaction}/capture", {})

        @rule(transaction=pending)
        def void(self, transaction):
            if transaction is not None:
                self.post(f"/v2/transactions/{transaction}/void", {})

        @rule(transaction=written)
        def reverse(self, transaction):
            if transaction is not None:
                self.post(f"/v2/transactions/{transaction}/reverse", {})

        @invariant()
        def balances_match_steps(self):
            if not hasattr(self, "api"):
                return
            for name, (balance, uses) in self.expected.items():
                value = self.api.get(f"/v2/values/{name}").json()
                assert (value["balance"], value["usesRemaining"]) == (balance, uses)
                assert value["balance"] >= 0 and (value["usesRemaining"] is None or value["usesRemaining"] >= 0)
            assert run_async(lambda: find_mismatches(app.state.db, self.api.account_id)) == []

    run_state_machine_as_test(
        Ledger,
        settings=settings(max_examples=12, stateful_step_count=15, deadline=None, suppress_health_check=list(HealthCheck)),
    )
