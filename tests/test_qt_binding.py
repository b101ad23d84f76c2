"""The Qt binding must not drop references to None (PySide6 6.12.0 on Python 3.11 does: every void call such as
QLabel.setText took one, and a day of typing ended in "Fatal Python error: none_dealloc")."""

import sys

import pytest

pytest.importorskip("PySide6.QtWidgets")


def test_void_calls_keep_none_alive(qtbot):
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for n in range(2000):
        label.setText(str(n))
        label.setToolTip("提示")
    assert sys.getrefcount(None) - before > -50
