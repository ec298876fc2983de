"""A bare FastHttpUser: a fixed valid token, no token cache, no checks, no custom metrics.

The baseline for the load generator's efficiency and the client of the server benchmarks.
Configured by environment (set by the benchmarks, never by hand-written secrets):
  BENCH_MODE        mix (steady_calls' requests and weights) | customer_get | trivial | token
  BENCH_TOKEN       the token sent in X-CAP-API-OAUTH-TOKEN (mix, customer_get)
  BENCH_TOKEN_BODY  the JSON body POSTed to token/generate (token)
  BENCH_TASK_RATE   task iterations per user per second (constant_throughput); 0 = as fast as possible
  BENCH_OVERRIDE_TILL  the till code sent with a share of the writes, as steady_calls does
Run: `locust -f benchmarks/bare_locustfile.py --headless --host URL -u 20 -r 20 -t 10s`.
"""

from __future__ import annotations

import os
import random

from locust import FastHttpUser, constant, constant_throughput, task

from conformance.protocol import (
    CUSTOMER_ADD_PATH,
    CUSTOMER_GET_PATH,
    TILL_CODE_HEADER,
    TOKEN_GENERATE_PATH,
    TOKEN_HEADER,
    TRANSACTION_ADD_PATH,
    TRANSACTION_GET_PATH,
    customer_add_body,
    transaction_add_body,
)

MODE = os.environ.get("BENCH_MODE", "mix")
TOKEN = os.environ.get("BENCH_TOKEN", "")
TOKEN_BODY = os.environ.get("BENCH_TOKEN_BODY", "{}")
RATE = float(os.environ.get("BENCH_TASK_RATE", "0") or 0)
OVERRIDE_TILL = os.environ.get("BENCH_OVERRIDE_TILL", "blr.indiranagar.till002")
TRIVIAL_PATH = "/.well-known/jwks.json"


class BareUser(FastHttpUser):
    wait_time = constant_throughput(RATE) if RATE > 0 else constant(0)
    network_timeout = 10.0
    connection_timeout = 5.0

    def on_start(self) -> None:
        self.random = random.Random()
        self.headers = {TOKEN_HEADER: TOKEN}
        self.till_headers = {TOKEN_HEADER: TOKEN, TILL_CODE_HEADER: OVERRIDE_TILL}
        self.mobile = self.new_mobile()
        self.bill = self.new_bill()
        if MODE == "mix":  # what steady_calls does first, so the reads find records
            self.client.post(f"{CUSTOMER_ADD_PATH}?format=json", json=customer_add_body(self.mobile),
                             headers=self.headers, name="customer.add")
            self.client.post(f"{TRANSACTION_ADD_PATH}?format=json",
                             json=transaction_add_body(self.bill, self.mobile), headers=self.headers,
                             name="transaction.add")

    def new_mobile(self) -> str:
        return f"9{self.random.randrange(10**9):09d}"

    def new_bill(self) -> str:
        return f"BARE-{self.random.randrange(16**10):010x}"

    @task
    def one_request(self) -> None:
        if MODE == "trivial":
            self.client.get(TRIVIAL_PATH, name="trivial")
        elif MODE == "token":
            self.client.post(TOKEN_GENERATE_PATH, data=TOKEN_BODY, name="token.generate",
                             headers={"Content-Type": "application/json"})
        elif MODE == "customer_get":
            self.client.get(f"{CUSTOMER_GET_PATH}?mobile=1&format=json", headers=self.headers, name="customer.get")
        else:
            self.mixed_request()

    def mixed_request(self) -> None:
        """steady_calls' tasks with its weights: get 3, add 2, add at override till 1, get tx 2, add tx 1."""
        pick = self.random.randrange(9)
        if pick < 3:
            self.client.get(f"{CUSTOMER_GET_PATH}?mobile={self.mobile}&format=json", headers=self.headers,
                            name="customer.get")
        elif pick < 6:
            headers = self.till_headers if pick == 5 else self.headers
            self.client.post(f"{CUSTOMER_ADD_PATH}?format=json", json=customer_add_body(self.new_mobile()),
                             headers=headers, name="customer.add")
        elif pick < 8:
            self.client.get(f"{TRANSACTION_GET_PATH}?number={self.bill}&format=json", headers=self.headers,
                            name="transaction.get")
        else:
            headers = self.till_headers if self.random.random() < 0.5 else self.headers
            self.client.post(f"{TRANSACTION_ADD_PATH}?format=json",
                             json=transaction_add_body(self.new_bill(), self.mobile), headers=headers,
                             name="transaction.add")
