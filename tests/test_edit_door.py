"""Issue 12: one edit door. ``model.editing.apply`` makes every write to a form (typing, paste, delete, rows) and
returns its exact undo; ``model.fields`` is the one place that knows what a path is, its kind, its unit and its name;
``model.completion`` holds the domain completions (a task's 总额, the 不适用 row, new rows' place), usable without Qt;
and in the GUI the header fields, the table models and the table view all write through ``ProjectDocument.edit``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fcast_desktop.layouts import layout_for
from fcast_desktop.model import Declaration, DepartmentOverall, SelfEvaluation, Task
from fcast_desktop.model.completion import (
    complete,
    insert_position,
    inserted_rows,
    is_not_applicable_row,
    not_applicable_rows,
)
from fcast_desktop.model.editing import ReplaceRows, Restore, SetText, apply, get_text, snapshot
from fcast_desktop.model.fields import FUND_ROWS, money_unit, path_name, path_of, place_name, place_of, value_kind

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "sample.fcast"


def _sample():
    from fcast_desktop.store.project_file import load_project

    return load_project(SAMPLE)


# ---- apply ---------------------------------------------------------------------------------------------------

def test_apply_returns_the_exact_undo_of_values_raw_texts_and_review_marks():
    form = Declaration(amount_unit="万元", total_amount=Decimal("120000.00"), review=["total_amount"])
    before = form.model_dump()
    undo = apply(form, [SetText(("total_amount",), "十二万"), SetText(("project_name",), "新名称"),
                        SetText(("year",), "2025年")])
    assert form.raw == {"total_amount": "十二万"} and form.total_amount is None
    assert form.review == []  # the user touched the amount: its review mark goes
    assert form.project_name == "新名称" and form.year == 2025
    assert all(isinstance(c, Restore) for c in undo)
    redo = apply(form, undo)
    assert form.model_dump() == before
    apply(form, redo)
    assert form.raw == {"total_amount": "十二万"} and form.project_name == "新名称"


def test_apply_replaces_rows_in_place_and_undoes_them():
    form = _sample().forms[0]
    rows = form.indicators
    before = [r.model_dump() for r in rows]
    level2 = rows[0].level2
    position = insert_position(form, level2)
    undo = apply(form, [ReplaceRows("indicators", inserted_rows(form, level2, position, 2)),
                        SetText(("indicators", position, "name"), "新指标")])
    assert form.indicators is rows  # the form keeps its list object
    assert len(rows) == len(before) + 2 and rows[position].name == "新指标" and rows[position].level2 == level2
    apply(form, undo)
    assert [r.model_dump() for r in form.indicators] == before


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30), st.sampled_from([("total_amount",), ("annual_amount",), ("year",),
                                              ("project_name",), ("duration_years",)]))
def test_apply_keeps_every_text_and_undo_restores_the_form(text, path):
    form = Declaration(amount_unit="元", total_amount=Decimal("1.50"), year=2024, project_name="原名")
    before = form.model_dump()
    state = snapshot(form, path)
    undo = apply(form, [SetText(path, text)])
    # nothing typed is lost: a text field keeps it, a typed field a value or the text as typed (raw)
    assert not text.strip() or get_text(form, path) == text or form.raw.get(path[0]) == text or (
        get_text(form, path) != "" and path[0] not in form.raw)
    apply(form, undo)
    assert snapshot(form, path) == state and form.model_dump() == before


# ---- completions ---------------------------------------------------------------------------------------------

def test_task_total_follows_its_parts_unless_the_user_typed_one():
    form = DepartmentOverall(tasks=[Task(), Task(total=Decimal("99.00"), appropriation=Decimal("1.00"))])
    changes = complete(form, [SetText(("tasks", 0, "appropriation"), "100"), SetText(("tasks", 1, "other"), "5")])
    assert SetText(("tasks", 0, "total"), "100.00") in changes
    assert not any(c.path == ("tasks", 1, "total") for c in changes)  # 99 is the user's own 总额
    apply(form, changes)
    assert form.tasks[0].total == Decimal("100.00")
    assert complete(form, [SetText(("tasks", 0, "other"), "abc")]) == [SetText(("tasks", 0, "other"), "abc")]
    assert complete(form, [SetText(("tasks", 0, "other"), "50")])[-1] == SetText(("tasks", 0, "total"), "150.00")
    assert complete(Declaration(), [SetText(("year",), "2024")]) == [SetText(("year",), "2024")]


def test_not_applicable_rows_replace_a_level2_with_one_row_and_name_what_is_lost():
    form = next(f for f in _sample().forms if isinstance(f, SelfEvaluation) and len(f.indicators) > 3)
    level2 = form.indicators[1].level2
    had = [r for r in form.indicators if r.level2 == level2]
    rows, filled = not_applicable_rows(form, level2)
    mine = [r for r in rows if r.level2 == level2]
    assert len(mine) == 1 and is_not_applicable_row(mine[0])
    assert (mine[0].name, mine[0].target, mine[0].actual, mine[0].weight, mine[0].score) == (
        "不适用", "不适用", "无", 0, 0)
    assert filled == [r for r in had if not is_not_applicable_row(r)]
    assert len(rows) == len(form.indicators) - len(had) + 1
    # an empty 二级指标: its 不适用 row goes where the group belongs
    empty = level2
    form.indicators = [r for r in form.indicators if r.level2 != empty]
    rows, filled = not_applicable_rows(form, empty)
    assert filled == [] and rows[insert_position(form, empty)].level2 == empty and len(rows) == len(
        form.indicators) + 1


# ---- field semantics -----------------------------------------------------------------------------------------

def test_paths_and_problem_places_convert_both_ways():
    for path in [("indicators", 3, "target"), ("tasks", 0, "total"), ("funds", "weight"),
                 *(("funds", row, "executed") for row in FUND_ROWS)]:
        assert path_of(place_of(path)) == path
    assert place_of(("year",)) == ("year", None, None) and path_of(("year", None, None)) == ("year",)
    assert path_of(("funds", 0, "execution_rate")) is None  # computed: no stored value
    assert path_of(("indicators", None, "output_quantity")) is None


def test_kind_unit_and_the_users_names_for_places():
    declaration = Declaration(amount_unit="万元")
    assert value_kind(declaration, "total_amount") == "money"
    assert money_unit(declaration, ("total_amount",)) == "万元"
    evaluation = SelfEvaluation()
    assert value_kind(evaluation.funds, "weight") == "score" and value_kind(evaluation, "year") == "int"
    assert money_unit(evaluation, ("funds", "total", "executed")) == "元"
    se, dept = layout_for("self_evaluation"), layout_for("department_overall")
    assert place_name(se, "funds", 1, "全年执行数") == "资金使用情况 · 当年财政拨款 · 全年执行数"
    assert place_name(dept, "tasks", 1, "总额") == "年度主要任务 第 2 行 · 总额"
    assert place_name(se, "indicators", 4, "*实际完成值", {4: 6}) == "指标 第 7 行 · 实际完成值"
    assert place_name(se, "project_name", None, "项目名称") == "项目名称"
    assert path_name(layout_for(declaration), declaration, ("total_amount",)) == "项目总金额（中期规划）"
    assert path_name(se, evaluation, ("funds", "total", "executed")) == "全年执行数"
    assert path_name(dept, DepartmentOverall(), ("tasks", 0, "appropriation")) == "财政拨款"


# ---- the GUI writes through the door -------------------------------------------------------------------------

pytest.importorskip("PySide6.QtWidgets")


@pytest.fixture
def window(app, qtbot, tmp_path):
    import shutil

    from windows import close_window, open_window

    path = tmp_path / "p.fcast"
    shutil.copy(SAMPLE, path)
    w = open_window(qtbot, path)
    yield w
    close_window(w)


@pytest.mark.gui
def test_header_grid_table_view_and_row_buttons_all_write_through_the_door(window, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from fcast_desktop.gui import commands
    from fcast_desktop.gui.document import ProjectDocument

    doors: list[tuple] = []
    inside = [0]
    edit = ProjectDocument.edit

    def counted(self, form_id, changes, *a, **kw):
        doors.append(tuple(type(c).__name__ for c in changes))
        inside[0] += 1
        try:
            return edit(self, form_id, changes, *a, **kw)
        finally:
            inside[0] -= 1

    monkeypatch.setattr(ProjectDocument, "edit", counted)
    built: list[tuple[str, bool]] = []  # each command a view builds, and whether the door built it

    def recording(name, cls):
        def init(self, *a, **kw):
            built.append((name, inside[0] > 0))
            cls.__init__(self, *a, **kw)
        return type(name, (cls,), {"__init__": init})

    monkeypatch.setattr(commands, "EditCommand", recording("EditCommand", commands.EditCommand))
    doc = window.document
    evaluation = next(f for f in doc.project.forms if isinstance(f, SelfEvaluation))
    window.select_form(evaluation.id)
    editor = window.editor
    stack = doc.undo_stack
    # typing into a header field
    field = editor.fields["project_name"]
    field.widget.setText(field.widget.text() + "甲")
    field.widget.textEdited.emit(field.widget.text())
    assert doors[-1] == ("SetText",) and evaluation.project_name.endswith("甲")
    # a grid cell
    model = editor.indicator_model
    col = next(i for i, c in enumerate(model.columns()) if c.key == "actual")
    assert model.setData(model.index(0, col), "95%")
    assert doors[-1] == ("SetText",) and evaluation.indicators[model.grid_row(0).index].actual == "95%"
    # Delete and paste in the table view
    grid = editor.grid
    grid.setCurrentIndex(model.index(0, col))
    grid.clear_selection()
    assert doors[-1] == ("SetText",) and evaluation.indicators[model.grid_row(0).index].actual == ""
    QApplication.clipboard().setText("90%\n80%")
    grid.paste()
    assert doors[-1] in (("SetText", "SetText"), ("ReplaceRows", "SetText", "SetText"))  # rows added as needed
    # a row inserted from the grid's menu
    count = len(evaluation.indicators)
    grid.insert_indicator_row()
    assert doors[-1] == ("ReplaceRows",) and len(evaluation.indicators) == count + 1
    # the department form's tasks: 添加任务 and a 财政拨款 that completes the 总额 in the same step
    dept = next(f for f in doc.project.forms if isinstance(f, DepartmentOverall))
    window.select_form(dept.id)
    window.editor.add_task()
    assert doors[-1] == ("ReplaceRows",)
    tasks = window.editor.tasks_view.model()
    row = len(dept.tasks) - 1
    appropriation = next(i for i, c in enumerate(tasks.columns()) if c.key == "appropriation")
    depth = stack.index()
    assert tasks.setData(tasks.index(row, appropriation), "1200")
    assert dept.tasks[row].total == Decimal("1200.00") and stack.index() == depth + 1
    stack.undo()
    assert dept.tasks[row].total is None and dept.tasks[row].appropriation is None
    assert len(doors) == 7
    assert len(built) >= len(doors) and all(by_door for _name, by_door in built), built


@pytest.mark.gui
def test_one_edit_command_per_edit_cells_showing_their_text_left_alone_and_no_step_for_nothing(window):
    from fcast_desktop.gui import commands

    doc = window.document
    stack = doc.undo_stack
    form = next(f for f in doc.project.forms if isinstance(f, Declaration) and f.annual_amount is not None)
    form.review = ["annual_amount"]  # as 新年度申报 marks an amount kept from last year
    shown = get_text(form, ("annual_amount",))
    depth = stack.index()
    # nothing changes: no undo step, the mark stays
    assert doc.edit(form.id, [SetText(("annual_amount",), shown)], "粘贴") == 0 and stack.index() == depth
    # a paste: the cell already showing its text is left as it is (its review mark too), the other one written
    written = doc.edit(form.id, [SetText(("annual_amount",), shown), SetText(("project_name",), "新名")], "粘贴")
    assert written == 1 and stack.index() == depth + 1 and stack.undoText() == "粘贴"
    top = stack.command(stack.index() - 1)
    assert isinstance(top, commands.EditCommand) and form.project_name == "新名" and form.review == ["annual_amount"]
    # rows and values in one step, one command
    rows = [*form.indicators, form.indicators[0].model_copy(update={"name": "新指标"})]
    doc.edit(form.id, [ReplaceRows("indicators", rows), SetText(("indicators", len(rows) - 1, "target"), "≥1次")],
             "粘贴")
    assert stack.index() == depth + 2 and isinstance(stack.command(stack.index() - 1), commands.EditCommand)
    assert form.indicators[-1].name == "新指标" and form.indicators[-1].target == "≥1次"
    stack.undo()
    assert len(form.indicators) == len(rows) - 1
    stack.undo()
    assert form.project_name != "新名"


# ---- no other writer ------------------------------------------------------------------------------------------

_WRITERS = {"set_text", "restore", "setattr", "_set_text_kept", "safe_set_text"}  # they write a form's values
_MUTATORS = {"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "sort", "reverse"}
# what an undo command may assign besides its own attributes: the project's form list and its 说明 (not values)
_PROJECT_LISTS = {"self.document.project.forms", "self.document.project.explanations"}


def _dotted(node) -> str:
    import ast

    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Subscript):
        return f"{_dotted(node.value)}[]"
    if isinstance(node, ast.Call):
        return f"{_dotted(node.func)}()"
    return "?"


def undo_commands_writing_forms(sources: dict[str, str]) -> list[str]:
    """Every place in ``sources`` (file name → Python source) where a QUndoCommand subclass (direct or through
    other classes of the sources) could write a form's values other than by ``editing.apply``: a call of a value
    writer (set_text, restore, setattr), another ``apply``, an assignment to anything but the command's own
    attributes or the project's form list, a mutating call on something not local to the method. Also any module
    of the sources importing ``set_text`` or ``restore`` from ``model.editing``."""
    import ast

    trees = {name: ast.parse(text) for name, text in sources.items()}
    classes = {node.name: (name, node) for name, tree in trees.items() for node in tree.body
               if isinstance(node, ast.ClassDef)}

    def is_command(name: str, seen: frozenset = frozenset()) -> bool:
        if name == "QUndoCommand":
            return True
        if name not in classes or name in seen:
            return False
        return any(is_command(_dotted(b).rsplit(".", 1)[-1], seen | {name}) for b in classes[name][1].bases)

    found = []
    for name, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("model.editing"):
                found += [f"{name}: imports {a.name}" for a in node.names if a.name in _WRITERS]
    commands = [c for c in classes if c != "QUndoCommand" and is_command(c)]
    for cname in commands:
        file, cls = classes[cname]
        for fn in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
            local = {a.arg for a in fn.args.args} - {"self"}
            local |= {t.id for n in ast.walk(fn) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.For))
                      for t in ast.walk(n.target if not isinstance(n, ast.Assign) else n.targets[0])
                      if isinstance(t, ast.Name)}
            where = f"{file}: {cname}.{fn.name}"
            for node in ast.walk(fn):
                if isinstance(node, ast.Call):
                    called = _dotted(node.func)
                    last = called.rsplit(".", 1)[-1]
                    if last in _WRITERS:
                        found.append(f"{where} calls {called}")
                    elif last == "apply" and called != "editing.apply":
                        found.append(f"{where} calls {called}")
                    elif last in _MUTATORS and isinstance(node.func, ast.Attribute):
                        receiver = _dotted(node.func.value)
                        if receiver.split(".")[0].split("[")[0] not in local:
                            found.append(f"{where} calls {called}")
                targets = node.targets if isinstance(node, ast.Assign) else \
                    [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
                for target in targets:
                    for t in (target.elts if isinstance(target, ast.Tuple) else [target]):
                        text = _dotted(t)
                        own = isinstance(t, ast.Attribute) and text.count(".") == 1 and text.startswith("self.")
                        if isinstance(t, ast.Name) or own or text in _PROJECT_LISTS:
                            continue
                        if text.split(".")[0].split("[")[0] in local and "." not in text:
                            continue  # a local list or dict of the method
                        found.append(f"{where} assigns {text}")
    return found


def test_no_undo_command_of_the_gui_writes_form_values_but_through_editing_apply():
    gui = ROOT / "fcast_desktop" / "gui"
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(gui.glob("*.py"))}
    assert "commands.py" in sources
    assert undo_commands_writing_forms(sources) == []
    # the check sees what it must refuse: a command writing a value itself, in any of the ways it looks for
    bad = """
from PySide6.QtGui import QUndoCommand
from ..model.editing import set_text
class Base(QUndoCommand):
    pass
class Unit(Base):
    def redo(self):
        form = self.form
        form.amount_unit = "元"
        self.form.indicators.append(1)
        set_text(self.form, ("year",), "2024")
        setattr(form, "year", 2024)
        form.raw["year"] = "x"
        other.apply(form, [])
"""
    assert len(undo_commands_writing_forms({"bad.py": bad})) == 7
    good = """
from PySide6.QtGui import QUndoCommand
class Edit(QUndoCommand):
    def redo(self):
        undo = []
        undo[:0] = editing.apply(self.form, self.changes)
        self.undo_changes = undo
        self.document.project.forms = list(self.forms)
"""
    assert undo_commands_writing_forms({"good.py": good}) == []
