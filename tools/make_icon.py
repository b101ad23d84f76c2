"""Draw the application icon (resources/icons/app.png and app.ico) with the bundled font.

A blue form sheet with a red check mark and 绩: readable at 16 px in the Windows task bar. The .ico holds PNG
images of every size Windows asks for (16–256 px); run again after changing the drawing.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QImage, QPainter, QPainterPath, QPen  # noqa: E402

from fcast_desktop.gui.app import register_font  # noqa: E402

SIZES = (16, 24, 32, 48, 64, 128, 256)
OUT = ROOT / "resources" / "icons"


def draw(size: int, family: str) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    s = size / 256
    sheet = QRectF(20 * s, 12 * s, 216 * s, 232 * s)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(QColor("#1f5fa8")))
    p.drawRoundedRect(sheet, 28 * s, 28 * s)
    if size >= 32:  # table rules: the form, visible only where there is room
        p.setPen(QPen(QColor(255, 255, 255, 90), max(1.0, 6 * s)))
        for y in (176, 208):
            p.drawLine(QPointF(48 * s, y * s), QPointF(208 * s, y * s))
    font = QFont(family)
    font.setPixelSize(int(150 * s) if size >= 32 else int(170 * s))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("white"))
    text_rect = QRectF(0, 4 * s, size, 160 * s) if size >= 32 else QRectF(0, 0, size, size)
    p.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, "绩")
    check = QPainterPath(QPointF(150 * s, 196 * s))
    check.lineTo(182 * s, 228 * s)
    check.lineTo(244 * s, 150 * s)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(QPen(QColor("#e03a2f"), max(1.5, 26 * s), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                  Qt.PenJoinStyle.RoundJoin))
    p.drawPath(check)
    p.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """ICO container of PNG images (Windows Vista and later read PNG entries)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, blob in pngs.items():
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset + len(blobs))
        blobs += blob
    return header + entries + blobs


def main() -> None:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)  # noqa: F841
    family = register_font() or "sans-serif"
    OUT.mkdir(parents=True, exist_ok=True)
    pngs = {size: png_bytes(draw(size, family)) for size in SIZES}
    (OUT / "app.png").write_bytes(pngs[256])
    (OUT / "app.ico").write_bytes(ico_bytes(pngs))
    print(f"wrote {OUT / 'app.png'} and {OUT / 'app.ico'} ({', '.join(map(str, SIZES))} px)")


if __name__ == "__main__":
    main()
