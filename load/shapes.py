"""A stages load shape (ramp, plateau, spike), usable with any scenario.

`locust -f load/scenarios/steady_calls.py,load/shapes.py ...` or `python -m load run steady_calls
--shape stages`. Without `--stages` the table is ramp/plateau/spike scaled to `--run-time` and
`--users`; with `--stages 5s:10:5,10s:10:10,12s:30:50,15s:10:50` it is exactly that.
"""

from locust import LoadTestShape

from load.stages import Stage, stage_at, stages_for_run


class StagesShape(LoadTestShape):
    use_common_options = True  # it reads --run-time and --users to scale its default table
    stages: tuple[Stage, ...] = ()

    def tick(self) -> tuple[int, float] | None:
        if not self.stages:
            options = self.runner.environment.parsed_options if self.runner else None
            if options is None:
                return None
            self.stages = stages_for_run(options.stages, options.run_time, options.num_users)
        elapsed: float = self.get_run_time()  # type: ignore[no-untyped-call]
        stage = stage_at(self.stages, elapsed)
        return None if stage is None else (stage.users, stage.spawn_rate)
