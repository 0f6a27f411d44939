"""``python -m fleetline``: the same command line as ``fleetline``."""

import sys

from fleetline.cli import main

sys.exit(main())
