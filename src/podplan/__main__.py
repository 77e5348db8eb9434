"""``python -m podplan`` runs the command line."""

import sys

from podplan.cli.main import main

sys.exit(main())
