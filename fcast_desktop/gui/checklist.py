"""文件 → 上报前检查清单: the checklist of the whole project as a print preview, with 导出 PDF / 导出 Excel.

The pages are those of the PDF export (``exchange.checklist.checklist_printed`` composed with the bundled font's
widths), drawn by printing.py as the forms are: what is previewed is what is printed and exported.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QToolBar

from .printing import paint_pages, prepare_printer

KINDS = {"pdf": ("PDF", "PDF 文件 (*.pdf)", ".pdf"), "xlsx": ("Excel", "Excel 工作簿 (*.xlsx)", ".xlsx")}


def checklist_pages(project) -> list:
    """The checklist's A4 pages, laid out as the PDF export lays them out. Raises like the PDF export
    (``MissingCharactersError``) for characters the bundled font cannot print."""
    from ..exchange.checklist import checklist_printed
    from ..exchange.pdf_export import pdf_metrics
    from ..layouts.printed import compose_pages
    from ..rules.checklist import checklist

    return compose_pages(checklist_printed(checklist(project)), pdf_metrics(), 0)


def export_checklist(window, kind: str, path: Path | None = None) -> Path | None:
    """Write the checklist of the window's project to ``path`` (None: ask where; tests: ``answers["checklist_path"]``).
    The file is written whole or not at all; failures are told in Chinese. Returns the file written."""
    from ..exchange.checklist import export_checklist_pdf, export_checklist_xlsx
    from ..rules.checklist import checklist
    from .messages import error_text

    label, file_filter, suffix = KINDS[kind]
    if path is None:
        base = window.document.path.stem if window.document.path else "绩效表单"
        start = str(Path(window._last_dir()) / f"{base}-上报前检查清单{suffix}")
        if window.interactive:
            from .file_dialogs import save_file_name

            chosen = save_file_name(window, f"导出检查清单 {label}", start, file_filter)
        else:
            window.answers.setdefault("_asked", []).append(("checklist_path", start))
            chosen = window.answers.get("checklist_path")
        if not chosen:
            return None
        chosen = str(chosen)
        if not chosen.lower().endswith(suffix):
            chosen += suffix
        path = Path(chosen)
    try:
        c = checklist(window.document.project)
        out = export_checklist_pdf(c, path) if kind == "pdf" else export_checklist_xlsx(c, path)
    except Exception as exc:  # noqa: BLE001 - told to the user, never into Qt
        window.inform("导出检查清单失败", f"未能写入 {path}：\n{error_text(exc)}", error=True)
        return None
    window.statusbar.showMessage(f"已将上报前检查清单导出到 {out}", 8000)
    return out


def checklist_preview_dialog(window) -> QPrintPreviewDialog:
    """The print preview of the checklist (not shown yet), its toolbar with 导出 PDF / 导出 Excel."""
    pages = checklist_pages(window.document.project)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    prepare_printer(printer, pages)
    preview = QPrintPreviewDialog(printer, window)
    preview.setObjectName("checklistPreview")
    preview.setWindowTitle("上报前检查清单 — 打印预览")
    preview.paintRequested.connect(lambda p: paint_pages(p, pages))
    preview.resize(1000, 800)
    bar = preview.findChild(QToolBar)
    for kind, text in (("pdf", "导出 PDF…"), ("xlsx", "导出 Excel…")):
        action = QAction(text, preview)
        action.setObjectName(f"checklistExport{kind.capitalize()}")
        action.triggered.connect(lambda _=False, k=kind: export_checklist(window, k))
        if bar is not None:
            bar.addSeparator()
            bar.addAction(action)
        preview.addAction(action)
    preview._fcast_printer = printer  # type: ignore[attr-defined]  # kept alive with the dialog
    preview._fcast_pages = pages  # type: ignore[attr-defined]
    return preview
