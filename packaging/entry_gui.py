"""Frozen entry point of 绩效表单助手 (the desktop app)."""

import sys

from fcast_desktop.gui.app import main

if __name__ == "__main__":
    sys.exit(main())
