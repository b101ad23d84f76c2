"""Commands on whole forms: new, duplicate, delete, 由申报表生成自评表 (or update it), 新年度申报: each one undo
step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from .window_base import WindowBase

if TYPE_CHECKING:
    from collections.abc import Callable
    from decimal import Decimal

    from ..model import AnyForm, Declaration, SelfEvaluation


def _namer(form: AnyForm) -> Callable[[tuple], str]:
    """How the window's messages name a place of ``form``: a field or a block's column by its layout's label, an
    indicator column (``("indicators", key)``) by its short word (偏差原因)."""
    from ..layouts import layout_for
    from ..model.fields import path_name

    layout = layout_for(form)

    def name(path: tuple) -> str:
        if path[0] == "indicators":
            return layout.column(path[-1]).word
        return path_name(layout, form, path)

    return name


def _initial_budget() -> str:
    """年初预算数, as the self-evaluation's 资金使用情况 titles it."""
    from ..layouts import SELF_EVALUATION

    funds = SELF_EVALUATION.funds
    assert funds is not None  # the self-evaluation has the block
    return funds.column("initial_budget").title


class FormCommandsMixin(WindowBase):
    def _push_forms(self, forms: list[AnyForm], text: str, select: str | None) -> None:
        """One undo step; the command shows ``select`` now and on redo, and on undo the form shown before (or the
        form the change removed: undoing 删除表单 shows the restored form)."""
        from . import commands

        self.document.undo_stack.push(
            commands.FormListCommand(self.document, forms, text, select=select, previous=self.current_form_id()))

    def new_form(self, kind: str) -> None:
        from ..layouts import layout_for
        from ..model.derive import blank_form

        self.commit_pending_edit()
        form = blank_form(kind, self.document.project)
        self._push_forms(self.document.project.forms + [form], f"新建{layout_for(kind).title}", form.id)
        if self.editor is not None and self.editor.fields:  # start typing in the first field of the new form
            next(iter(self.editor.fields.values())).widget.setFocus()

    def duplicate_form(self) -> None:
        self.commit_pending_edit()
        form = self.document.form(self.current_form_id() or "")
        if form is None:
            return
        from ..model.derive import duplicate

        copy = duplicate(form)
        forms = list(self.document.project.forms)
        forms.insert(forms.index(form) + 1, copy)
        self._push_forms(forms, "复制表单", copy.id)

    def delete_form(self) -> None:
        from ..model import form_title

        self.commit_pending_edit()
        form_id = self.current_form_id()
        if not form_id:
            return
        forms = [f for f in self.document.project.forms if f.id != form_id]
        old = self.document.project.forms
        position = self.document.index_of(form_id)
        same_kind = [f for f in old[position + 1:] + old[:position][::-1] if f.kind == old[position].kind]
        neighbour = same_kind[0].id if same_kind else (forms[0].id if forms else None)
        self._push_forms(forms, f"删除表单“{form_title(old[position])}”", neighbour)
        self.statusbar.showMessage("已删除表单（可按 Ctrl+Z 撤销）", 5000)

    def evaluation_from_declaration(self) -> None:
        """由申报表生成自评表: 绩效自评年度 from the declaration (its 年度, else its 时效 targets). When the project
        already has the self-evaluation of that project and year, offer to update it — 三级指标 and 指标值 refreshed,
        the user's 实际完成值, 分值, 得分 and 偏差原因 kept — instead of making a duplicate. One undo step."""
        from ..layouts import DECLARATION, SELF_EVALUATION, level2_name
        from ..model import Declaration
        from ..model.derive import evaluation_from_declaration
        from ..model.evaluation_update import declaration_year, existing_evaluation
        from ..model.skeleton import Level2

        self.commit_pending_edit()
        form = self.document.form(self.current_form_id() or "")
        if not isinstance(form, Declaration):
            self.inform("由申报表生成自评表", f"请先在左侧选择一张{DECLARATION.title}。")
            return
        year = declaration_year(form)
        existing = existing_evaluation(self.document.project, form, year)
        if existing is not None:
            self._update_evaluation(form, existing, year)
            return
        fix = self._unit_trap_fix(form)
        if isinstance(fix, bool):  # False: cancelled
            return
        # the corrected 年初预算数 goes in with the new form: one undo step
        evaluation = evaluation_from_declaration(form, evaluation_year=year, initial_budget=fix)
        initial = _initial_budget()
        text = "由申报表生成自评表" + (f"（{initial}已改正单位）" if fix is not None else "")
        self._push_forms(self.document.project.forms + [evaluation], text, evaluation.id)
        if fix is not None:
            self.statusbar.showMessage(f"已生成自评表，{initial}按 {fix:,.2f} 元填写；申报表的"
                                       f"{DECLARATION.field('annual_amount').word}仍需改正", 10000)
        elif year is None:
            self.statusbar.showMessage(f"已生成自评表；申报表的{level2_name(Level2.TIMELINESS)}没有写年份，请填写"
                                       f"{SELF_EVALUATION.field('year').word}", 10000)
        else:
            self.statusbar.showMessage(f"已生成 {year} 年度的绩效自评表", 6000)
        if self.editor is not None and hasattr(self.editor, "funds_view"):  # show the copied amount
            from .table_models import FundsTableModel

            view = self.editor.funds_view
            model = view.model()
            if isinstance(model, FundsTableModel):
                col = next(i for i, c in enumerate(model.columns()) if c.key == "initial_budget")
                view.setCurrentIndex(model.index(0, col))

    def _update_evaluation(self, declaration: Declaration, evaluation: SelfEvaluation, year: int | None) -> None:
        from PySide6.QtWidgets import QMessageBox

        from ..model import form_title
        from ..model.editing import ReplaceRows, SetText, get_text
        from ..model.evaluation_update import KEPT_COLUMNS, update_evaluation

        name = _namer(evaluation)
        button = QMessageBox.StandardButton
        year_text = f"{year} 年度" if year is not None else "未填年度"
        refreshed = "和".join(name(("indicators", key)) for key in ("name", "target"))
        kept = "、".join(name(path) for path in KEPT_COLUMNS)
        filled = "、".join(name(path) for path in (("expected_goal",), ("funds", "total", "initial_budget")))
        answer = self.ask(
            "evaluation_update", "由申报表生成自评表",
            f"项目“{form_title(declaration)}”已有{year_text}的绩效自评表。\n\n"
            "按申报表更新这张自评表，而不是再生成一张重复的？",
            button.Yes | button.Cancel, button.Yes,
            labels={button.Yes: "更新自评表(&U)", button.Cancel: "取消(&C)"},
            details=f"更新：{refreshed}按申报表刷新，申报表新增的指标行加入；已填写的{kept}全部保留；"
                    f"表头中空着的项目（如{filled}）按申报表补填，已填写的不改。可按 Ctrl+Z 撤销。")
        if answer != button.Yes:
            return
        fix = None
        funds = evaluation.funds
        if funds.total.initial_budget is None or funds.appropriation.initial_budget is None:
            trap_fix = self._unit_trap_fix(declaration)  # the amount is about to be copied
            if isinstance(trap_fix, bool):  # False: cancelled
                return
            fix = trap_fix
        update = update_evaluation(evaluation, declaration, year, initial_budget=fix)
        new = update.form
        paths = [("project_code",), ("project_name",), ("year",), ("implementing_unit",), ("budget_unit",),
                 ("expected_goal",), ("declaration_id",), ("funds", "total", "initial_budget"),
                 ("funds", "appropriation", "initial_budget")]
        changes = [SetText(path, get_text(new, path, grouping=False)) for path in paths
                   if get_text(new, path) != get_text(evaluation, path)]
        self.document.edit(evaluation.id, [ReplaceRows("indicators", new.indicators), *changes], "由申报表更新自评表")
        self.select_form(evaluation.id)
        message = "已按申报表更新自评表：" + update.summary(name)
        if update.kept_goal:
            message += (f"；{name(('expected_goal',))}与申报表的{_namer(declaration)(('annual_goal',))}不同，"
                        "保留自评表中的文字")
        self.statusbar.showMessage(message + "（可按 Ctrl+Z 撤销）", 15000)

    def _unit_trap_fix(self, declaration: Declaration) -> Decimal | Literal[False] | None:
        """Before 由申报表生成自评表 copies 本年度项目金额 into 年初预算数: when the declaration's amount carries the N3
        warning (money.unit_trap / money.unit_magnitude: about 10,000 times off), say so at once — the warning
        would otherwise drown among the new form's empty cells — with the probable fix, and offer to copy the
        corrected amount. Returns the corrected amount (元), None to copy the amount as it is, False to cancel."""
        from ..model import form_title
        from ..rules import form_profile, unit_trap

        amount = declaration.annual_amount
        if amount is None:
            return None
        trap = unit_trap(declaration, form_profile(declaration, self.document.profile))
        if trap is None:
            return None
        warning = next((p for p in self.document.findings(declaration.id).problems
                        if p.rule in ("money.unit_trap", "money.unit_magnitude")), None)
        fixed = trap.fixed
        from PySide6.QtWidgets import QMessageBox

        from ..layouts import DECLARATION, SELF_EVALUATION

        initial, annual = _initial_budget(), DECLARATION.field("annual_amount").word
        funds = SELF_EVALUATION.funds
        rows = "、".join(funds.row(key).word for key in ("total", "appropriation")) if funds is not None else ""
        button = QMessageBox.StandardButton
        text = (f"申报表“{form_title(declaration)}”的{annual}很可能有单位错误，"
                f"自评表的{initial}会照抄这个金额：{amount:,.2f} 元。\n\n"
                f"申报表的提示（N3）：{warning.message if warning else ''}\n\n"
                f"若确属单位错误，{initial}应为 {fixed:,.2f} 元。")
        details = (f"改正：自评表的{initial}（{rows}）填 {fixed:,.2f} 元，与生成自评表是同一个"
                   f"撤销步骤；申报表本身不改，请另行改正。\n照抄：{initial}填申报表的金额，问题面板会一直提示，直到改正。")
        answer = self.ask("evaluation_amount_trap", "由申报表生成自评表：金额可能有误", text,
                          button.Yes | button.No | button.Cancel, button.Yes,
                          labels={button.Yes: f"改为 {fixed:,.2f} 元", button.No: f"照抄 {amount:,.2f} 元",
                                  button.Cancel: "取消"},
                          details=details)
        if answer == button.Yes:
            return fixed
        if answer == button.No:
            return None
        return False

    def new_year(self) -> None:
        """文件 → 新年度申报…: the dialog (rollover_dialog.py); OK adds the drafts as one undo step. In
        non-interactive mode (tests) ``answers["rollover"]``, a function given the dialog, sets it up and returns
        whether to accept (absent: accept as proposed)."""
        from .rollover_dialog import RolloverDialog

        self.commit_pending_edit()
        project = self.document.project
        if not any(f.kind in ("declaration", "department_overall") for f in project.forms):
            self.inform("新年度申报", "项目中没有申报表或部门整体表，无法生成新年度申报。")
            return
        dialog = RolloverDialog(project, self)
        try:
            if self.interactive:
                accepted = dialog.exec() == dialog.DialogCode.Accepted
            else:
                hook = self.answers.get("rollover")
                accepted = bool(hook(dialog)) if callable(hook) else True
            made = dialog.result_rollover() if accepted else None
            if accepted and made is None and dialog.error:
                self.inform("新年度申报", dialog.error, error=True)
        finally:
            dialog.deleteLater()
        if not made or not made.drafts:
            return
        self._push_forms(project.forms + list(made.drafts), f"新年度申报（{made.year} 年，{len(made.drafts)} 张）",
                         made.drafts[0].id)
        reviews = f"，{len(made.reviews)} 处金额待核对" if made.reviews else ""
        self.statusbar.showMessage(
            f"已生成 {made.year} 年度的 {len(made.drafts)} 张申报草稿{reviews}（可按 Ctrl+Z 撤销）", 10000)

