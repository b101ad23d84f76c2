"""打印 and 打印预览: the pages of the PDF export, drawn with QPainter.

The pages come from :func:`fcast_desktop.exchange.pdf_export.form_pages` — the same printed layout, the same
line breaks (measured with the bundled font's widths), the same pagination with repeated column headers and
merged labels, the same "第 N 页 共 M 页" — so a printed form is the exported PDF, page for page. This module
only draws them: filled and outlined boxes and text lines at the positions given, in points from the top left of
the paper (the printer is set to full-page mode, so the paper's corner is the painter's origin), with the bundled
font that the PDF embeds.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPageLayout, QPageSize, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog

from ..exchange.fonts import FONT_FAMILY, font_path
from ..layouts.printed import Page


def _family() -> str:
    """The bundled font's family, registered with Qt if the application has not done it yet."""
    if FONT_FAMILY not in QFontDatabase.families():
        QFontDatabase.addApplicationFont(str(font_path()))
    return FONT_FAMILY


def pages_for(project, form) -> list[Page]:
    """The pages of ``form`` exactly as the PDF export lays them out. Raises
    :class:`~fcast_desktop.exchange.pdf_export.MissingCharactersError` for characters the font cannot print."""
    from ..exchange.pdf_export import form_pages

    return form_pages(project, [form])


def prepare_printer(printer: QPrinter, pages: list[Page]) -> None:
    """A4, the orientation of the first page, full page (the pages carry their own margins)."""
    printer.setFullPage(True)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    landscape = bool(pages) and pages[0].landscape
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait)


def paint_pages(printer: QPrinter, pages: list[Page]) -> None:
    """Draw ``pages`` on ``printer`` (a printer, a PDF file, or the printer of a print preview)."""
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("无法开始打印（打印机不可用或输出文件无法写入）")
    try:
        for n, page in enumerate(pages):
            if n:
                orientation = QPageLayout.Orientation.Landscape if page.landscape else QPageLayout.Orientation.Portrait
                if printer.pageLayout().orientation() != orientation:
                    printer.setPageOrientation(orientation)
                printer.newPage()
            paper = printer.pageLayout().fullRectPoints()
            fit = min(1.0, paper.width() / page.width, paper.height() / page.height)  # paper smaller than A4
            paint_page(painter, page, fit if fit < 0.995 else 1.0)
    finally:
        painter.end()


class _Fonts:
    def __init__(self, family: str, fit: float = 1.0):
        self.family, self.fit = family, fit
        self._fonts: dict[float, QFont] = {}

    def get(self, size: float) -> QFont:
        font = self._fonts.get(size)
        if font is None:
            font = QFont(self.family)
            font.setPointSizeF(size * self.fit)
            font.setKerning(False)  # the PDF places glyphs by their advance widths only
            font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
            font.setStyleStrategy(QFont.StyleStrategy.PreferOutline)
            self._fonts[size] = font
        return font


def paint_page(painter: QPainter, page: Page, fit: float = 1.0) -> None:
    """One page; points are scaled to the device (the printer's resolution), font sizes stay in points.
    ``fit`` < 1 shrinks the page onto paper smaller than A4 (Letter chosen in the print dialog)."""
    device = painter.device()
    scale = device.logicalDpiX() / 72.0 * fit
    scale_y = device.logicalDpiY() / 72.0 * fit
    fonts = _Fonts(_family(), fit)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    for b in page.fills:
        painter.fillRect(QRectF(b.x * scale, b.y * scale_y, b.w * scale, b.h * scale_y), QColor(b.fill))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    pens: dict[float, QPen] = {}
    for b in page.boxes:
        pen = pens.get(b.line_width)
        if pen is None:
            pen = pens[b.line_width] = QPen(QColor("black"), b.line_width * scale)
            pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.drawRect(QRectF(b.x * scale, b.y * scale_y, b.w * scale, b.h * scale_y))
    painter.setPen(QColor("black"))
    for t in page.texts:
        font = fonts.get(t.size)
        painter.setFont(font)
        origin = QPointF(t.x * scale, t.y * scale_y)
        painter.drawText(origin, t.text)
        if t.bold:  # as the PDF: the glyphs stroked as well as filled
            painter.strokePath(_outline(fonts.family, t.text, t.size * scale_y, origin),
                               QPen(QColor("black"), t.size * 0.035 * scale))
    painter.restore()


def _outline(family: str, text: str, pixels: float, origin: QPointF) -> QPainterPath:
    """The glyph outlines of ``text`` at ``pixels`` device pixels per em, baseline at ``origin`` (made at a fixed
    pixel size and scaled: a path knows no device resolution)."""
    font = QFont(family)
    font.setPixelSize(100)
    font.setKerning(False)
    path = QPainterPath()
    path.addText(QPointF(0, 0), font, text)
    transform = QTransform()
    transform.translate(origin.x(), origin.y())
    transform.scale(pixels / 100, pixels / 100)
    return transform.map(path)


def _refuse(parent, exc: Exception) -> None:
    from PySide6.QtWidgets import QMessageBox

    from .messages import error_text

    QMessageBox.warning(parent, "无法打印", error_text(exc))


def print_form(parent, project, form) -> None:
    from ..exchange.pdf_export import PdfExportError

    try:
        pages = pages_for(project, form)
    except PdfExportError as exc:
        _refuse(parent, exc)
        return
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    prepare_printer(printer, pages)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec():
        paint_pages(printer, pages)


def preview_dialog(parent, project, form) -> QPrintPreviewDialog:
    """The print preview of ``form`` (not shown yet). Raises like :func:`pages_for`."""
    pages = pages_for(project, form)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    prepare_printer(printer, pages)
    preview = QPrintPreviewDialog(printer, parent)
    preview.setWindowTitle("打印预览")
    preview.paintRequested.connect(lambda p: paint_pages(p, pages))
    preview.resize(1000, 800)
    # the dialog does not own the printer: keep it (and the pages) alive as long as the dialog
    preview._fcast_printer = printer  # type: ignore[attr-defined]
    preview._fcast_pages = pages  # type: ignore[attr-defined]
    return preview


def preview_form(parent, project, form) -> None:
    from ..exchange.pdf_export import PdfExportError

    try:
        preview = preview_dialog(parent, project, form)
    except PdfExportError as exc:
        _refuse(parent, exc)
        return
    preview.exec()
