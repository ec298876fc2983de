"""`python -m conformance.judge [options] -- CMD ARGS…`: the client judge (see conformance/judge/cli.py)."""

import sys

from conformance.judge.cli import main

sys.exit(main())
