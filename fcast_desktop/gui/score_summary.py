"""The score line of a form editor's title bar: 执行率, 资金得分, 总分 and 等级 of a self-evaluation (a provisional
总分 in red with the reason when the 分值 do not add up, S4), then the form's problem counts."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from ..layouts import SELF_EVALUATION, level1_name
from ..model import SelfEvaluation
from ..model.money import format_number
from ..model.skeleton import Level1

if TYPE_CHECKING:
    from ..model import AnyForm


LEVEL1_WORD = SELF_EVALUATION.column("level1").name  # 一级指标


class ScoreSummary:
    """Mixed into ``FormEditor``: the score line from the document's cached findings of the form."""

    if TYPE_CHECKING:
        document: Any  # a ProjectDocument
        form_id: str
        summary: QLabel

        @property
        def form(self) -> AnyForm: ...

    def weights_mismatch(self) -> str | None:
        """Why the 总分 of a self-evaluation is not final (S4: the 分值 do not add up to 100, or a 一级指标's do not
        add up to its weight) — e.g. "分值合计 105，应为 100" — or None when they add up (or for other forms)."""
        findings = self.document.findings(self.form_id)
        score = findings.score
        if score is None:
            return None
        if score.weights_ok:
            return None
        from ..rules import form_profile
        from ..rules.scoring import weight_sums

        form = self.form
        if not isinstance(form, SelfEvaluation):
            return None
        profile = form_profile(form, self.document.profile)
        if score.weight_total != profile.total_weight:
            return f"分值合计 {format_number(score.weight_total)}，应为 {format_number(profile.total_weight)}"
        sums = weight_sums(form)
        for level1 in Level1:
            expected = profile.level1_weights.get(level1.value)
            got = sums.get(level1, Decimal(0))
            if expected is not None and got != expected:
                return f"{level1_name(level1)}分值合计 {format_number(got)}，应为 {format_number(expected)}"
        return "分值合计不符合评分规则"

    def summary_pieces(self) -> list[tuple[str, bool]]:
        """The title bar as (text, provisional) pieces: 执行率, 资金得分, 总分 and 等级 of a self-evaluation, then the
        problem counts. When the 分值 do not add up (S4) the 总分 is provisional — shown with the reason, and no
        等级: "总分 103.37（分值合计 105，应为 100）　等级 —"."""
        findings = self.document.findings(self.form_id)
        pieces: list[tuple[str, bool]] = []
        score = findings.score
        if score is not None:
            rate = "—" if score.execution_rate is None else format_number(score.execution_rate) + "%"
            funds = "—" if score.funds_score is None else format_number(score.funds_score)
            pieces.append((f"执行率 {rate}　资金得分 {funds}　", False))
            mismatch = self.weights_mismatch() if score.total is not None else None
            if mismatch is not None:
                pieces.append((f"总分 {format_number(score.total)}（{mismatch}）　等级 —", True))
            else:
                total = "—" if score.total is None else format_number(score.total)
                pieces.append((f"总分 {total}　等级 {score.grade or '—'}", False))
            pieces.append(("　｜　", False))
        explained = f"，已说明 {findings.explained} 个" if findings.explained else ""
        pieces.append((f"错误 {findings.errors} 个　警告 {findings.warnings} 个{explained}", False))
        return pieces

    def show_summary(self) -> None:
        """The title bar's score line, repainted only when its text changes."""
        summary = self.summary
        pieces = self.summary_pieces()
        text = "".join(t for t, _red in pieces)
        if text != getattr(self, "_summary_plain", None):
            self._summary_plain = text
            provisional = any(red for _t, red in pieces)
            # a provisional 总分 (S4) in red, the rest as usual
            summary.setTextFormat(Qt.TextFormat.RichText if provisional else Qt.TextFormat.PlainText)
            rich = "".join(f'<span style="color:#b00020">{html.escape(t)}</span>' if red else html.escape(t)
                           for t, red in pieces)
            summary.setText(f'<span style="white-space:pre">{rich}</span>' if provisional else text)
            summary.setToolTip(
                f"分值合计不符合评分规则（S4：各{LEVEL1_WORD}的分值，以及资金分值与全部指标分值之和应为 100），"
                "总分只是暂算，不评定等级；改正分值后显示等级。详见问题面板。" if provisional else "")

    def summary_text(self) -> str:
        return "".join(t for t, _red in self.summary_pieces())

