"""The abstract Capillary user: a FastHttpUser speaking the shared protocol, stats named by operation.

Every scenario subclasses `CapillaryUser`. Requests go through the token cache, so a 498 is
handled the documented way (regenerate, retry once) and counted; rows of Locust's stats are
operations (`token.generate`, `customer.get`, ...), with `<operation>.expired` for the 498s the
cache handles, `<operation>.throttled` for 429s and REGEN `<operation>.regen` for recoveries.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, ClassVar

from locust import FastHttpUser
from locust.contrib.fasthttp import ResponseContextManager
from locust.env import Environment
from locust.exception import StopUser
from locust.user.wait_time import constant_throughput

from conformance.profiles import Client
from conformance.protocol import (
    CUSTOMER_ADD_PATH,
    CUSTOMER_GET_PATH,
    TOKEN_GENERATE_PATH,
    TOKEN_HEADER,
    TRANSACTION_ADD_PATH,
    TRANSACTION_GET_PATH,
    Outcome,
    access_token,
    classify_api_response,
    classify_token_response,
    customer_add_body,
    mobile_number,
    parse_json,
    till_header_pairs,
    token_request_body,
    transaction_add_body,
)
from load.hooks import current_run
from load.token_cache import IssuedToken, TokenMode, TokenUnavailable
from load.token_checks import expires_at, issued_token_problem, rejected_credentials_problem

# A wrong secret of the right shape (40 characters): never a real one, never derived from one.
WRONG_SECRET = "wrong-secret-for-load-tests-000000000000"  # noqa: S105 - deliberately wrong, not a secret


def body_of(response: ResponseContextManager) -> Any:
    try:
        return parse_json(response.text or "")
    except (UnicodeDecodeError, LookupError):
        return None


class CapillaryUser(FastHttpUser):
    abstract = True
    scenario: ClassVar[str] = "custom"
    role: ClassVar[str] = "primary"
    default_token_mode: ClassVar[TokenMode] = TokenMode.SINGLE_FLIGHT
    default_task_rate: ClassVar[float] = 5.0
    # True: every user acts on the same wall-clock ticks (1 / task rate), so their requests, and
    # the 498s of tokens minted together, arrive as one wave instead of being spread out.
    paced_on_clock_ticks: ClassVar[bool] = False
    network_timeout = 10.0
    connection_timeout = 5.0

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self.load_run = current_run()
        self.credentials: Client = self.load_run.settings.profile.clients[self.role]
        self.tokens = self.load_run.caches.for_user(self.role)
        self.random = random.Random()
        self._pace: Callable[[Any], float] = constant_throughput(self.load_run.settings.task_rate)
        self.iterations = 0

    def wait_time(self) -> float:  # type: ignore[override]  # Locust calls it once after every task
        self.load_run.metrics.task_done()
        self.iterations += 1
        if self.iterations >= self.load_run.settings.max_iterations_per_user:
            raise StopUser()  # every loop is bounded in count as well as in time
        if self.paced_on_clock_ticks:
            tick = 1.0 / self.load_run.settings.task_rate
            return tick - time.time() % tick
        return self._pace(self)

    # -- tokens ------------------------------------------------------------------------------
    def generate_token(self) -> IssuedToken:
        """POST token/generate as `token.generate`; every answer is checked for a well-formed token."""
        request = token_request_body(self.credentials.key, self.credentials.secret)
        name = "token.generate"
        with self.client.post(TOKEN_GENERATE_PATH, json=request, name=name, catch_response=True) as response:
            body = body_of(response)
            outcome = classify_token_response(response.status_code, body)
            problem = None if outcome is Outcome.THROTTLED else issued_token_problem(response.status_code, body)
            self._judge(response, name, outcome, problem)
        token = access_token(body)
        if outcome is Outcome.THROTTLED or problem or token is None:
            raise TokenUnavailable(problem or outcome.value)
        return IssuedToken(token, expires_at(token))

    def generate_with_wrong_secret(self) -> None:
        """Wrong credentials must get the documented 320001 and no token (`token.generate.invalid`)."""
        request = token_request_body(self.credentials.key, WRONG_SECRET)
        name = "token.generate.invalid"
        with self.client.post(TOKEN_GENERATE_PATH, json=request, name=name, catch_response=True) as response:
            body = body_of(response)
            outcome = classify_token_response(response.status_code, body)
            problem = None if outcome is Outcome.THROTTLED else rejected_credentials_problem(response.status_code, body)
            self._judge(response, name, outcome, problem)

    # -- resources ---------------------------------------------------------------------------
    def call_api(self, operation: str, method: str, path: str, *, body: Any = None,
                 till: str | None = None) -> Outcome | None:
        """One API request with the cached token; None when no token could be had."""
        extra = dict(till_header_pairs(self.load_run.settings.profile.till_header, till)) if till else {}
        attempts = 0

        def send(token: str) -> Outcome:
            nonlocal attempts
            attempts += 1
            headers = {TOKEN_HEADER: token, "Accept": "application/json", **extra}
            with self.client.request(method, path, json=body, headers=headers, name=operation,
                                     catch_response=True) as response:
                outcome = classify_api_response(response.status_code, body_of(response))
                if outcome is Outcome.REJECT_EXPIRED and attempts == 1:
                    # The documented 498 the cache now handles: its own row, and not a failure.
                    response.request_meta["name"] = f"{operation}.expired"
                    response.success()
                elif outcome is Outcome.REJECT_EXPIRED:
                    response.failure("498 leaked: the token was expired again after regenerate-and-retry")
                else:
                    self._judge(response, operation, outcome, None if outcome is Outcome.ACCEPT else outcome.value)
            return outcome

        try:
            return self.tokens.call(self.generate_token, send, lambda o: o is Outcome.REJECT_EXPIRED, label=operation)
        except TokenUnavailable:
            return None

    def add_customer(self, mobile: str, till: str | None = None) -> Outcome | None:
        return self.call_api("customer.add", "POST", f"{CUSTOMER_ADD_PATH}?format=json",
                             body=customer_add_body(mobile), till=till)

    def get_customer(self, mobile: str) -> Outcome | None:
        return self.call_api("customer.get", "GET", f"{CUSTOMER_GET_PATH}?mobile={mobile}&format=json")

    def add_transaction(self, number: str, mobile: str, till: str | None = None) -> Outcome | None:
        return self.call_api("transaction.add", "POST", f"{TRANSACTION_ADD_PATH}?format=json",
                             body=transaction_add_body(number, mobile), till=till)

    def get_transaction(self, number: str) -> Outcome | None:
        return self.call_api("transaction.get", "GET", f"{TRANSACTION_GET_PATH}?number={number}&format=json")

    def new_mobile(self) -> str:
        return mobile_number(self.random.randrange(10**9))

    def new_transaction_number(self) -> str:
        return f"LOAD-{self.random.randrange(16**10):010x}"

    def _judge(self, response: Any, operation: str, outcome: Outcome, problem: str | None) -> None:
        if outcome is Outcome.THROTTLED:
            # Throttling is the server keeping its promise, not a failure: its own row and counter.
            response.request_meta["name"] = f"{operation}.throttled"
            self.load_run.metrics.throttled_answer()
            response.success()
        elif problem:
            response.failure(f"{problem} (HTTP {response.status_code})")
        else:
            response.success()
