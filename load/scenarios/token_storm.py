"""Token storm: many users minting tokens, a share of them with wrong credentials.

Every answer is checked: a valid key and secret must get a well-formed RS256 token whose
`ttlSeconds` equals `exp - iat`; a wrong secret must get errors[0].code 320001 and no token.
Run alone: `locust -f load/scenarios/token_storm.py --config load/locust.conf [--invalid-share 0.2]`.
"""

from locust import task

from load.token_cache import TokenUnavailable
from load.users import CapillaryUser


class TokenStormUser(CapillaryUser):
    scenario = "token_storm"
    default_task_rate = 5.0

    @task
    def generate_a_token(self) -> None:
        if self.random.random() < self.load_run.settings.invalid_share:
            self.generate_with_wrong_secret()
            return
        try:
            self.generate_token()
        except TokenUnavailable:
            return  # already recorded as a failed `token.generate` sample
        self.load_run.metrics.token_generated_directly()
