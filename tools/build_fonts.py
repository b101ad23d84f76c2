"""Build resources/fonts/FCastSansSC-Regular.ttf: a TrueType (glyf) subset of Noto Sans CJK SC Regular.

Why: reportlab embeds only TrueType outlines (Noto CJK ships CFF), and Qt needs a CJK font on machines that
have none. One file serves both. Coverage: every character of GBK (GB2312 plus rarer name characters such as
堃 喆 镕 昇), ASCII and Latin-1, full-width forms, the punctuation and symbols a form uses (≥ ≤ ＞ ％ “ ” 《 》
〔 〕 ① ㎡ ℃ …), and CJK Unified Ideographs (U+4E00–U+9FFF) and Extension A (U+3400–U+4DBF) in full.

Usage (Debian: apt install fonts-noto-cjk; needs fontTools, a dev dependency):

    .venv/bin/python tools/build_fonts.py [--source /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]

The conversion follows fontTools' ``otf2ttf`` snippet: each CFF charstring is drawn through
``Cu2QuPen`` (cubic → quadratic, max error 1 unit of 1000) into a ``TTGlyphPen``.
The family is renamed (OFL-1.1 allows modified versions; "Noto" is a Google trademark and the result is a
modified subset), see resources/fonts/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SOURCE_FACE = "NotoSansCJKsc-Regular"  # PostScript name of the face to take from the collection
OUT = ROOT / "resources" / "fonts" / "FCastSansSC-Regular.ttf"

FAMILY = "FCast Sans SC"
PS_NAME = "FCastSansSC-Regular"

MAX_ERR = 1.0  # font units (em = 1000); the otf2ttf default

# Ranges added on top of GBK (the font keeps only what the source face actually maps).
EXTRA_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x017F),  # Latin-1 supplement, Latin Extended-A (× ÷ ° ± · é ü …)
    (0x02C6, 0x02DD),  # modifier letters (ˇ ˉ)
    (0x0391, 0x03C9),  # Greek
    (0x0401, 0x0451),  # Cyrillic
    (0x2000, 0x206F),  # general punctuation (— ‘ ’ “ ” … ‰ ※)
    (0x2100, 0x218F),  # letterlike symbols, number forms (℃ № Ⅰ Ⅱ ⅰ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators (≥ ≤ ≠ ≈ ∑ √)
    (0x2300, 0x23FF),  # misc technical
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ⑴ ⒈)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes (■ □ ● ○ ◆ △)
    (0x2600, 0x26FF),  # misc symbols (★ ☆ ☑ ☒)
    (0x2700, 0x27BF),  # dingbats (✓ ✔ ✕ ❶)
    (0x2E80, 0x2FDF),  # CJK radicals (those sharing another character's glyph are dropped again: drop_aliases)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、 。 《 》 〔 〕 【 】 〇)
    (0x3040, 0x30FF),  # kana (in GBK anyway)
    (0x3100, 0x312F),  # bopomofo
    (0x3200, 0x32FF),  # enclosed CJK (㈠ ㈡ ㊣)
    (0x3300, 0x33FF),  # CJK compatibility (㎡ ㎏ ㎞)
    (0x3400, 0x4DBF),  # CJK Extension A (GB18030 level; rare name characters such as 䶮)
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs, all of them
    (0xF900, 0xFAFF),  # CJK compatibility ideographs (in GBK partly)
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFE50, 0xFE6F),  # small form variants
    (0xFF01, 0xFF5E),  # full-width ASCII (＞ ％ （ ） ： ； ０-９ Ａ-Ｚ)
    (0xFF5F, 0xFF65),  # full-width brackets, half-width punctuation
    (0xFFE0, 0xFFE6),  # full-width signs (￥ ￠ ￡)
]


def gbk_codepoints() -> set[int]:
    out = set()
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp < 0xE000 or 0xE000 <= cp < 0xF900:  # surrogates, private use (GBK maps some PUA)
            continue
        try:
            chr(cp).encode("gbk")
        except UnicodeEncodeError:
            continue
        out.add(cp)
    return out


def wanted_codepoints() -> set[int]:
    cps = gbk_codepoints()
    for lo, hi in EXTRA_RANGES:
        cps.update(range(lo, hi + 1))
    return cps


def load_face(source: str) -> TTFont:
    if source.lower().endswith((".ttc", ".otc")):
        for font in TTCollection(source).fonts:
            if font["name"].getDebugName(6) == SOURCE_FACE:
                return font
        raise SystemExit(f"{SOURCE_FACE} not found in {source}")
    return TTFont(source)


def cff_to_glyf(font: TTFont) -> None:
    """Replace the CFF table by glyf/loca (quadratic outlines), as fontTools' otf2ttf snippet does."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    maxp.maxPoints = maxp.maxContours = maxp.maxCompositePoints = maxp.maxCompositeContours = 0
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 3.0  # no glyph names: smaller, and nothing needs them
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = None
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font: TTFont, source_version: str) -> None:
    name = font["name"]
    keep = {0, 7, 8, 9, 10, 11, 12, 13, 14}
    name.names = [r for r in name.names if r.nameID in keep and r.platformID == 3]
    desc = f"Subset of Noto Sans CJK SC Regular {source_version}, converted to TrueType outlines for fcast-desktop"
    for nid, text in (
        (1, FAMILY),
        (2, "Regular"),
        (3, f"{source_version};{PS_NAME};fcast-desktop"),
        (4, f"{FAMILY} Regular"),
        (5, f"Version {source_version}; {desc}"),
        (6, PS_NAME),
    ):
        name.setName(text, nid, 3, 1, 0x409)
    name.names.sort(key=lambda r: (r.platformID, r.platEncID, r.langID, r.nameID))


RADICALS = range(0x2E80, 0x2FE0)  # CJK Radicals Supplement, Kangxi Radicals
EXTENSION_A = range(0x3400, 0x4DC0)
UNIFIED = range(0x4E00, 0xA000)


def drop_aliases(font: TTFont) -> int:
    """Leave out of the cmap the rare characters drawn with the very glyph of a common one: a CJK radical sharing
    a glyph with any other character (⻚ and 页, ⼀ and 一), an Extension A character sharing one with a unified
    ideograph (㬵 and 胶). A printer that turns glyphs back into text — Qt's PDF engine, "print to PDF" — takes
    the lowest code point mapped to a glyph, so 页 came out as ⻚ and 胶 as 㬵 in the PDF's text layer, and
    copying or searching failed. Radicals with a glyph of their own (the GBK ones such as ⺁) stay.
    Returns how many code points were dropped."""
    dropped = set()
    for table in font["cmap"].tables:
        others = {glyph for cp, glyph in table.cmap.items() if cp not in RADICALS}
        unified = {glyph for cp, glyph in table.cmap.items() if cp in UNIFIED}
        aliases = {cp for cp, glyph in table.cmap.items()
                   if (cp in RADICALS and glyph in others) or (cp in EXTENSION_A and glyph in unified)}
        table.cmap = {cp: glyph for cp, glyph in table.cmap.items() if cp not in aliases}
        dropped |= aliases
    return len(dropped)


def build(source: str, out: Path) -> dict:
    t0 = time.perf_counter()
    font = load_face(source)
    source_version = font["head"].fontRevision
    source_version = f"{source_version:.3f}"
    have = set(font.getBestCmap())
    wanted = wanted_codepoints()
    unicodes = sorted(wanted & have)
    options = subset.Options()
    options.layout_features = []  # no GSUB/GPOS features needed: horizontal CJK with the SC cmap
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG", "meta"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_bounds = True
    options.hinting = False
    options.glyph_names = False
    options.prune_unicode_ranges = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    # keep one Windows Unicode BMP cmap (format 4) plus the Unicode-platform copy; drop format 14 (UVS)
    cmap = font["cmap"]
    unicode_encodings = ((3, 1), (0, 3), (3, 10), (0, 4))
    cmap.tables = [t for t in cmap.tables if t.format in (4, 12) and (t.platformID, t.platEncID) in unicode_encodings]
    aliases = drop_aliases(font)
    cff_to_glyf(font)
    rename(font, source_version)
    font["OS/2"].fsType = 0  # installable embedding, as in the source
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    font.recalcTimestamp = False  # reproducible output: keep the source's head.modified
    font.save(tmp)
    tmp.replace(out)
    check = TTFont(out)
    mapped = check.getBestCmap()
    missing_gbk = sorted(c for c in gbk_codepoints() if c not in mapped)
    info = {
        "source": source,
        "source_version": source_version,
        "output": str(out),
        "bytes": out.stat().st_size,
        "characters": len(mapped),
        "glyphs": len(check.getGlyphOrder()),
        "gbk_missing": [f"U+{c:04X}" for c in missing_gbk],
        "aliases_dropped": aliases,
        "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=DEFAULT_SOURCE)
    ap.add_argument("-o", "--output", type=Path, default=OUT)
    args = ap.parse_args(argv)
    info = build(args.source, args.output)
    for k, v in info.items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
