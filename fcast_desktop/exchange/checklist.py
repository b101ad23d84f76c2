"""The 上报前检查清单 as a PDF or a workbook, and the 审核说明 appendix of exported forms (issue 15, items 3 and 4).

Both are made of the printed cells of the forms (:class:`~fcast_desktop.layouts.printed.PrintedForm` with block
sections only) and go through the forms' own writers: :func:`~fcast_desktop.layouts.printed.compose_pages` and
:func:`~fcast_desktop.exchange.pdf_export.draw_page` for the PDF — the bundled font, the same line breaking,
repeated column headers, and the footer "第 N 页 共 M 页" —, and the sheet helpers of
:mod:`~fcast_desktop.exchange.xlsx_print` and :mod:`~fcast_desktop.exchange.xlsx_writer` for Excel (宋体, borders,
row heights, A4 fitted to the width, the same footer with the sheet's page count).

``export_checklist_pdf(checklist, out)`` / ``export_checklist_xlsx(checklist, out)``
    the checklist of ``rules.checklist.checklist(project)``, written atomically;
``checklist_printed(checklist) -> PrintedForm``
    its printed cells (for a preview);
``with_appendix(pages, project, form, metrics)``
    a form's PDF pages followed by its 审核说明 page(s), numbered together ("第 N 页 共 M 页" over both);
``add_explanation_sheet(wb, project, forms, styles, names)``
    the sheet 审核说明 of an Excel export (one block per form that has explanations).
"""

from __future__ import annotations

import io
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path

from ..layouts import DECLARATION
from ..layouts.printed import FOOTER_SIZE, FOOTER_Y, Page, PageText, PCell, PrintedForm, PRow, Section, TextMetrics
from ..model import AnyForm, Project
from ..rules.catalogue import RULES, SEVERITY_NAMES
from ..rules.checklist import STATUS_NAMES, Checklist, form_label, place_text, severity_name
from ..rules.explanations import Finding
from ..store.project_file import write_atomically
from .report import ExportError

TITLE = "上报前检查清单"
APPENDIX_TITLE = "审核说明"
APPENDIX_SHEET = "审核说明"

# column grids (shares of the width), their edges shared so that the sheet grid of the workbook stays small
UNITS = [40, 11, 11, 10, 14, 7, 7]  # 单位 | 表单数 | 可上报 | 错误 | 未说明的警告 | 已说明 | 提示
FORMS = [6, 34, 22, 24, 7, 7]  # 序号 | 表单 | 项目编码 | 状态 | 已说明 | 提示
FINDINGS = [30, 10, 60]  # 位置 | 级别 | 问题
EXPLAINED = [30, 35, 35]  # 位置 | 警告 | 说明
APPENDIX = [24, 42, 34]  # 位置 | 警告 | 说明


def _said(f: Finding) -> str:
    """The 说明 of an explained finding."""
    return f.explanation.text if f.explanation is not None else ""


def _section(text: str, span: int) -> PRow:
    return PRow([PCell(text, 0, span, role="section", align="left")])


def _header(*titles: str) -> PRow:
    return PRow([PCell(t, i, role="header", align="center") for i, t in enumerate(titles)])


def _numbers(values, start: int) -> list[PCell]:
    return [PCell(str(v), start + i, align="center") for i, v in enumerate(values)]


def checklist_printed(c: Checklist) -> PrintedForm:
    """The checklist as printed cells: 一、汇总 (per kind and per unit), 二、各表单状态, 三、未解决的问题 (every open
    finding, by form), 四、审核说明 (every 说明, and those no longer valid)."""
    project = c.project
    t = c.totals
    ready = sum(s.status == "ready" for s in c.forms)
    sections: list[Section] = []
    kinds = ("errors", "warnings", "explained", "hints")
    head = f"共 {len(c.forms)} 张表单：可上报 {ready} 张，{STATUS_NAMES['errors']} " \
           f"{sum(s.status == 'errors' for s in c.forms)} 张，{STATUS_NAMES['warnings']} " \
           f"{sum(s.status == 'warnings' for s in c.forms)} 张。提示是填报建议，不影响上报。"
    rows = [_section("一、汇总", 7), PRow([PCell(head, 0, 7)]),
            _header("单位", "表单数", "可上报", "错误", "未说明的警告", "已说明", "提示")]
    for unit, v in c.units.items():
        rows.append(PRow([PCell(unit, 0)] + _numbers([v["forms"], v["ready"], *(v[k] for k in kinds)], 1)))
    rows.append(PRow([PCell("合计", 0, role="total", align="center")]
                     + _numbers([len(c.forms), ready, *(t[k] for k in kinds)], 1)))
    sections.append(Section("block", rows, widths=list(UNITS)))

    code = DECLARATION.field("project_code").name
    rows = [_section("二、各表单状态", 6), _header("序号", "表单", code, "状态", "已说明", "提示")]
    for s in c.forms:
        form = project.forms[s.form]
        rows.append(PRow([PCell(str(s.form), 0, align="center"), PCell(form_label(s.form, form).split(" ", 2)[2], 1),
                          PCell(s.project_code or "—", 2, align="center"), PCell(s.status_text, 3, align="center"),
                          *_numbers([s.counts["explained"], s.counts["hints"]], 4)]))
    sections.append(Section("block", rows, widths=list(FORMS)))

    title = "三、未解决的问题（错误、未说明的警告和提示）"
    open_forms = [s for s in c.forms if s.open]
    if not open_forms:
        sections.append(Section("block", [_section(title, 3), PRow([PCell("没有未解决的问题。", 0, 3)])],
                                widths=list(FINDINGS)))
    for i, s in enumerate(open_forms):
        form = project.forms[s.form]
        rows = [_section(title, 3)] if i == 0 else []
        rows += [_section(f"{form_label(s.form, form)} · {s.status_text}", 3), _header("位置", "级别", "问题")]
        for f in s.open:
            rows.append(PRow([PCell(place_text(form, f.problem), 0), PCell(severity_name(f), 1, align="center"),
                              PCell(f.problem.message, 2)]))
        sections.append(Section("block", rows, widths=list(FINDINGS)))

    title = "四、审核说明"
    explained = [s for s in c.forms if s.explained]
    if not explained and not c.stale:
        sections.append(Section("block", [_section(title, 3), PRow([PCell("没有说明。", 0, 3)])],
                                widths=list(EXPLAINED)))
    for i, s in enumerate(explained):
        form = project.forms[s.form]
        rows = [_section(title, 3)] if i == 0 else []
        rows += [_section(form_label(s.form, form), 3), _header("位置", "警告", "说明")]
        for f in s.explained:
            rows.append(PRow([PCell(place_text(form, f.problem), 0), PCell(f.problem.message, 1),
                              PCell(_said(f), 2)]))
        sections.append(Section("block", rows, widths=list(EXPLAINED)))
    if c.stale:
        by_id = {form.id: (n, form) for n, form in enumerate(project.forms)}
        rows = [_section(title, 3)] if not explained else []
        rows += [_section("已失效的说明（所说明的值已改变或问题已消失，请重新核对）", 3),
                 _header("表单 · 位置", "规则", "说明")]
        for e in c.stale:
            entry = by_id.get(e.form_id)
            where = f"{form_label(*entry)} · {place_text(entry[1], e)}" if entry is not None else "（表单已删除）"
            rule = RULES.get(e.rule)
            rows.append(PRow([PCell(where, 0), PCell(f"规则 {rule.code}" if rule else "", 1), PCell(e.text, 2)]))
        sections.append(Section("block", rows, widths=list(EXPLAINED)))

    subtitle = project.unit + (f"（{project.year}年度）" if project.year else "")
    return PrintedForm("checklist", TITLE, subtitle, False, [100], sections, DECLARATION)


def appendix_printed(form: AnyForm, n: int, items: list[Finding]) -> PrintedForm:
    """The 审核说明 page of one form: every explained warning with its place, rule, message and 说明."""
    rows = [_header("位置", "警告", "说明")]
    for f in items:
        rows.append(PRow([PCell(place_text(form, f.problem), 0), PCell(f.problem.message, 1),
                          PCell(_said(f), 2)]))
    landscape = form.kind != "declaration"
    return PrintedForm(form.kind, APPENDIX_TITLE, form_label(n, form), landscape, [100],
                       [Section("block", rows, widths=list(APPENDIX))], DECLARATION)


def explained_findings(project: Project, form: AnyForm, explained: Collection[str] | None = None) -> list[Finding]:
    """The explained problems of ``form`` (the explanations that apply to its current values). ``explained``: the
    ids of the forms that have explanations (:func:`explained_form_ids`), when the caller asks for many forms."""
    from ..rules.checks import check_form
    from ..rules.explanations import form_findings

    if explained is None:
        explained = explained_form_ids(project)
    if form.id not in explained:
        return []
    problems = check_form(form, None, project)
    return [f for f in form_findings(project, form, problems) if f.explanation is not None]


def explained_form_ids(project: Project) -> set[str]:
    """The ids of the forms that have explanations: asked once per export, not once per form."""
    return {e.form_id for e in project.explanations}


def form_numbers(project: Project) -> dict[int, int]:
    """The number of each form in the project, by the form object's identity (the forms of an export are the
    project's own objects): looked up instead of searching the project's forms for each exported form."""
    return {id(f): i for i, f in enumerate(project.forms)}


# ---- PDF -----------------------------------------------------------------------------------------------------


def _printed_texts(pf: PrintedForm):
    yield pf.title
    yield pf.subtitle
    for section in pf.sections:
        for row in section.rows:
            for cell in row.cells:
                yield cell.text


def _check_font(pf: PrintedForm, where: str) -> None:
    from .fonts import missing_characters
    from .pdf_export import MissingCharactersError

    missing: set[str] = set()
    for text in _printed_texts(pf):
        missing |= missing_characters(text or "")
    if missing:
        raise MissingCharactersError([(where, pf.title, missing)])


def with_appendix(pages: list[Page], project: Project, form: AnyForm, metrics: TextMetrics, n: int = 0,
                  index: int | None = None, explained: Collection[str] | None = None) -> list[Page]:
    """``pages`` of ``form`` (number ``n`` in the batch; ``index``: its number in the project, for the label)
    followed by its 审核说明 page(s) when it has explanations, all numbered "第 N 页 共 M 页" together.
    ``explained``: :func:`explained_form_ids`, when the caller asks for every form of an export."""
    from ..layouts.printed import compose_pages

    items = explained_findings(project, form, explained)
    if not items:
        return pages
    number = index if index is not None else next((k for k, f in enumerate(project.forms) if f is form), n)
    pf = appendix_printed(form, number, items)
    _check_font(pf, f"第 {n + 1} 张表的审核说明")
    out = pages + compose_pages(pf, metrics, n)
    _renumber(out, metrics)
    return out


def _renumber(pages: list[Page], metrics: TextMetrics) -> None:
    """Footers counted over ``pages`` (a form and its appendix): the footer text of each page is replaced."""
    for k, page in enumerate(pages, 1):
        old = page.footer
        page.number, page.count = k, len(pages)
        for i, t in enumerate(page.texts):
            if t.text == old and abs(t.y - (page.height - FOOTER_Y)) < 0.01:
                w = metrics.width(page.footer, FOOTER_SIZE)
                page.texts[i] = PageText((page.width - w) / 2, t.y, page.footer, FOOTER_SIZE)


def checklist_pdf(c: Checklist) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    from .. import __version__
    from ..layouts.printed import A4, BODY_SIZE, LEADING, compose_pages
    from .fonts import register_reportlab_font
    from .pdf_export import draw_page, pdf_metrics

    pf = checklist_printed(c)
    _check_font(pf, TITLE)
    font = register_reportlab_font()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, initialFontName=font,  # type: ignore[arg-type]  # stubs: a font name is str
                    initialFontSize=BODY_SIZE,
                    initialLeading=BODY_SIZE * LEADING, lang="zh-CN")
    canvas.setTitle(f"{TITLE} {c.project.unit}".strip())
    canvas.setAuthor("绩效表单助手")
    canvas.setSubject(TITLE)
    canvas.setCreator(f"fcast-desktop {__version__}")
    encoded: dict[str, list] = {}
    for page in compose_pages(pf, pdf_metrics(), 0):
        draw_page(canvas, page, font, encoded)
    canvas.save()
    return buf.getvalue()


def export_checklist_pdf(c: Checklist, out: str | Path) -> Path:
    """Write the checklist as a PDF (atomically: a failed export leaves no file, an existing file unchanged)."""
    data = checklist_pdf(c)
    out = Path(out)
    write_atomically(out, data, keep_backup=False)
    return out


# ---- Excel ---------------------------------------------------------------------------------------------------


def write_printed_sheet(ws, pf: PrintedForm, styles) -> None:
    """A printed form made of block sections on a sheet, as :func:`xlsx_writer.write_form_sheet` writes the blocks
    of a form: one column grid, merged cells, wrapped text, row heights, page breaks between rows, A4 fitted to the
    width, the footer "第 &P 页 共 M 页"."""

    from ..layouts.printed import sheet_grid
    from .xlsx_cells import display_value
    from .xlsx_print import (
        BETWEEN_BLOCKS,
        BETWEEN_GROUPS,
        LABEL_ROLES,
        Slot,
        column_widths,
        fit_label_text,
        fits_one_page,
        paginate,
        row_heights,
    )
    from .xlsx_writer import FormSheet, write_plan

    grid = sheet_grid(pf)
    first = 3 if pf.subtitle else 2
    slots: list = []
    keep = set(range(1, first))
    quality: dict[int, int] = {}
    r = first
    for s, section in enumerate(pf.sections):
        for prow in section.rows:
            for c in prow.cells:
                col, span = grid.place(s, c)
                slots.append(Slot(r, replace(c, col=col, colspan=span)))
            if any(c.role in ("section", "header") for c in prow.cells):
                keep.add(r)  # a title or a column header never ends a page
            quality[r] = BETWEEN_GROUPS
            r += 1
        quality[r - 1] = BETWEEN_BLOCKS
    last = r - 1
    widths = column_widths(grid.widths, pf.landscape, slots)
    for slot in slots:
        if slot.cell.role in LABEL_ROLES:
            text, slot.shrink = fit_label_text(slot.cell, widths)
            slot.cell = replace(slot.cell, text=text)
    heights = row_heights(slots, widths, first, last) | ({1: 32.0, 2: 20.0} if pf.subtitle else {1: 32.0})
    one_page = fits_one_page(heights, widths, pf.landscape)
    breaks = [] if one_page else paginate(heights, last, keep, quality, set(), None, pf.landscape, widths)
    values = [(*display_value(slot.cell), slot.cell.role in ("header", "section", "total")) for slot in slots]
    write_plan(ws, FormSheet(pf, widths, slots, values, heights, breaks, None, one_page), styles)


def checklist_workbook(c: Checklist):
    from openpyxl import Workbook

    from .xlsx_package import set_normal_font
    from .xlsx_writer import Styles

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its first sheet
    ws.title = TITLE
    set_normal_font(wb)
    wb.properties.creator = "绩效表单助手 fcast-desktop"
    wb.properties.title = TITLE
    write_printed_sheet(ws, checklist_printed(c), Styles())
    return wb


def export_checklist_xlsx(c: Checklist, out: str | Path) -> Path:
    """Write the checklist as a workbook of one sheet (atomically)."""
    wb = checklist_workbook(c)
    buf = io.BytesIO()
    try:
        wb.save(buf)
    except (OSError, ValueError) as exc:  # pragma: no cover - openpyxl refuses a value
        raise ExportError(f"清单无法写成 Excel：{exc}") from None
    out = Path(out)
    write_atomically(out, buf.getvalue(), keep_backup=False)
    return out


def explanation_sheet_printed(project: Project, forms: Sequence[AnyForm]) -> PrintedForm | None:
    """The sheet 审核说明 of an Excel export: a block per exported form that has explanations; None without any."""
    sections: list[Section] = []
    explained = explained_form_ids(project)
    numbers: dict[int, int] | None = None
    for k, form in enumerate(forms):
        items = explained_findings(project, form, explained)
        if not items:
            continue
        if numbers is None:
            numbers = form_numbers(project)
        n = numbers.get(id(form), k)
        rows = [_section(form_label(n, form), 3), _header("位置", "警告", "说明")]
        for f in items:
            rows.append(PRow([PCell(place_text(form, f.problem), 0), PCell(f.problem.message, 1),
                              PCell(_said(f), 2)]))
        sections.append(Section("block", rows, widths=list(APPENDIX)))
    if not sections:
        return None
    return PrintedForm("explanations", APPENDIX_TITLE, project.unit, True, [100], sections, DECLARATION)


def add_explanation_sheet(wb, project: Project, forms: Sequence[AnyForm], styles, names: Sequence[str],
                          archive=None) -> bool:
    """Add the sheet 审核说明 to an export workbook when an exported form has explanations; True when added. Its
    name does not clash with the forms' sheets (``names``). With ``archive`` (the streamed export) the sheet is
    written into it at once, like the forms' sheets."""
    from .xlsx_package import archive_sheet, new_sheet

    pf = explanation_sheet_printed(project, forms)
    if pf is None:
        return False
    used = {name.casefold() for name in names}
    name, k = APPENDIX_SHEET, 1
    while name.casefold() in used:
        k += 1
        name = f"{APPENDIX_SHEET}({k})"
    ws = new_sheet(wb, name)
    write_printed_sheet(ws, pf, styles)
    if archive is not None:
        archive_sheet(wb, ws, archive)
    return True


__all__ = [
    "APPENDIX_SHEET",
    "SEVERITY_NAMES",
    "TITLE",
    "add_explanation_sheet",
    "appendix_printed",
    "checklist_pdf",
    "checklist_printed",
    "checklist_workbook",
    "explained_findings",
    "explained_form_ids",
    "export_checklist_pdf",
    "export_checklist_xlsx",
    "form_numbers",
    "with_appendix",
    "write_printed_sheet",
]
