"""A locustfile whose worker processes die before connecting: the missing-workers self-test.

The master process loads the real steady_calls scenario (so every option of the run is known);
a process started with --worker exits at import, as a worker on a broken node would.
"""

import sys

if "--worker" in sys.argv:
    raise SystemExit("this worker never connects (self-test of the missing-workers rule)")

from load.scenarios.steady_calls import SteadyCallsUser

__all__ = ["SteadyCallsUser"]
