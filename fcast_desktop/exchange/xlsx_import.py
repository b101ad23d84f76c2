"""Import of our own Excel workbooks (written by :mod:`.xlsx_export`) back into forms.

Only workbooks with our hidden ``_fcast`` sheet (format marker and version) are read; anything else is refused
with a Chinese :class:`ImportFailed` message. Field values are read from the visible cells through the cell → model
path map stored in ``_fcast``, so corrections made in Excel are imported; what the sheet does not print (ids,
variant, 万元/元 unit, 二级指标 of each row …) comes from the stored metadata. See the docstring of
:mod:`.xlsx_export` for the design.

Safety: the zip is checked before openpyxl opens it (file size, number of members, total uncompressed size,
compression ratio: zip bombs are refused; Python's zipfile never inflates a member beyond its declared size and
checks its CRC), and openpyxl parses XML through defusedxml (refused if defusedxml is missing). A damaged part
found while reading (openpyxl parses each sheet only when it is read) refuses the file, or leaves out the one form
whose sheet it is, with a Chinese message; never a traceback.

Formula cells: openpyxl reads the value Excel saved with a formula (``data_only``). A formula without a saved value
(a workbook written by a program that does not calculate) reads as empty: it is imported as empty and noted with
its sheet and cell, never silently.
"""

from __future__ import annotations

import json
import re
import warnings
import zipfile
from collections.abc import Set as AbstractSet
from pathlib import Path

from .report import ImportFailed, ImportNote, ImportResult, NoteLevel
from .xlsx_cells import FORMAT_MARKER, FORMAT_VERSION, META_SHEET, as_read, parse_cell, resolve

MAX_FILE_BYTES = 100 * 1024 * 1024  # compressed file
MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # sum of uncompressed member sizes
MAX_RATIO = 100  # uncompressed / compressed, for members larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024

NOT_OURS = "不是本程序导出的 Excel 文件（缺少“绩效表单助手”的标记）；只能导入由本程序“导出Excel”生成的工作簿"
CORRUPT = "文件已损坏或不是 Excel 工作簿（.xlsx），无法读取"
NO_RESULT = "公式单元格没有计算结果（请在 Excel 中打开并保存后再导入），已按空白导入"
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")  # <f>, <f t="shared" …/>, <x:f>


def check_zip(path: Path) -> None:
    """Refuse what is not a zip, or a zip that would inflate to too much (zip bomb), before anything parses it."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise ImportFailed(name, "文件不存在或无法读取") from None
    if size > MAX_FILE_BYTES:
        raise ImportFailed(name, f"文件过大（{size / 1048576:.0f} MB，上限 {MAX_FILE_BYTES // 1048576} MB），拒绝读取")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, OverflowError):
        raise ImportFailed(name, CORRUPT) from None
    if len(infos) > MAX_MEMBERS:
        raise ImportFailed(name, f"压缩包内文件过多（{len(infos)} 个），疑似恶意文件，拒绝读取")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise ImportFailed(
            name,
            f"解压后过大（{total / 1048576:.0f} MB，上限 {MAX_TOTAL_BYTES // 1048576} MB），"
            "疑似“压缩炸弹”，拒绝读取",
        )
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise ImportFailed(name, f"压缩比异常（{i.filename}），疑似“压缩炸弹”，拒绝读取")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportFailed(name, CORRUPT)


def _load(path: Path):
    from openpyxl import load_workbook
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # openpyxl would parse with the unprotected standard library parser
        raise ImportFailed(str(path), "缺少 defusedxml 组件，出于安全考虑不读取 xlsx 文件；请重新安装本程序")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # read-only: streams the sheets and skips openpyxl's slow re-styling of merged cells
            return load_workbook(path, read_only=True, data_only=True, keep_links=False, keep_vba=False,
                                 rich_text=False)
    except ImportFailed:
        raise
    except Exception as exc:  # noqa: BLE001 — openpyxl raises many kinds (KeyError, ParseError, zipfile errors, …)
        if exc.__class__.__name__ in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"):
            raise ImportFailed(str(path), "文件含有不安全的 XML 内容，拒绝读取") from None
        raise ImportFailed(str(path), CORRUPT) from None


def _meta_documents(path: Path, wb) -> list[dict]:
    name = str(path)
    if META_SHEET not in wb.sheetnames:
        raise ImportFailed(name, NOT_OURS)
    rows = list(wb[META_SHEET].iter_rows(values_only=True))
    if not rows or not rows[0] or rows[0][0] != FORMAT_MARKER:
        raise ImportFailed(name, NOT_OURS)
    version = rows[0][1] if len(rows[0]) > 1 else None
    if not isinstance(version, int):
        raise ImportFailed(name, "本程序的标记工作表已损坏（缺少格式版本），无法导入")
    if version > FORMAT_VERSION:
        raise ImportFailed(
            name,
            f"此文件由较新版本的绩效表单助手导出（格式版本 {version}，本程序只支持到 {FORMAT_VERSION}），"
            "请升级本程序后再导入",
        )
    docs = []
    for n, row in enumerate(rows[1:], 2):
        if not row or row[0] is None:
            continue
        try:
            count = int(row[2])
            text = "".join(str(c) for c in row[3 : 3 + count] if c is not None)
            doc = json.loads(text)
            if not isinstance(doc, dict) or not {"base", "cells", "sheet"} <= doc.keys():
                raise ValueError
        except (TypeError, ValueError, IndexError, OverflowError, RecursionError):
            raise ImportFailed(name, f"本程序的标记工作表第 {n} 行已损坏，无法导入") from None
        docs.append(doc)
    return docs


class _Sheet:
    """The values (and number formats) of one worksheet, read once."""

    def __init__(self, ws, formulas: AbstractSet[str] = frozenset()):
        self.title = ws.title
        self.formulas = formulas  # cells holding a formula (known only when the workbook has any)
        self.cells: dict[str, tuple[object, str]] = {}
        try:
            ws.reset_dimensions()  # a dimension written by another program may be wrong: read every row
        except AttributeError:
            pass
        for row in ws.iter_rows():
            for c in row:
                if getattr(c, "coordinate", None) is not None and c.value is not None:
                    self.cells[c.coordinate] = (c.value, c.number_format)

    def value(self, ref: str):
        return self.cells.get(ref, (None, ""))[0]

    def number_format(self, ref: str) -> str:
        return self.cells.get(ref, (None, "General"))[1]


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the file holds a formula (a scan of the XML, much cheaper than a second parse)."""
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            with zf.open(info) as fh:
                tail = b""
                while chunk := fh.read(1 << 20):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-32:]
    return False


def _formula_cells(path: Path) -> dict[str, set[str]]:
    """Sheet title → coordinates of its formula cells; empty for the usual workbook without formulas."""
    if not _has_formulas(path):
        return {}
    from openpyxl import load_workbook

    found: dict[str, set[str]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(path, read_only=True, data_only=False, keep_links=False, keep_vba=False, rich_text=False)
    try:
        for ws in wb.worksheets:
            refs = found.setdefault(ws.title, set())
            for row in ws.iter_rows():
                for c in row:
                    if getattr(c, "data_type", None) == "f" or (isinstance(c.value, str) and c.value.startswith("=")):
                        refs.add(c.coordinate)
                    elif c.value is not None and type(c.value).__name__ in ("ArrayFormula", "DataTableFormula"):
                        refs.add(c.coordinate)
    finally:
        wb.close()
    return found


def _find_sheet(wb, doc: dict, claimed: set[str], sheets: dict, formulas: dict[str, set[str]]):
    """The form's sheet by name; a renamed sheet by its position when its labels still match."""
    def sheet(name: str) -> _Sheet:
        if name not in sheets:
            sheets[name] = _Sheet(wb[name], formulas.get(name, set()))
        return sheets[name]

    if doc["sheet"] in wb.sheetnames and doc["sheet"] not in claimed:
        return sheet(doc["sheet"])
    names = [n for n in wb.sheetnames if n != META_SHEET]
    index = doc.get("index")
    if isinstance(index, int) and 0 <= index < len(names) and names[index] not in claimed:
        ws = sheet(names[index])
        if _anchors_match(ws, doc):
            return ws
    return None


def _anchors_match(ws, doc: dict) -> bool:
    return not _anchor_mismatches(ws, doc)


def _anchor_mismatches(ws, doc: dict) -> list[str]:
    bad = []
    for ref, text in doc.get("anchors", []):
        value = ws.value(ref)
        if (str(value).strip() if value is not None else "") != str(as_read(text) or "").strip():
            bad.append(ref)
    return bad


def import_xlsx(path) -> ImportResult:
    """Read the forms of a workbook written by ``fcast export --xlsx`` / 导出Excel."""
    p = Path(path)
    check_zip(p)
    wb = _load(p)
    try:
        formulas = _formula_cells(p)
        return _read_forms(p, wb, formulas)
    except ImportFailed:
        raise
    except Exception:  # noqa: BLE001 - a damaged part parsed lazily: openpyxl, zipfile, zlib, expat raise many kinds
        raise ImportFailed(str(p), CORRUPT) from None
    finally:
        try:
            wb.close()
        except Exception:  # noqa: BLE001 - closing a damaged archive
            pass


def _read_forms(p: Path, wb, formulas: dict[str, set[str]] | None = None) -> ImportResult:
    from pydantic import TypeAdapter, ValidationError

    from ..model import Form

    name = str(p)
    docs = _meta_documents(p, wb)
    sheets: dict[str, _Sheet] = {}
    result = ImportResult()
    adapter = TypeAdapter(Form)
    claimed: set[str] = set()

    def note(level: NoteLevel, message: str) -> None:
        result.notes.append(ImportNote(name, None, level, message))

    for doc in docs:
        try:
            ws = _find_sheet(wb, doc, claimed, sheets, formulas or {})
        except ImportFailed:
            raise
        except Exception:  # noqa: BLE001 - the sheet's XML is damaged (parsed only now)
            note("error", f"工作表“{doc['sheet']}”已损坏，无法读取，此表单未导入")
            continue
        if ws is None:
            note("error", f"找不到工作表“{doc['sheet']}”（可能已被删除或改名），此表单未导入")
            continue
        claimed.add(ws.title)
        try:
            bad = _anchor_mismatches(ws, doc)
        except (TypeError, ValueError, KeyError, AttributeError):
            bad = ["?"]
        if bad:
            note(
                "error",
                f"工作表“{ws.title}”的结构已被改动（{', '.join(map(str, bad[:3]))} 等处的标签与导出时不同，"
                "可能插入或删除了行列），"
                "为免读错单元格，此表单未导入",
            )
            continue
        data = doc["base"]
        keep = doc.get("keep", {})
        blanks: list[str] = []
        try:
            for ref, fpath, ftype in doc["cells"]:
                value = ws.value(ref)
                if value is None and ref in ws.formulas:
                    blanks.append(ref)
                if fpath in keep and value == keep[fpath][0]:
                    orig = keep[fpath][1]
                    field_value, raw, msg = orig.get("v"), orig.get("r"), None
                else:
                    field_value, raw, msg = parse_cell(value, ftype, ws.number_format(ref))
                if msg:
                    note("warning", f"工作表“{ws.title}”单元格 {ref}：{msg}")
                owner, attr = resolve(data, fpath)
                owner[attr] = field_value
                if raw is not None:
                    owner.setdefault("raw", {})[attr] = raw
            form = adapter.validate_python(data)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError, ValidationError):
            note("error", f"工作表“{ws.title}”的内容已损坏或被改动，无法读取，此表单未导入")
            continue
        for ref in blanks:
            note("warning", f"{ws.title}!{ref}：{NO_RESULT}")
        result.forms.append(form)
    if not docs:
        note("info", "工作簿中没有表单")
    return result


__all__ = ["MAX_RATIO", "MAX_TOTAL_BYTES", "check_zip", "import_xlsx"]
