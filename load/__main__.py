"""`python -m load run <scenario> ...` (see load/cli.py)."""

import sys

from load.cli import main

sys.exit(main())
