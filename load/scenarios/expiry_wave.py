"""Expiry wave: every user's token expires at the same instant, and the herd hits token/generate.

Users wait until all of them exist, mint their tokens together, then act on the same clock
ticks, so the first tick after expiry brings every user's 498 at once. `--token-mode`
(or CAP_TOKEN_MODE) picks who regenerates:
  per_user       (default) each user its own token: a herd of N generations per expiry;
  naive          one shared token, no coordination: every caller that saw the 498 regenerates;
  single_flight  one shared token, lock + version check: one generation per expiry per process.
Run alone: `locust -f load/scenarios/expiry_wave.py --config load/locust.conf --token-mode naive`.
"""

from locust import task

from load.token_cache import TokenMode
from load.users import CapillaryUser


class ExpiryWaveUser(CapillaryUser):
    scenario = "expiry_wave"
    role = "short_lived"
    default_token_mode = TokenMode.PER_USER
    default_task_rate = 4.0  # four ticks a second
    paced_on_clock_ticks = True

    def on_start(self) -> None:
        self.mobile = self.new_mobile()
        self.load_run.wait_for_all_users()
        self.add_customer(self.mobile)

    @task
    def read_a_customer(self) -> None:
        self.get_customer(self.mobile)
