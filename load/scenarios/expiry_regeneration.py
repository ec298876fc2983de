"""Expiry and regeneration: the `short_lived` client's tokens expire during the run.

Proactive refresh is off, so every expiry is met the documented way: 498, regenerate, retry
once. Counted: 498s seen, 498s leaked after the retry, regenerations per expiry (herd factor),
and the REGEN `<operation>.regen` latency of each recovery.
Run alone: `locust -f load/scenarios/expiry_regeneration.py --config load/locust.conf`.
"""

from locust import task

from load.users import CapillaryUser


class ExpiryRegenerationUser(CapillaryUser):
    scenario = "expiry_regeneration"
    role = "short_lived"
    default_task_rate = 5.0

    def on_start(self) -> None:
        self.mobile = self.new_mobile()
        self.add_customer(self.mobile)

    @task(3)
    def read_a_customer(self) -> None:
        self.get_customer(self.mobile)

    @task(1)
    def add_a_customer(self) -> None:
        self.add_customer(self.new_mobile())
