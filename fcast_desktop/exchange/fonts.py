"""The app's bundled CJK font (resources/fonts/FCastSansSC-Regular.ttf): where it is, which characters it has,
and its registration with reportlab.

One TrueType file serves Qt (the GUI registers :func:`font_path` with ``QFontDatabase.addApplicationFont``; its
family is :data:`FONT_FAMILY`) and the PDF export (embedded by reportlab, never the non-embedded STSong-Light).
:func:`missing_characters` reads the font's own ``cmap`` once (a small parser, no reportlab or fontTools import),
so a character the font cannot print is reported before an export instead of coming out as a box.

No Qt here (exchange/ is below gui/).
"""

from __future__ import annotations

import os
import struct
import sys
import threading
from functools import lru_cache
from pathlib import Path

from ..layouts.printed import IGNORABLE as _PRINTED_IGNORABLE

FONT_FILE = "FCastSansSC-Regular.ttf"
FONT_FAMILY = "FCast Sans SC"  # family name in the font's name table (for Qt)
PDF_FONT_NAME = "FCastSansSC"  # name under which the font is registered with reportlab

# Characters that never need a glyph: line breaks and tabs are layout, the others are invisible format
# characters (zero-width space/joiners, BOM, variation selectors) that writers drop before printing.
# characters no font needs: what the page layout drops anyway, and line breaks
IGNORABLE = _PRINTED_IGNORABLE | {"\n"}


class FontNotFoundError(FileNotFoundError):
    """The bundled font file is missing (a broken installation)."""


def font_candidates() -> list[Path]:
    """Where the font may be: inside a PyInstaller bundle (``sys._MEIPASS``), beside a frozen executable, and
    in the source tree (``<repo>/resources/fonts``). ``FCAST_FONT`` overrides all of them."""
    out: list[Path] = []
    override = os.environ.get("FCAST_FONT")
    if override:
        out.append(Path(override))
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        out.append(Path(meipass) / "resources" / "fonts" / FONT_FILE)
    if getattr(sys, "frozen", False):
        out.append(Path(sys.executable).resolve().parent / "resources" / "fonts" / FONT_FILE)
    out.append(Path(__file__).resolve().parents[2] / "resources" / "fonts" / FONT_FILE)
    return out


def font_path() -> Path:
    """The bundled font file; raises :class:`FontNotFoundError` (Chinese message) when it cannot be found."""
    candidates = font_candidates()
    for p in candidates:
        if p.is_file():
            return p
    raise FontNotFoundError(
        f"找不到内置字体 {FONT_FILE}（已查找：{'；'.join(str(p) for p in candidates)}），请重新安装本程序"
    )


# ---- cmap -------------------------------------------------------------------------------------------


def _parse_cmap(data: bytes) -> frozenset[int]:
    """Code points mapped to a glyph other than .notdef, from the best Unicode subtable (format 12 or 4)."""
    if data[:4] == b"ttcf":
        (first,) = struct.unpack_from(">L", data, 12)
        data_offset = first
    else:
        data_offset = 0
    (num_tables,) = struct.unpack_from(">H", data, data_offset + 4)
    cmap_off = None
    for i in range(num_tables):
        tag, _checksum, offset, _length = struct.unpack_from(">4sLLL", data, data_offset + 12 + 16 * i)
        if tag == b"cmap":
            cmap_off = offset
            break
    if cmap_off is None:
        raise ValueError("font has no cmap table")
    _version, n = struct.unpack_from(">HH", data, cmap_off)
    subtables = {}
    for i in range(n):
        platform, encoding, offset = struct.unpack_from(">HHL", data, cmap_off + 4 + 8 * i)
        (fmt,) = struct.unpack_from(">H", data, cmap_off + offset)
        subtables[(platform, encoding, fmt)] = cmap_off + offset
    for key in ((3, 10, 12), (0, 4, 12), (0, 6, 12), (3, 1, 4), (0, 3, 4), (0, 4, 4)):
        if key in subtables:
            return (_format12 if key[2] == 12 else _format4)(data, subtables[key])
    raise ValueError("font has no Unicode cmap subtable")


def _format12(data: bytes, off: int) -> frozenset[int]:
    (n_groups,) = struct.unpack_from(">L", data, off + 12)
    out: set[int] = set()
    for i in range(n_groups):
        start, end, gid = struct.unpack_from(">LLL", data, off + 16 + 12 * i)
        if gid == 0:
            start += 1
        out.update(range(start, end + 1))
    return frozenset(out)


def _format4(data: bytes, off: int) -> frozenset[int]:
    (seg_x2,) = struct.unpack_from(">H", data, off + 6)
    segs = seg_x2 // 2
    ends = struct.unpack_from(f">{segs}H", data, off + 14)
    starts = struct.unpack_from(f">{segs}H", data, off + 16 + seg_x2)
    deltas = struct.unpack_from(f">{segs}H", data, off + 16 + 2 * seg_x2)
    ro_base = off + 16 + 3 * seg_x2
    range_offsets = struct.unpack_from(f">{segs}H", data, ro_base)
    out: set[int] = set()
    for i in range(segs):
        start, end, delta, ro = starts[i], ends[i], deltas[i], range_offsets[i]
        if start == 0xFFFF:
            continue
        if ro == 0:
            out.update(c for c in range(start, end + 1) if (c + delta) & 0xFFFF)
        else:
            for c in range(start, end + 1):
                pos = ro_base + 2 * i + ro + 2 * (c - start)
                (gid,) = struct.unpack_from(">H", data, pos)
                if gid and (gid + delta) & 0xFFFF:
                    out.add(c)
    return frozenset(out)


@lru_cache(maxsize=4)
def _coverage_of(path: str) -> frozenset[int]:
    with open(path, "rb") as fh:
        return _parse_cmap(fh.read())


def _font_inputs() -> tuple:
    """What :func:`font_candidates` looks at: while these are the same, so is the font file it finds."""
    return (os.environ.get("FCAST_FONT"), getattr(sys, "_MEIPASS", None), getattr(sys, "frozen", False),
            sys.executable)


_coverage_found: tuple[tuple, frozenset[int]] | None = None


def coverage() -> frozenset[int]:
    """Every code point the bundled font can print (read once, ~30 ms). An export asks for every printed text, so
    the font file is looked up again only when what :func:`font_candidates` looks at has changed — not per text
    (looking it up costs a ``resolve()`` and ``stat`` calls per candidate)."""
    global _coverage_found
    inputs = _font_inputs()
    found = _coverage_found
    if found is None or found[0] != inputs:
        found = _coverage_found = (inputs, _coverage_of(str(font_path())))
    return found[1]


def missing_characters(text: str) -> set[str]:
    """The characters of ``text`` the bundled font cannot print (line breaks, tabs and invisible format
    characters excepted). Empty set: the text prints as typed."""
    if not text:
        return set()
    have = coverage()
    return {ch for ch in set(text) if ord(ch) not in have and ch not in IGNORABLE}


def describe_characters(chars) -> str:
    """``“𠀾”(U+2003E)、“😀”(U+1F600)`` — for messages naming characters a user may not be able to see."""
    return "、".join(f"“{c}”(U+{ord(c):04X})" for c in sorted(chars))


# ---- reportlab --------------------------------------------------------------------------------------

_register_lock = threading.Lock()


def register_reportlab_font() -> str:
    """Register the bundled font with reportlab (once per process) and return its reportlab font name.

    The name is also registered as a font family whose bold/italic members are the same font, so ``<b>`` in a
    Paragraph never falls back to a non-embedded font."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _register_lock:
        try:
            pdfmetrics.getFont(PDF_FONT_NAME)
        except KeyError:
            pdfmetrics.registerFont(TTFont(PDF_FONT_NAME, str(font_path())))
            pdfmetrics.registerFontFamily(
                PDF_FONT_NAME, normal=PDF_FONT_NAME, bold=PDF_FONT_NAME, italic=PDF_FONT_NAME,
                boldItalic=PDF_FONT_NAME,
            )
    return PDF_FONT_NAME


__all__ = [
    "FONT_FAMILY",
    "FONT_FILE",
    "IGNORABLE",
    "PDF_FONT_NAME",
    "FontNotFoundError",
    "coverage",
    "describe_characters",
    "font_candidates",
    "font_path",
    "missing_characters",
    "register_reportlab_font",
]
