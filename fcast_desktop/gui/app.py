"""Entry point of `fcast-desktop`."""

from __future__ import annotations

import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "sample.fcast"


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    argv = list(sys.argv if argv is None else argv)
    app = QApplication.instance() or QApplication(argv)
    label = QLabel("绩效表单助手（编辑器开发中）")
    label.resize(480, 120)
    label.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
