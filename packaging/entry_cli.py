"""Frozen entry point of `fcast` (the command line)."""

import sys

from fcast_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
