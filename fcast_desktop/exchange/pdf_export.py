"""PDF export with reportlab: the pages of :func:`~fcast_desktop.layouts.printed.compose_pages` drawn on a canvas.

reportlab (about 150 ms to import) is imported inside the functions that draw, so importing this module is cheap.

The pages — line breaking, label fitting, pagination with repeated column headers and merged labels, no widows,
"第 N 页 共 M 页" counted per form — are made in :mod:`fcast_desktop.layouts.printed`, measured with the
bundled font's widths (:func:`pdf_metrics`). This module only draws them: boxes, fills and text lines at the
positions given, the title "bold-ish" (glyphs filled and stroked, since the app ships one regular font). 打印 /
打印预览 (``gui.printing``) draws the very same pages with QPainter, from :func:`form_pages`.

Every form starts on a new A4 page, portrait or landscape as its layout says. The only font is the bundled one
(:mod:`.fonts`), embedded; never the non-embedded STSong-Light. Whether 二级指标 labels carry the 福田 stars
is asked per form (``rules.form_stars``: by the district of its 项目编码).

Every printed text is checked against the font as its form is laid out (one look per form): characters it lacks
raise :class:`MissingCharactersError` naming every form, field and character — nothing is printed as a box.
The file is written atomically (temporary file beside the target, then ``os.replace``): a cancelled or failed
export leaves no file behind, and an existing file stays as it was.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .. import __version__
from ..layouts.forms import LAYOUTS, FormLayout
from ..layouts.printed import (
    A4,
    BODY_SIZE,
    LEADING,
    NO_LINE_END,
    NO_LINE_START,
    Page,
    PCell,
    PrintedForm,
    TextMetrics,
    break_lines,
    build_printed,
    compose_pages,
    fit_label,
)
from ..model.forms import AnyForm, Project, form_title
from ..store.project_file import write_atomically_with
from .fonts import describe_characters, missing_characters, register_reportlab_font
from .report import ExportCancelled, ExportError

if TYPE_CHECKING:
    from ..rules import Profile

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

class PdfExportError(ExportError):
    """The PDF cannot be written; the message is Chinese and says what to do."""


class MissingCharactersError(PdfExportError):
    """Some printed text holds characters the bundled font lacks. ``problems``: (form, field, characters)."""

    def __init__(self, problems: list[tuple[str, str, set[str]]]):
        self.problems = problems
        lines = [f"{form} — {fld}：{describe_characters(chars)}" for form, fld, chars in problems[:20]]
        if len(problems) > 20:
            lines.append(f"……另有 {len(problems) - 20} 处")
        super().__init__(
            "以下字符不在内置字体中，打印出来会是空白方框，因此未导出 PDF：\n" + "\n".join(lines)
            + "\n请把这些字符改为常用写法（或用同音字加注说明）后再导出。"
        )


# ==================================================================================================
# public API


def export_pdf(
    project: Project,
    forms: Sequence[AnyForm] | None,
    out_path: str | os.PathLike,
    progress: Progress | None = None,
    is_cancelled: Cancelled | None = None,
) -> Path:
    """Write ``forms`` (None: all forms of ``project``) to one PDF at ``out_path`` and return its path.

    ``progress(done, total)`` is called with ``total = len(forms)``: ``(0, total)`` first, after each form is laid
    out, and ``(total, total)`` once the file is written. When ``is_cancelled()`` returns true the export stops
    at the next form, no file is written and :class:`ExportCancelled` is raised. Raises
    :class:`MissingCharactersError` (naming every such text; no file written) when a text holds characters the font
    cannot print.
    """
    forms = list(project.forms if forms is None else forms)
    if not forms:
        raise PdfExportError("没有可导出的表单")
    canvas = _drawn_canvas(project, forms, progress=progress, is_cancelled=is_cancelled)
    if is_cancelled and is_cancelled():
        raise ExportCancelled()
    out = Path(out_path)
    write_atomically_with(out, lambda fh: save_streamed(canvas, fh))  # never the whole file in memory
    if progress:
        progress(len(forms), len(forms))
    return out


def printed_forms(project: Project, forms: Sequence[AnyForm]) -> list[PrintedForm]:
    """The printed layout of each form, with its computed values and its own stars (``rules.form_stars``)."""
    from ..rules import load_profile

    profile = load_profile(project.profile)
    return [build_printed(form, *_rules_values(project, form, profile)) for form in forms]


def _rules_values(project: Project, form: AnyForm, profile: Profile | None = None) -> tuple[dict[str, str], bool]:
    """What the rules add to a printed form: its computed values and whether it carries the 福田 stars (what
    ``rules.form_stars`` says: the stars of the profile its 项目编码 calls for). ``profile``: the project's, when
    the caller has it (an export loads it once, not per form)."""
    from ..model import SelfEvaluation
    from ..model.money import format_number
    from ..rules import form_profile, load_profile
    from ..rules.report import computed_values

    computed = computed_values(form, project)
    own = form_profile(form, profile if profile is not None else load_profile(project.profile))
    if isinstance(form, SelfEvaluation):  # 产出指标(50分): the weights of the form's profile
        computed.update({f"weights.{k}": format_number(v) for k, v in own.level1_weights.items()})
    return computed, own.stars


def pdf_metrics() -> TextMetrics:
    """Advance widths of the bundled font (registered with reportlab), for :func:`compose_pages`."""
    from reportlab.pdfbase.pdfmetrics import getFont

    font: Any = getFont(register_reportlab_font())  # a TTFont (the stubs type getFont as the base Font)
    face = font.face
    widths, default = face.charWidths, face.defaultWidth
    return TextMetrics(lambda ch: widths.get(ord(ch), default) / 1000.0)


def form_pages(project: Project, forms: Sequence[AnyForm]) -> list[Page]:
    """The pages of ``forms`` as the PDF export prints them (what 打印 / 打印预览 draws). Raises
    :class:`MissingCharactersError` when a text holds characters the font cannot print."""
    printed = printed_forms(project, forms)
    check_printable(forms, printed)
    metrics = pdf_metrics()
    from .checklist import explained_form_ids, form_numbers, with_appendix  # a form's 审核说明 page(s) follow it

    explained, numbers = explained_form_ids(project), form_numbers(project)
    return [page for n, (form, pf) in enumerate(zip(forms, printed, strict=False))
            for page in with_appendix(compose_pages(pf, metrics, n), project, form, metrics, n,
                                      numbers.get(id(form)), explained)]


def render_pdf(
    project: Project,
    forms: Sequence[AnyForm],
    progress: Progress | None = None,
    is_cancelled: Cancelled | None = None,
) -> bytes:
    """The PDF document as bytes (what :func:`export_pdf` writes)."""
    canvas = _drawn_canvas(project, forms, progress=progress, is_cancelled=is_cancelled)
    buf = io.BytesIO()
    save_streamed(canvas, buf)
    return buf.getvalue()


def _drawn_canvas(
    project: Project,
    forms: Sequence[AnyForm],
    progress: Progress | None = None,
    is_cancelled: Cancelled | None = None,
) -> Any:
    """A reportlab canvas with every page of ``forms`` drawn, not saved yet (see :func:`save_streamed`)."""
    from reportlab.pdfgen.canvas import Canvas

    total = len(forms)
    if progress:
        progress(0, total)
    if is_cancelled and is_cancelled():
        raise ExportCancelled()
    # one pass: each form's printed layout is made once, its texts checked against the font, then drawn (the
    # layouts are not held: one form's at a time). Once a text is found the font cannot print, nothing more is
    # drawn, but every form is still checked, so that the error names all of them; nothing is written then.
    font = register_reportlab_font()
    metrics = pdf_metrics()
    from .checklist import explained_form_ids, form_numbers, with_appendix

    explained, numbers = explained_form_ids(project), form_numbers(project)
    canvas = Canvas(io.BytesIO(), pagesize=A4, initialFontName=font,  # type: ignore[arg-type]  # stubs: a font name is str
                    initialFontSize=BODY_SIZE, initialLeading=BODY_SIZE * LEADING, lang="zh-CN")
    canvas.setTitle(_document_title(project, forms))
    canvas.setAuthor("绩效表单助手")
    canvas.setSubject("预算绩效表单")
    canvas.setCreator(f"fcast-desktop {__version__}")
    from ..rules import load_profile

    profile = load_profile(project.profile)
    problems: list[tuple[str, str, set[str]]] = []
    drawer = PageDrawer(canvas, font)
    packed = 0
    for n, form in enumerate(forms):
        if is_cancelled and is_cancelled():
            raise ExportCancelled()
        pf = build_printed(form, *_rules_values(project, form, profile))
        problems += _missing_in_form(n, form, pf)
        if problems:
            continue
        pages = compose_pages(pf, metrics, n)
        for page in with_appendix(pages, project, form, metrics, n, numbers.get(id(form)), explained):  # 审核说明
            drawer.draw(page)
        packed = _pack_pages(canvas, packed)
        if progress and n + 1 < total:
            progress(n + 1, total)
    if problems:
        raise MissingCharactersError(problems)
    return canvas


def save_streamed(canvas: Any, out: BinaryIO) -> None:
    """Save ``canvas`` into the binary file ``out``: the very bytes of reportlab's ``canvas.save()``, but each
    object is written as it is formatted, instead of the whole file being joined in memory first (two copies of
    it: tens of MB for a district's forms).

    This is reportlab's ``PDFDocument.SaveToFile``/``GetPDFData``/``format`` with a collector that writes through
    (``PDFFile`` keeps the offsets for the cross-reference table; only where the bytes go differs). Streams are
    binary: ASCII85 (7-bit text) makes them 25 % larger and costs a third of saving."""
    from reportlab import rl_config
    from reportlab.pdfbase.pdfdoc import (
        PDFCrossReferenceTable,
        PDFFile,
        PDFIndirectObject,
        PDFTrailer,
    )

    doc = canvas._doc
    if getattr(doc, "_digiSigs", None) or doc.encrypt.info():
        raise RuntimeError("signed or encrypted documents are not written streamed")  # never made here
    a85 = rl_config.useA85
    rl_config.useA85 = 0
    try:
        if len(canvas._code):  # = canvas.save(): the last page
            canvas.showPage()
        if getattr(doc, "_savedToFile", False):
            raise RuntimeError("a PDF document can only be saved once")
        doc._savedToFile = True
        # GetPDFData
        for fnt in doc.delayedFonts:
            fnt.addObjects(doc)
        doc.info.invariant = doc.invariant
        doc.info.digest(doc.signature)
        doc.Reference(doc.Catalog)
        doc.Reference(doc.info)
        doc.Outlines.prepare(doc, canvas)
        if doc.Outlines.ready < 0:
            doc.Catalog.Outlines = None
        # format
        doc.encrypt.prepare(doc)
        cat, info = doc.Catalog, doc.info
        doc.Reference(cat)
        doc.Reference(info)
        collector = PDFFile(doc._pdfVersion)  # its header is in collector.strings
        for head in collector.strings:
            out.write(head)
        collector.strings = []
        collector.write = out.write  # type: ignore[method-assign, assignment]
        comments = not rl_config.invariant and rl_config.pdfComments
        numbertoid, id_to_object, id_to_offset = doc.numberToId, doc.idToObject, doc.idToOffset
        ids = []
        counter = 0
        while True:  # objects may be added while others are formatted
            counter += 1
            if counter not in numbertoid:
                break
            oid = numbertoid[counter]
            obj = id_to_object[oid]
            formatted = PDFIndirectObject(oid, obj).format(doc)
            if comments:
                collector.add(f"% {oid!a}: class {obj.__class__.__name__[:50]} \n")
            id_to_offset[oid] = collector.add(formatted)
            ids.append(oid)
        count = len(numbertoid)
        if counter - 1 != count:
            raise ValueError(f"counter {counter} doesn't match number to id dictionary {count}")
        xref = PDFCrossReferenceTable()
        xref.addsection(0, ids)
        xref_offset = collector.add(xref.format(doc))
        trailer = PDFTrailer(startxref=xref_offset, Size=count + 1, Root=doc.Reference(cat),
                             Info=doc.Reference(info), Encrypt=None, ID=doc.ID())
        collector.add(trailer.format(doc))
    finally:
        rl_config.useA85 = a85


def draw_page(canvas, page: Page, font: str, encoded: dict[str, list] | None = None) -> None:
    """One page on a reportlab canvas (see :class:`PageDrawer`; ``encoded``: a dict of texts already split into
    the font's subsets, kept for a whole document)."""
    drawer = PageDrawer(canvas, font)
    if encoded is not None:
        drawer.encoded = encoded
    drawer.draw(page)


class PageDrawer:
    """Draws pages on one reportlab canvas (y grows upwards there: flipped from the page's top-left coordinates).

    Boxes and text lines are written as PDF operators (``canvas.addLiteral``), the same operators reportlab's
    ``rect`` and ``drawString`` write, without their per-call overhead (a ``drawString`` measures the text and
    makes a text object of its own): a page holds ~100 of each, a district's export 100,000s. Numbers are
    formatted by reportlab's ``fp_str``, once per distinct value; a text is split into the font's subsets by
    the font itself (which also records the glyphs to embed), once per document — a subset code once given
    never changes — and so is the name of each subset's font resource."""

    ENCODED_LIMIT = 20_000  # texts kept split: the labels of every form, not every text of a large export

    def __init__(self, canvas, font: str):
        from reportlab.pdfbase.pdfmetrics import getFont

        self.canvas = canvas
        self.font = font
        self.face: Any = getFont(font)  # a TTFont: splitString, getSubsetInternalName (stubs: base Font only)
        self.doc = canvas._doc
        self.encoded: dict[str, list] = {}
        self.subsets: dict[int, str] = {}
        self.colors: dict[str, object] = {}
        self.moves: dict[tuple[float, float, float], str] = {}  # "Tm" operators: a layout's positions repeat
        self.outlines: dict[tuple[float, ...], str] = {}  # "re S" operators: so do its cells

    def _parts(self, text: str) -> list[tuple[int, str]]:
        """What drawString writes for ``text`` in a TrueType font: (subset, "(bytes) Tj") per run."""
        from reportlab.lib.rl_accel import escapePDF

        encoded = self.encoded
        if len(encoded) >= self.ENCODED_LIMIT:
            encoded.clear()
        parts = encoded[text] = [(sub, f"({escapePDF(chunk)}) Tj")
                                 for sub, chunk in self.face.splitString(text, self.doc)]
        return parts

    def _subset_name(self, sub: int) -> str:
        name = self.subsets[sub] = self.face.getSubsetInternalName(sub, self.doc)
        return name

    def draw(self, page: Page) -> None:
        from reportlab.lib.colors import HexColor, black
        from reportlab.pdfgen.canvas import PATH_OPS  # type: ignore[attr-defined]  # (not in the stubs)

        canvas = self.canvas
        num = _num
        h = page.height
        canvas.setPageSize((page.width, page.height))
        colors = self.colors
        fill = None
        ops: list[str] = []
        for b in page.fills:  # = canvas.setFillColor (when the colour changes), canvas.rect(stroke=0, fill=1)
            if b.fill != fill:
                if ops:
                    canvas.addLiteral("\n".join(ops))
                    ops = []
                fill = b.fill
                canvas.setFillColor(colors.get(fill) or colors.setdefault(fill, HexColor(fill)))
                paint = PATH_OPS[0, 1, canvas._fillMode]
            ops.append(f"n {num(b.x)} {num(h - b.y - b.h)} {num(b.w)} {num(b.h)} re {paint}")
        if ops:
            canvas.addLiteral("\n".join(ops))
        canvas.setFillColor(black)
        canvas.setStrokeColor(black)
        width = None
        ops = []
        outlines = self.outlines
        for b in page.boxes:
            if b.line_width != width:
                if ops:
                    canvas.addLiteral("\n".join(ops))
                    ops = []
                width = b.line_width
                canvas.setLineWidth(width)
            key = (b.x, b.y, b.w, b.h, h)
            op = outlines.get(key)
            if op is None:
                if len(outlines) >= self.ENCODED_LIMIT:
                    outlines.clear()
                op = outlines[key] = f"n {num(b.x)} {num(h - b.y - b.h)} {num(b.w)} {num(b.h)} re S"  # = rect(stroke=1)
            ops.append(op)
        if ops:
            canvas.addLiteral("\n".join(ops))
        font = self.font
        encoded, subsets, moves = self.encoded, self.subsets, self.moves
        ops = []
        size = subset = None
        for t in page.texts:
            if t.bold:
                if ops:
                    canvas.addLiteral("BT " + " ".join(ops) + " ET")
                    ops = []
                canvas.saveState()
                text = canvas.beginText()
                text.setFont(font, t.size)
                canvas.setLineWidth(t.size * 0.035)
                text.setTextRenderMode(2)  # fill, then stroke
                text.setTextOrigin(t.x, h - t.y)
                text.textOut(t.text)
                canvas.drawText(text)
                canvas.restoreState()
                size = subset = None
                continue
            parts = encoded.get(t.text)
            if parts is None:
                parts = self._parts(t.text)
            tm = moves.get((t.x, t.y, h))
            if tm is None:
                if len(moves) >= self.ENCODED_LIMIT:
                    moves.clear()
                tm = moves[(t.x, t.y, h)] = f"1 0 0 1 {num(t.x)} {num(h - t.y)} Tm"
            ops.append(tm)
            for sub, tj in parts:
                if sub != subset or t.size != size:
                    subset, size = sub, t.size
                    name = subsets.get(sub)
                    if name is None:
                        name = self._subset_name(sub)
                    ops.append(f"{name} {num(size)} Tf")
                ops.append(tj)
        if ops:
            canvas.addLiteral("BT " + " ".join(ops) + " ET")
        canvas.showPage()


def _pack_pages(canvas, start: int) -> int:
    """Compress the content of the pages drawn since page ``start`` now, as reportlab would when saving (Flate;
    ASCII85 is not used, see :func:`save_streamed`), instead of holding their text until the document is saved: the
    document then grows by ~3 kB per page, not ~30 kB. Returns the number of pages so far."""
    import zlib

    from reportlab.pdfbase.pdfdoc import PDFArray, PDFName, PDFStream

    pages = canvas._doc.Pages.pages
    for page in pages[start:]:
        stream = getattr(page, "stream", None)
        if page.Contents or not stream or not page.compression or not isinstance(stream, str):
            continue  # (reportlab makes such a page's content itself when saving)
        contents = PDFStream(content=zlib.compress(stream.encode("utf8")))
        contents.dictionary["Filter"] = PDFArray([PDFName("FlateDecode")])
        contents.__Comment__ = "page stream"  # type: ignore[attr-defined]  # read by reportlab's writer
        page.Contents = contents
        page.stream = None
    return len(pages)


@lru_cache(maxsize=65536)
def _num(value: float) -> str:
    """A number as reportlab writes it (``fp_str``); a page's coordinates repeat on every page like it."""
    from reportlab.lib.rl_accel import fp_str

    return fp_str(value)


def check_printable(forms: Sequence[AnyForm], printed: Sequence[PrintedForm] | None = None) -> None:
    """Raise :class:`MissingCharactersError` if any printed text holds a character the font lacks."""
    problems = missing_in_forms(forms, printed)
    if problems:
        raise MissingCharactersError(problems)


def missing_in_forms(
    forms: Sequence[AnyForm], printed: Sequence[PrintedForm] | None = None
) -> list[tuple[str, str, set[str]]]:
    """(form, field, characters) for every printed text holding characters the font cannot print. Cheap (no
    reportlab): the GUI may call it before starting an export."""
    if printed is None:
        printed = [build_printed(f) for f in forms]
    out: list[tuple[str, str, set[str]]] = []
    for n, (form, pf) in enumerate(zip(forms, printed, strict=False)):
        out += _missing_in_form(n, form, pf)
    return out


def _missing_in_form(n: int, form: AnyForm, pf: PrintedForm) -> list[tuple[str, str, set[str]]]:
    """(form, field, characters) for the texts of the ``n``-th form that hold characters the font cannot print;
    the field is named only for those."""
    out: list[tuple[str, str, set[str]]] = []
    texts = list(_printed_texts(pf))
    if not missing_characters("".join(text for text, _ in texts)):  # the usual case: one look at the whole form
        return out
    for text, fld in texts:
        chars = missing_characters(text)
        if chars:
            where = f"第 {n + 1} 张表（{_kind_title(form.kind)}：{form_title(form)}）"
            out.append((where, fld if isinstance(fld, str) else _field_name(pf.layout, fld), chars))
    return out


# ==================================================================================================
# computed values and field names


def _kind_title(kind: str) -> str:
    """The official title of a form kind, from its layout."""
    layout = LAYOUTS.get(kind)
    return layout.title if layout is not None else kind


def _document_title(project: Project, forms: Sequence[AnyForm]) -> str:
    if len(forms) == 1:
        return f"{_kind_title(forms[0].kind)} {form_title(forms[0])}"
    return f"{project.unit or '绩效表单'}（{len(forms)} 张表单）"


_SOURCE_ROW = re.compile(r"^(indicators|tasks)\.(\d+)\.(\w+)$")


def _field_name(layout: FormLayout, cell: PCell) -> str:
    """The field a printed cell shows, in the form's words: “项目名称”, 绩效指标第 2 行“指标值”."""
    src = cell.source
    if not src:
        return "计算值" if cell.role == "computed" else f"“{_short(cell.text)}”所在单元格"
    m = _SOURCE_ROW.match(src)
    if m:
        what, row, key = m.group(1), int(m.group(2)) + 1, m.group(3)
        if what == "indicators":
            try:
                title = layout.column(key).title.lstrip("*")
            except StopIteration:
                title = key
            return f"绩效指标第 {row} 行“{title}”"
        tasks = layout.tasks
        if tasks is None:
            return src
        title = next((c.title for c in tasks.columns if c.key == key), key)
        return f"{tasks.caption}第 {row} 行“{title}”"
    if src.startswith("funds.") and layout.funds is not None:
        funds = layout.funds
        parts = src.split(".")
        rows = {r.key: r.label for r in funds.rows}
        cols = {c.key: c.title for c in funds.columns}
        if len(parts) == 3:
            return f"{funds.title}“{rows.get(parts[1], parts[1])}／{cols.get(parts[2], parts[2])}”"
        return f"{funds.title}“{cols.get(parts[-1], parts[-1])}”"
    for spec in (*layout.header, *layout.texts):
        if spec.key == src:
            label = spec.label.replace("（{unit}）", "").replace("，{unit}", "").replace("{unit}", "")
            return f"“{label.lstrip('*')}”"
    return src


def _short(text: str, n: int = 12) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def _printed_texts(pf: PrintedForm):
    """(text, field name or the printed cell to name it from) for every printed text of ``pf``."""
    yield pf.title, "表名"
    if pf.subtitle:
        yield pf.subtitle, "副标题"
    for section in pf.sections:
        if section.caption:
            yield section.caption, "栏目名"
        for row in (*section.repeat, *section.rows, *section.trailer):
            for cell in row.cells:
                if cell.text:
                    yield cell.text, cell




__all__ = [
    "NO_LINE_END",
    "NO_LINE_START",
    "ExportCancelled",
    "MissingCharactersError",
    "PdfExportError",
    "break_lines",
    "check_printable",
    "draw_page",
    "export_pdf",
    "fit_label",
    "form_pages",
    "missing_in_forms",
    "pdf_metrics",
    "printed_forms",
    "render_pdf",
    "save_streamed",
]
