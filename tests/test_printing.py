"""打印 / 打印预览 (gui/printing.py): the very pages of the PDF export, drawn with QPainter.

Printing goes to a QPrinter in PDF mode (offscreen); both files are read back with poppler's ``pdftotext`` and
compared page by page. Qt's PDF writer names a glyph shared by several characters by any of them (the glyph of 一
also serves ⼀ U+2F00): :func:`same_text` compares glyphs."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtPrintSupport")

from PySide6.QtPrintSupport import QPrinter, QPrintPreviewWidget

from fcast_desktop.exchange.pdf_export import export_pdf
from fcast_desktop.gui import printing
from fcast_desktop.model import Declaration, DepartmentOverall, Project, SelfEvaluation

pytestmark = [pytest.mark.gui,
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")]

FOOTER = re.compile(r"第(\d+)页共(\d+)页")


def page_texts(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return [re.sub(r"\s+", "", t) for t in out.split("\f")[:-1]]


@functools.lru_cache(maxsize=1)
def glyphs() -> dict[int, str]:
    """Code point → glyph of the bundled font."""
    from fontTools.ttLib import TTFont

    from fcast_desktop.exchange.fonts import font_path

    with TTFont(str(font_path()), lazy=True) as font:
        return dict(font.getBestCmap())


def canonical(printed: str) -> str:
    """Text read from Qt's PDF. Nothing to map back any more: the bundled font has no radical or Extension A
    alias of a common character (tools/build_fonts.py ``drop_aliases``), so 页 is written as 页, not ⻚."""
    return printed


def same_text(exported: str, printed: str) -> bool:
    """The same glyphs in the same order: Qt's PDF names a glyph shared by several characters by the lowest
    (full-width punctuation such as ～ may come out as 〜); every letter of the text is the character itself."""
    cmap = glyphs()
    return len(exported) == len(printed) and all(
        a == b or cmap.get(ord(a), a) == cmap.get(ord(b), b) for a, b in zip(exported, printed, strict=True))


def test_printed_pdf_text_is_the_characters_typed(qapp, seed_project, forms, tmp_path):
    """Copy and search work in a PDF printed through Qt: no character comes out as a radical (⻚ for 页, ⼀ for
    一) or a rare alias (㬵 for 胶) — 230 did on the department form before the font dropped those aliases."""
    printed = tmp_path / "print.pdf"
    print_to_pdf(seed_project, forms["department"], printed)
    text = "".join(page_texts(printed))
    aliases = sorted({ch for ch in text if 0x2E80 <= ord(ch) <= 0x2FDF or 0x3400 <= ord(ch) <= 0x4DBF})
    assert not aliases, aliases
    assert "部门" in text and "页" in text and "一级指标" in text


def print_to_pdf(project, form, out: Path) -> int:
    """What 打印 does once the dialog is accepted, with a PDF file as the printer; returns the page count."""
    pages = printing.pages_for(project, form)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printing.prepare_printer(printer, pages)
    printing.paint_pages(printer, pages)
    return len(pages)


def pick(project, kind, prefix=""):
    return next(f for f in project.forms if isinstance(f, kind) and getattr(f, "project_code", "").startswith(prefix))


@pytest.fixture(scope="module")
def forms(seed_project):
    """A 福田 and a 宝安 declaration, the longest self-evaluation and the department form."""
    evaluations = [f for f in seed_project.forms if isinstance(f, SelfEvaluation)]
    return {
        "futian": pick(seed_project, Declaration, "440304"),
        "baoan": pick(seed_project, Declaration, "440306"),
        "evaluation": max(evaluations, key=lambda f: len(f.indicators)),
        "department": pick(seed_project, DepartmentOverall),
    }


@pytest.mark.parametrize("which", ["futian", "baoan", "evaluation", "department"])
def test_printing_gives_the_pages_of_the_pdf_export(qapp, seed_project, forms, which, tmp_path):
    form = forms[which]
    exported, printed = tmp_path / "export.pdf", tmp_path / "print.pdf"
    export_pdf(seed_project, [form], exported)
    count = print_to_pdf(seed_project, form, printed)
    a, b = page_texts(exported), page_texts(printed)
    assert len(a) == len(b) == count
    for n, (x, y) in enumerate(zip(a, b, strict=True), 1):
        assert FOOTER.search(canonical(y)).groups() == (str(n), str(count))  # 第 N 页 共 M 页, not "1"
        assert same_text(x, y), (which, n, x[:80], y[:80])
    if which in ("evaluation", "department"):
        assert count >= 2
        for page in map(canonical, b[1:]):  # the column header and the caption column are on every page
            assert "一级指标" in page and "二级指标" in page and "年度绩效指标" in page


def test_printed_pages_are_the_size_and_orientation_of_the_form(qapp, seed_project, forms, tmp_path):
    for which, landscape in (("futian", False), ("department", True)):
        out = tmp_path / f"{which}.pdf"
        print_to_pdf(seed_project, forms[which], out)
        info = subprocess.run(["pdfinfo", str(out)], check=True, capture_output=True, text=True).stdout
        w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
        assert (round(min(w, h)), round(max(w, h))) == (595, 842)
        assert (w > h) == landscape


def test_stars_are_printed_by_the_district_of_the_form(qapp, seed_project, forms, tmp_path):
    print_to_pdf(seed_project, forms["futian"], tmp_path / "f.pdf")
    print_to_pdf(seed_project, forms["baoan"], tmp_path / "b.pdf")
    assert "*数量" in canonical("".join(page_texts(tmp_path / "f.pdf")))
    baoan = canonical("".join(page_texts(tmp_path / "b.pdf")))
    assert "数量" in baoan and not re.search(r"\*(数量|质量|时效|成本|社会效益|服务对象)", baoan)


def test_print_preview_shows_the_pages(qtbot, seed_project, forms):
    form = forms["department"]
    dialog = printing.preview_dialog(None, seed_project, form)
    qtbot.addWidget(dialog)
    dialog.show()
    widget = dialog.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: widget.pageCount() > 0, timeout=5000)
    assert widget.pageCount() == len(printing.pages_for(seed_project, form)) == 3
    assert dialog.windowTitle() == "打印预览"
    dialog.close()


def test_print_form_prints_once_the_dialog_is_accepted(qapp, seed_project, forms, tmp_path, monkeypatch):
    out = tmp_path / "printed.pdf"

    class PdfPrinter(QPrinter):
        def __init__(self, mode):
            super().__init__(mode)
            self.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            self.setOutputFileName(str(out))

    class Accepted:
        def __init__(self, printer, parent):
            self.printer = printer

        def exec(self):
            return 1

    monkeypatch.setattr(printing, "QPrinter", PdfPrinter)
    monkeypatch.setattr(printing, "QPrintDialog", Accepted)
    printing.print_form(None, seed_project, forms["evaluation"])
    texts = [canonical(t) for t in page_texts(out)]
    assert len(texts) == len(printing.pages_for(seed_project, forms["evaluation"]))
    assert "项目支出绩效自评表" in texts[0] and "总分" in texts[-1]


def test_characters_the_font_lacks_are_refused_with_a_message(qapp, monkeypatch):
    form = Declaration(project_name="𠀾城区改造项目", project_code="440304221061500000999")
    messages = []
    monkeypatch.setattr(printing, "_refuse", lambda parent, exc: messages.append(str(exc)))
    printing.preview_form(None, Project(forms=[form]), form)
    printing.print_form(None, Project(forms=[form]), form)
    assert len(messages) == 2 and all("𠀾" in m and "项目名称" in m for m in messages)
