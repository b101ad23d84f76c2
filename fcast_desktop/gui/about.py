"""帮助 → 使用说明 and 关于."""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from .. import APP_NAME
from ..layouts import DECLARATION, LAYOUTS, SELF_EVALUATION
from ..paths import resources_dir

_LEVEL2 = DECLARATION.column("level2").name  # the official words the steps name, from the layouts
_LEVEL3 = DECLARATION.column("name").name

HELP_HTML = (
    "\n"
    "<h2>使用说明</h2>\n"
    "<ol>\n"
    "<li><b>导入</b>：文件 → 导入公开表格，选择从公开网页复制的表格文本（.txt）或本程序导出的 Excel（"
    ".xlsx）；也可以把文件直接拖到窗口上。</li>\n"
    "<li><b>选择表单</b>：左侧按表单类型列出项目中的全部表单，名称后的 ✖ 表示错误数，⚠ 表示警告数。</"
    "li>\n"
    "<li><b>填写</b>：表头在上方，指标表在下方。指标表的用法与 Excel/WPS 相同：直接输入即覆盖原内容，"
    "F2 或回车进入编辑，回车确认并下移，Tab 右移，Delete 清除，Ctrl+C / Ctrl+V 复制粘贴（可与 Excel/W"
    "PS 互相粘贴整块区域）。</li>\n"
    f"<li><b>{_LEVEL3}行</b>：编辑 → 插入{_LEVEL3}行 / 删除{_LEVEL3}行；“设为不适用”把当前{_LEVEL2}改为一"
    f"行“不适用”。一级、{_LEVEL2}是官方固定结构，不能删除。</li>\n"
    "<li><b>检查与得分</b>：每次输入后立即检查，出错的单元格显示为红色（错误）或黄色（警告），鼠标停"
    "留可看说明；下方问题面板列出全部问题，双击跳到对应单元格。绩效自评表的执行率、资金得分、建议得分"
    "、总分和等级随输入即时计算；蓝色斜体为建议得分，直接输入得分即可覆盖。</li>\n"
    "<li><b>由申报表生成自评表</b>：选中目标申报表后，表单 → 由申报表生成自评表，表头和指标（"
    f"{DECLARATION.column('target').name} → {SELF_EVALUATION.column('target').name}）会自动带入，只需填写"
    f"{SELF_EVALUATION.column('actual').name}、分值和得分。</li>\n"
    "<li><b>保存</b>：Ctrl+S 保存项目文件（.fcast），上一版自动保留为 .fcast.bak。程序每分钟及停止输"
    "入时自动保存恢复文件，异常退出后再次启动会提示恢复。</li>\n"
    "<li><b>导出与打印</b>：文件 → 导出 PDF / 导出 Excel，可选当前表单或整个项目；打印预览与打印使用"
    "同一版式。</li>\n"
    "</ol>\n"
    "<p>本程序完全离线运行，不会连接网络。</p>\n"
)


def _open_local(url) -> None:
    if url.isLocalFile():
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(url)


def _dialog(parent, title: str, text: str) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    layout = QVBoxLayout(dialog)
    browser = QTextBrowser()
    browser.setOpenLinks(False)  # a licence file opens in the system's text viewer, never in a web browser
    browser.anchorClicked.connect(_open_local)
    browser.setHtml(text)
    layout.addWidget(browser)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    dialog.resize(720, 560)
    return dialog


def licences() -> list[dict]:
    """What the app ships and under which licence (resources/licenses/index.json, by tools/collect_licences.py)."""
    index = resources_dir() / "licenses" / "index.json"
    try:
        return json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []


def about_html(version: str) -> str:
    folder = resources_dir() / "licenses"
    rows = "".join(
        f"<tr><td>{html.escape(e['component'])}</td><td>{html.escape(e['licence'])}</td>"
        f"<td><a href=\"{(folder / e['file']).resolve().as_uri()}\">{html.escape(Path(e['file']).name)}</a></td></tr>"
        for e in licences())
    return f"""
<h2>{APP_NAME} {version}</h2>
<p>离线填写、检查并导出预算绩效表单：{"、".join(layout.title for layout in LAYOUTS.values())}。</p>
<p>本程序完全离线运行，不会连接网络。</p>
<p>Python {sys.version.split()[0]}，Qt {qVersion()}，PySide6 {pyside_version}</p>
<h3>许可</h3>
<p>本程序以 MIT 许可发布。随程序分发的组件及其许可如下，\
许可全文在程序目录的 <code>{html.escape(str(folder))}</code> 中（点击文件名可打开）。
Qt 与 PySide6 以 LGPL-3.0 动态链接使用，可替换为自行编译的版本。</p>
<table border="1" cellspacing="0" cellpadding="4"><tr><th>组件</th><th>许可</th><th>全文</th></tr>{rows}</table>
"""


def show_help(parent) -> None:
    _dialog(parent, "使用说明", HELP_HTML).exec()


def show_about(parent, version: str) -> None:
    _dialog(parent, f"关于 {APP_NAME}", about_html(version)).exec()
