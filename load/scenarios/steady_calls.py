"""Steady calls: customer and transaction reads and writes with a cached, shared token.

Writes alternate between the client's default till (no header) and the profile's override
till (the till header), so attribution by both paths runs under load.
Run alone: `locust -f load/scenarios/steady_calls.py --config load/locust.conf`.
"""

from locust import task

from load.users import CapillaryUser


class SteadyCallsUser(CapillaryUser):
    scenario = "steady_calls"
    default_task_rate = 5.0

    def on_start(self) -> None:
        self.mobile = self.new_mobile()
        self.number = self.new_transaction_number()
        self.add_customer(self.mobile)
        self.add_transaction(self.number, self.mobile)

    @task(3)
    def read_a_customer(self) -> None:
        self.get_customer(self.mobile)

    @task(2)
    def add_a_customer_at_the_default_till(self) -> None:
        self.add_customer(self.new_mobile())

    @task(1)
    def add_a_customer_at_the_override_till(self) -> None:
        self.add_customer(self.new_mobile(), till=self.load_run.settings.profile.tills.override)

    @task(2)
    def read_a_transaction(self) -> None:
        self.get_transaction(self.number)

    @task(1)
    def add_a_transaction(self) -> None:
        self.add_transaction(self.new_transaction_number(), self.mobile,
                             till=self.load_run.settings.profile.tills.override if self.random.random() < 0.5 else None)
