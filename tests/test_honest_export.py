"""Exports that are honest (issue 13, finding 11): the printed 得分 is what counts in 总分, suggested scores are
marked, and forms with errors are named before they are exported."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from fcast_desktop.exchange.pdf_export import export_pdf
from fcast_desktop.exchange.xlsx_export import export_xlsx
from fcast_desktop.layouts.printed import SUGGESTED_NOTE, build_printed
from fcast_desktop.model import EvaluationIndicator, Level2, Project, SelfEvaluation
from fcast_desktop.rules.report import computed_values, score_entries

NOTE_START = "带 * 的得分为程序按规则计算的建议得分"


def evaluation(typed_second: Decimal | None = Decimal("8")) -> SelfEvaluation:
    """得分 12 typed against 分值 10 (S6: counts 10); a second row typed or left to the rules."""
    ev = SelfEvaluation(project_name="得分核对项目", year=2024, indicators=[
        EvaluationIndicator(level2=Level2.QUANTITY, name="超分值指标", target="100%", actual="100%",
                            weight=Decimal(10), score=Decimal(12)),
        EvaluationIndicator(level2=Level2.QUALITY, name="建议得分指标", target="100%", actual="100%",
                            weight=Decimal(10), score=typed_second),
    ])
    ev.funds.weight = Decimal(10)
    ev.funds.total.annual_budget = Decimal(100)
    ev.funds.total.executed = Decimal(100)
    return ev


def score_column(pf) -> tuple[list[str], str]:
    section = next(s for s in pf.sections if s.kind == "indicators")
    scores = [next(c.text for c in row.cells if c.col == 7) for row in section.rows]
    total = next(c.text for c in section.trailer[0].cells if c.col == 7)
    return scores, total


def test_printed_score_is_the_counted_one_and_the_column_adds_up():
    ev = evaluation()
    project = Project(forms=[ev])
    pf = build_printed(ev, computed_values(ev, project))
    scores, total = score_column(pf)
    assert scores == ["10", "8"]
    counted = score_entries(project)[0]
    funds = Decimal(computed_values(ev, project)["funds.score"])
    assert Decimal(total) == funds + sum(Decimal(s) for s in scores) == Decimal(str(counted["total"]))
    assert ev.indicators[0].score == Decimal(12)  # the model keeps what was typed
    assert not any(SUGGESTED_NOTE in c.text for row in pf.sections[-1].trailer for c in row.cells)


def test_suggested_score_is_marked_with_a_footnote():
    ev = evaluation(typed_second=None)
    pf = build_printed(ev, computed_values(ev, Project(forms=[ev])))
    scores, _total = score_column(pf)
    assert scores[0] == "10" and scores[1].endswith("*") and "*" not in scores[0]
    trailer_text = [c.text for row in pf.sections[-1].trailer for c in row.cells]
    assert any(NOTE_START in t for t in trailer_text)


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out


@pytest.mark.parametrize("typed", [Decimal("8"), None])
def test_pdf_prints_the_counted_score(tmp_path, typed):
    ev = evaluation(typed)
    out = tmp_path / "ev.pdf"
    export_pdf(Project(forms=[ev]), None, out)
    text = pdf_text(out)
    line = next(ln for ln in text.splitlines() if "超分值指标" in ln)
    assert "12" not in line.split("超分值指标", 1)[1] and " 10 " in line + " "
    squashed = "".join(text.split())
    if typed is None:
        suggested_line = next(ln for ln in text.splitlines() if "建议得分指标" in ln)
        assert "10*" in suggested_line.replace(" ", "")
        assert "".join(NOTE_START.split()) in squashed
        assert "总分" in squashed and "30" in squashed.split("总分", 1)[1]
    else:
        assert NOTE_START.replace(" ", "") not in squashed
        assert "28" in squashed.split("总分", 1)[1]


def test_excel_shows_the_counted_score_and_the_mark(tmp_path):
    import openpyxl

    ev = evaluation(typed_second=None)
    out = tmp_path / "ev.xlsx"
    export_xlsx(Project(forms=[ev]), [ev], out)
    ws = openpyxl.load_workbook(out).worksheets[0]
    cells = {c.coordinate: c for row in ws.iter_rows() for c in row}
    over = next(c for c in cells.values() if c.value == "超分值指标")
    suggested = next(c for c in cells.values() if c.value == "建议得分指标")
    total_label = next(c for c in cells.values() if c.value == "总分")
    score_col = [c for c in cells.values() if str(c.value).endswith("得分")][-1].column  # the indicator table's header
    assert ws.cell(over.row, score_col).value == 10
    mark = ws.cell(suggested.row, score_col)
    assert mark.value == 10 and "*" in mark.number_format  # a number, shown with the mark
    funds = next(c for c in cells.values() if c.value == "资金使用情况")
    assert funds is not None
    total = ws.cell(total_label.row, score_col).value
    assert total == 30  # 资金 10 + 10 + 10: the column adds up
    assert any(isinstance(c.value, str) and NOTE_START in c.value for c in cells.values())


@pytest.mark.parametrize("typed", [Decimal("8"), None])
def test_excel_round_trip_keeps_what_was_typed(tmp_path, typed):
    from fcast_desktop.exchange.xlsx_import import import_xlsx

    ev = evaluation(typed)
    out = tmp_path / "ev.xlsx"
    export_xlsx(Project(forms=[ev]), [ev], out)
    result = import_xlsx(out)
    assert result.notes == []
    back = result.forms[0]
    assert back.indicators[0].score == Decimal(12) and back.indicators[1].score == typed


# ---- the window names the forms with errors before it exports them ---------------------------------------


@pytest.fixture
def error_window(app, qtbot, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from fcast_desktop.gui.main_window import MainWindow
    from fcast_desktop.store.project_file import save_project

    path = tmp_path / "有错误.fcast"
    other = evaluation()
    other.project_name = "另一项目"
    save_project(Project(forms=[evaluation(), other]), path)
    w = MainWindow(interactive=False)
    qtbot.addWidget(w)
    assert w.open_path(path)
    w.show()
    yield w
    w.answers["unsaved"] = QMessageBox.StandardButton.Discard
    w.close()


@pytest.mark.gui
@pytest.mark.parametrize("kind", ["pdf", "xlsx"])
def test_export_of_forms_with_errors_asks_and_cancel_writes_nothing(error_window, tmp_path, kind):
    from PySide6.QtWidgets import QMessageBox

    w = error_window
    out = tmp_path / f"全部.{kind}"
    w.answers.update(export_scope="all", export_path=out, export_errors=QMessageBox.StandardButton.Cancel)
    w.export_dialog(kind)
    asked = dict(w.answers["_asked"])
    assert "export_errors" in asked
    text = asked["export_errors"]
    assert "有 2 张共" in text and "“得分核对项目”：" in text and "“另一项目”：" in text and "处错误" in text
    assert "export_path" not in asked  # cancelled before the file was chosen
    assert not out.exists()


@pytest.mark.gui
def test_export_anyway_writes_the_file(error_window, qtbot, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    w = error_window
    out = tmp_path / "全部.pdf"
    w.answers.update(export_scope="all", export_path=out, export_errors=QMessageBox.StandardButton.Yes)
    w.export_dialog("pdf")
    qtbot.waitUntil(out.exists, timeout=20000)


@pytest.mark.gui
def test_export_of_forms_without_errors_asks_nothing(app, qtbot, tmp_path, seed_project_file):
    from PySide6.QtWidgets import QMessageBox

    from fcast_desktop.gui.export import ExportController
    from fcast_desktop.gui.main_window import MainWindow

    w = MainWindow(interactive=False)
    qtbot.addWidget(w)
    assert w.open_path(seed_project_file)
    clean = [f for f in w.document.project.forms if w.document.findings(f.id).errors == 0]
    assert clean
    assert ExportController(w)._confirm_errors("PDF", clean)
    assert "export_errors" not in dict(w.answers.get("_asked", []))
    w.answers["unsaved"] = QMessageBox.StandardButton.Discard
    w.close()
