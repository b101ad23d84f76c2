"""The bundled font: a TrueType file Qt and reportlab accept, covering GBK and the forms' punctuation, and the
fast character check that runs before every export."""

from __future__ import annotations

import os
import shutil
import struct
import sys
from pathlib import Path

import pytest

from fcast_desktop.exchange import fonts
from fcast_desktop.exchange.fonts import (
    FONT_FAMILY,
    FONT_FILE,
    PDF_FONT_NAME,
    coverage,
    font_path,
    missing_characters,
    register_reportlab_font,
)

NAME_CHARACTERS = "堃喆镕昇玥珺琍婧瑄喆焜铖"  # rarer name characters outside GB2312 (in GBK)
FORM_PUNCTUATION = "≥≤＞＜％%“”‘’《》〔〕【】（）()①②③④⑤⑴⒈㈠、。，：；！？…—～·×÷±℃㎡№ⅠⅡⅢ￥"


def gb2312_characters() -> set[str]:
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def gbk_characters() -> set[str]:
    out = set()
    for hi in range(0x81, 0xFF):
        for lo in range(0x40, 0xFF):
            if lo == 0x7F:
                continue
            try:
                ch = bytes([hi, lo]).decode("gbk")
            except UnicodeDecodeError:
                continue
            if not 0xE000 <= ord(ch) < 0xF900:  # GBK's user-defined (private use) areas
                out.add(ch)
    return out


def test_font_is_a_truetype_file_of_commit_size():
    path = font_path()
    assert path.name == FONT_FILE and path.parent.name == "fonts"
    data = path.read_bytes()
    assert data[:4] == b"\x00\x01\x00\x00", "glyf-outline TrueType, not CFF (reportlab cannot embed CFF)"
    (num_tables,) = struct.unpack_from(">H", data, 4)
    tags = {data[12 + 16 * i:16 + 16 * i] for i in range(num_tables)}
    assert {b"glyf", b"loca", b"cmap", b"hmtx", b"name", b"OS/2", b"post"} <= tags
    assert b"CFF " not in tags
    assert 2_000_000 < len(data) < 15_000_000
    licence = path.parent / "OFL.txt"
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence.read_text(encoding="utf-8")
    assert "tools/build_fonts.py" in (path.parent / "README.md").read_text(encoding="utf-8")


def test_covers_gb2312_gbk_names_ascii_and_form_punctuation():
    have = coverage()
    gb2312 = gb2312_characters()
    assert len(gb2312) > 7400
    assert not {c for c in gb2312 if ord(c) not in have}
    lacking = {c for c in gbk_characters() if ord(c) not in have}
    assert lacking <= {"≒"}, f"GBK characters missing: {sorted(lacking)[:20]}"
    for text in (NAME_CHARACTERS, FORM_PUNCTUATION, "".join(chr(c) for c in range(0x20, 0x7F)),
                 "".join(chr(c) for c in range(0xFF01, 0xFF5F))):
        assert missing_characters(text) == set(), text
    assert len(have) > 28000


def test_covers_every_character_of_the_seeds(seed_paths):
    for path in seed_paths.values():
        text = path.read_text(encoding="utf-8")
        assert missing_characters(text) == set(), path.name


def test_missing_characters_reports_what_the_font_lacks():
    assert missing_characters("") == set()
    assert missing_characters("项目名称：离退休干部\n慰问\t金\u200b\ufeff") == set()  # layout and invisible characters
    # CJK Extension B, an emoji, a private-use character: reported, never printed as boxes
    assert missing_characters("𠀾项目😀\ue000") == {"𠀾", "😀", "\ue000"}


def test_cmap_reader_agrees_with_fonttools():
    tt_lib = pytest.importorskip("fontTools.ttLib")
    expected = set(tt_lib.TTFont(str(font_path())).getBestCmap())
    assert set(coverage()) == expected


def test_cmap_reader_format_12_and_collections():
    """The reader also handles format-12 subtables and collections (what a rebuilt font may contain)."""
    tt_lib = pytest.importorskip("fontTools.ttLib")
    source = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not source.is_file():
        pytest.skip("fonts-noto-cjk not installed")
    data = source.read_bytes()
    expected = set(tt_lib.TTFont(str(source), fontNumber=0, lazy=True).getBestCmap())
    assert fonts._parse_cmap(data) == expected


def test_font_path_in_a_pyinstaller_bundle(tmp_path, monkeypatch):
    bundled = tmp_path / "resources" / "fonts" / FONT_FILE
    bundled.parent.mkdir(parents=True)
    try:
        os.symlink(font_path(), bundled)
    except OSError:
        shutil.copyfile(font_path(), bundled)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert font_path() == bundled


def test_missing_font_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "font_candidates", lambda: [tmp_path / FONT_FILE])
    with pytest.raises(fonts.FontNotFoundError, match="找不到内置字体"):
        font_path()


def test_register_reportlab_font_is_idempotent_and_embeds():
    from reportlab.pdfbase import pdfmetrics

    assert register_reportlab_font() == PDF_FONT_NAME
    first = pdfmetrics.getFont(PDF_FONT_NAME)
    assert register_reportlab_font() == PDF_FONT_NAME
    assert pdfmetrics.getFont(PDF_FONT_NAME) is first
    assert first.face.name == b"FCastSansSC-Regular"
    assert pdfmetrics.stringWidth("中文", PDF_FONT_NAME, 10) == pytest.approx(20.0)


def test_qt_accepts_the_font(qapp):
    from PySide6.QtGui import QFontDatabase, QRawFont

    font_id = QFontDatabase.addApplicationFont(str(font_path()))
    assert font_id >= 0
    assert FONT_FAMILY in QFontDatabase.applicationFontFamilies(font_id)
    raw = QRawFont(str(font_path()), 12)
    assert raw.isValid() and raw.familyName() == FONT_FAMILY
    for ch in NAME_CHARACTERS + "≥＞％《》〔〕①":
        assert raw.supportsCharacter(ord(ch)), ch  # the int overload: PySide's str overload is unreliable


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("FCAST_REBUILD_FONT") != "1",
                    reason="rebuilds the font (~40 s): FCAST_REBUILD_FONT=1")
def test_build_is_reproducible(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    try:
        import build_fonts
    finally:
        sys.path.pop(0)
    if not Path(build_fonts.DEFAULT_SOURCE).is_file():
        pytest.skip("fonts-noto-cjk not installed")
    info = build_fonts.build(build_fonts.DEFAULT_SOURCE, tmp_path / FONT_FILE)
    assert (tmp_path / FONT_FILE).read_bytes() == font_path().read_bytes(), info
