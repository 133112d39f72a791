"""``python -m pipeline`` is the same program as ``newsclean``."""

import sys

from pipeline.cli import main

sys.exit(main())
