"""打印 and 打印预览: the printed layout (``layouts.printed``) rendered as an HTML table into a QTextDocument."""

from __future__ import annotations

import html

from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog

from ..layouts.printed import PrintedForm, build_printed, group_cells

ROLE_STYLE = {
    "label": "background:#f4f4f4;",
    "header": "background:#f4f4f4;font-weight:bold;",
    "group": "",
    "section": "font-weight:bold;background:#f4f4f4;",
    "computed": "",
    "total": "font-weight:bold;",
}


def _computed(project, form) -> dict:
    try:
        from ..rules.report import computed_values
    except ImportError:
        return {}
    return computed_values(form, project)


def form_html(printed: PrintedForm, font_family: str = "") -> str:
    ncols = len(printed.widths)
    out = [f'<html><body style="font-family:\'{font_family}\';font-size:9pt;">',
           f'<p align="center" style="font-size:15pt;font-weight:bold;">{html.escape(printed.title)}</p>']
    if printed.subtitle:
        out.append(f'<p align="center">{html.escape(printed.subtitle)}</p>')
    out.append('<table width="100%" border="1" cellspacing="0" cellpadding="3" style="border-collapse:collapse;">')
    out.append("<tr>" + "".join(f'<td width="{w}%" style="padding:0;border:none;"></td>' for w in printed.widths) + "</tr>")

    def emit(cells):
        cells = sorted(cells, key=lambda c: c.col)
        row = []
        for c in cells:
            text = html.escape(c.text).replace("\n", "<br/>")
            style = ROLE_STYLE.get(c.role, "")
            row.append(f'<td colspan="{c.colspan}" rowspan="{c.rowspan}" align="{c.align}" style="{style}">{text}</td>')
        out.append("<tr>" + "".join(row) + "</tr>")

    for section in printed.sections:
        for r in section.rows if section.kind != "indicators" else []:
            emit(r.cells)
        if section.kind == "indicators":
            groups = group_cells(printed.layout, section.rows)
            caption_rows = len(section.repeat) + len(section.rows)
            for i, r in enumerate(section.repeat):
                cells = list(r.cells)
                if section.caption and i == 0:
                    from ..layouts.printed import PCell

                    cells.append(PCell(section.caption, 0, rowspan=caption_rows, role="label", align="center"))
                emit(cells)
            for r, extra in zip(section.rows, groups):
                emit(r.cells + extra)
            for r in section.trailer:
                emit(r.cells)
    out.append("</table>")
    del ncols
    out.append("</body></html>")
    return "".join(out)


def document_for(project, form) -> QTextDocument:
    from PySide6.QtWidgets import QApplication

    stars = project.profile == "shenzhen-futian"
    printed = build_printed(form, _computed(project, form), stars)
    doc = QTextDocument()
    doc.setDefaultFont(QApplication.font())
    doc.setHtml(form_html(printed, QApplication.font().family()))
    doc._landscape = printed.landscape  # type: ignore[attr-defined]
    return doc


def _prepare(printer: QPrinter, landscape: bool) -> None:
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait)


def print_form(parent, project, form) -> None:
    doc = document_for(project, form)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    _prepare(printer, doc._landscape)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec():
        doc.print_(printer)


def preview_form(parent, project, form) -> None:
    doc = document_for(project, form)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    _prepare(printer, doc._landscape)
    preview = QPrintPreviewDialog(printer, parent)
    preview.setWindowTitle("打印预览")
    preview.paintRequested.connect(doc.print_)
    preview.resize(1000, 800)
    preview.exec()
