"""One entry point for every kind of source a user can import."""

from __future__ import annotations

from pathlib import Path

from .published_text import TITLES, looks_tabular, no_title_message, parse_published_text, read_text_file
from .report import ImportFailed, ImportResult


def import_file(path: str | Path) -> ImportResult:
    """Read the forms in ``path``: published text (tab-separated or PDF text) or our own ``.xlsx``."""
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        from .xlsx_import import import_xlsx  # lazy: openpyxl is slow to import

        return import_xlsx(p)
    if p.suffix.lower() in (".xls", ".doc", ".docx", ".pdf", ".fcast"):
        raise ImportFailed(str(p), f"不支持导入 {p.suffix} 文件：请导入公开表格的文本（.txt）或本程序导出的 .xlsx")
    text = read_text_file(p)
    if not any(title in text for title in TITLES):
        raise ImportFailed(str(p), no_title_message())
    if looks_tabular(text):
        return parse_published_text(text, str(p))
    from .pdf_text import parse_pdf_text

    return parse_pdf_text(text, str(p))
