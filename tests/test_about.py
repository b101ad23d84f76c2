"""帮助 → 关于 and 使用说明: version, every bundled component with its licence text, a short guide in Chinese."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT

pytestmark = pytest.mark.gui


def test_every_bundled_component_has_its_licence_text():
    index = json.loads((ROOT / "resources" / "licenses" / "index.json").read_text(encoding="utf-8"))
    names = " ".join(e["component"] for e in index)
    for component in ("Qt", "PySide6", "Noto Sans CJK", "Python", "pydantic", "ReportLab", "openpyxl", "Pillow",
                      "defusedxml", "PyInstaller"):
        assert component in names, component
    for entry in index:
        text = (ROOT / "resources" / "licenses" / entry["file"]).read_text(encoding="utf-8")
        assert len(text) > 500 or "Permission is hereby granted" in text, entry


def test_about_names_version_and_licences(qtbot):
    from fcast_desktop import __version__
    from fcast_desktop.gui.about import _dialog, about_html, licences

    text = about_html(__version__)
    assert __version__ in text and "LGPL-3.0" in text and "OFL-1.1" in text and "不会连接网络" in text
    assert text.count("<tr>") == len(licences()) + 1
    dialog = _dialog(None, "关于", text)
    qtbot.addWidget(dialog)
    browser = dialog.findChild(__import__("PySide6.QtWidgets", fromlist=["QTextBrowser"]).QTextBrowser)
    shown = browser.toPlainText()
    assert "ReportLab" in shown and "GPL-2.0 附带例外" in shown


def test_help_is_a_short_chinese_guide():
    from fcast_desktop.gui.about import HELP_HTML

    for step in ("导入", "填写", "检查与得分", "由申报表生成自评表", "保存", "导出与打印"):
        assert step in HELP_HTML
