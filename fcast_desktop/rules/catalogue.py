"""The rule catalogue: every rule's stable id, the spec's code, severity and Chinese message template.

Checks create problems only through :func:`problem`, so a message can never drift from the catalogue, and
``docs/rules.md`` is generated from this table (``python -m fcast_desktop.rules.catalogue``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Literal

from ..layouts.words import resolve

Severity = Literal["error", "warning", "hint"]
"""error blocks "ready to upload" (`fcast check` exits 1); warning asks for a look and may be explained (出错说明);
hint (提示, the indicator coach) is advice: shown apart, never counted as a warning, never blocking."""

SEVERITY_NAMES: dict[str, str] = {"error": "错误", "warning": "警告", "hint": "提示"}


@dataclass(frozen=True)
class Rule:
    id: str
    code: str  # N1, V1, D1… of docs/spec/rules.md
    severity: Severity
    applies: str  # which forms
    template: str  # Chinese message; {placeholders} filled by the check, <references> name places (layouts.words)
    reason: str = ""  # why the rule exists, with its source (the coach's rules cite theirs; docs/rules.md)


@dataclass(frozen=True)
class Problem:
    """One problem, pinned to its place: ``field`` (header field name or table: indicators/funds/tasks),
    ``row`` (0-based row in that table, None for header fields and whole-table problems), ``column`` (official
    title), ``key`` (model attribute of the column, or the 二级指标 key for skeleton problems)."""

    rule: str
    severity: Severity
    message: str
    field: str
    row: int | None
    column: str
    key: str | None


_WRITTEN = [
    Rule("money.unreadable", "N1", "error", "全部", "金额“{text}”无法识别：请填写数字，如 13,920,000.00 或 1.2万"),
    Rule("money.too_large", "N1", "error", "全部",
         "{place}“{text}”超出范围：{bound}。已原样保留，请核对是否多输了数字"),
    Rule("money.unit_trap", "N3", "warning", "申报表",
         "<decl.annual_amount>为 {shown}{unit}，但{source}{relation} {figure}，金额{direction}了约 1 万倍："
         "很可能{cause}。若是，<decl.annual_amount>应为 {fixed}{unit}{total_fix}{how}"),
    Rule("money.unit_magnitude", "N3", "warning", "申报表",
         "<decl.annual_amount>为 {shown}{unit}（即 {yuan}），{size}：请确认单位。若{cause}，"
         "<decl.annual_amount>应为 {fixed}{unit}{total_fix}{how}"),
    Rule("funds.unit_trap", "N3", "warning", "自评表",
         "<eval.funds.total>的{column} {value} 与{others}相差约 1 万倍：其中一个金额很可能是按“万元”填写的数字"
         "（自评表金额以元为单位），请核对"),
    Rule("money.negative", "N1", "error", "全部",
         "{place}为 {value}：金额不能为负数，请填写 0 或正数（没有这项资金时填 0）"),
    Rule("number.unreadable", "N1", "error", "全部", "“{text}”不是数字，请填写数字"),
    Rule("number.too_large", "N1", "error", "全部", "{place}“{text}”超出范围：{bound}。已原样保留，请核对"),
    Rule("header.year", "N1", "error", "全部", "{label}应为四位整数年份（如 2023），当前为“{text}”"),
    Rule("indicator.value.format", "V1", "error", "全部", "指标值“{text}”缺少数值"),
    Rule("indicator.value.unrecognised", "V1", "warning", "全部",
         "无法识别的指标值“{text}”：应为比较值（≥90%、≤3%、16个）、期限（2023年12月31日前）、时长（24小时内）、"
         "定性等级（显著、有效、及时）、同比变化（同比上升1%）或“不适用”"),
    Rule("indicator.value.typo", "V1", "warning", "全部", "“{text}”应为“不适用”"),
    Rule("indicator.unit.mismatch", "V3", "warning", "部门整体表",
         "<dept.col.measure_unit>“{unit}”与指标值“{target}”中的单位“{expected}”不一致"),
    Rule("header.required", "D1/S14", "error", "全部", "{label}不能为空"),
    Rule("project_code.format", "D2", "error", "申报表/自评表", "<decl.project_code>应为 21 位数字，当前为“{text}”"),
    Rule("project_code.district", "D2", "warning", "申报表/自评表",
         "<decl.project_code>前 6 位 {district} 不是已知的区划代码（{known}），请核对<decl.project_code>"),
    Rule("project_code.type", "D2", "warning", "申报表",
         "<decl.project_code>第 12–13 位为 {digits}，与<decl.project_type>代码 {type_code} 不一致，请核对"),
    Rule("declaration.duration", "D3", "error", "申报表", "<decl.duration_years>应为正整数年，当前为“{text}”"),
    Rule("declaration.long_term_goal", "D3", "error", "申报表",
         "<decl.duration_years>为 {years} 年（跨年度项目），<decl.long_term_goal>必须填写"),
    Rule("header.choice", "D4", "error", "申报表", "{label}应为 {choices} 之一，当前为“{text}”"),
    Rule("declaration.project_type", "D4", "error", "申报表",
         "<decl.project_type>应写成“两位代码 名称”，如“15 其他经费”，当前为“{text}”"),
    Rule("declaration.amounts.order", "D5", "error", "申报表",
         "<decl.total_amount>{total} 小于<decl.annual_amount> {annual}：中期规划总额应包含本年度金额"),
    Rule("indicators.skeleton.missing", "D6/P2", "error", "全部",
         "缺少<decl.col.level2>“{level2}”：不适用时请填一行“不适用”"),
    Rule("indicators.not_applicable.mixed", "D6", "warning", "全部",
         "<decl.col.level2>“{level2}”既有“不适用”行又有其他指标行：不适用时只保留一行“不适用”"),
    Rule("indicators.mandatory", "D7", "error", "申报表（福田）",
         "<decl.col.level2>“{level2}”为必填项，至少要有一个具体的<decl.col.name>"),
    Rule("indicators.service_satisfaction.na", "D7", "warning", "申报表（福田）",
         "<l2.service_satisfaction>为“不适用”：福田区要求尽量设置<l1.satisfaction>，请确认"),
    Rule("indicator.required", "D8/S14", "error", "全部", "{column}不能为空"),
    Rule("calculation.arithmetic", "D9", "warning", "申报表",
         "“{expression}”算得 {correct}，与所写的 {stated}{unit} 不符，请核对算式或结果"),
    Rule("calculation.truncated", "D9", "warning", "申报表",
         "“{expression}”算得 {exact}，按四舍五入应为 {correct}，所写 {stated}{unit} 为截去尾数（不是算错）："
         "请写四舍五入后的结果；若是有意取整，请在<decl.calculation_basis>中写明"),
    Rule("calculation.part", "D9", "warning", "申报表",
         "分项金额 {heading} 与其后算式的结果 {stated} 不一致（相差 {difference}）：“{expressions}”，"
         "请核对哪一个数字有误"),
    Rule("funds.sum", "S1", "warning", "自评表",
         "{column}：<eval.funds.total> {total} ≠ <eval.funds.appropriation> + <eval.funds.carryover> + "
         "<eval.funds.other> = {sum}"),
    Rule("funds.budget.zero", "S2", "error", "自评表",
         "<eval.funds.col.annual_budget>为 0 或未填写，无法计算执行率和资金得分"),
    Rule("funds.required", "S14", "error", "自评表", "{column}未填写"),
    Rule("evaluation.weights.level1", "S4", "error", "自评表",
         "{level1}各<decl.col.name>分值合计为 {sum}，应为 {expected}（表格可能缺行，或分值填错）"),
    Rule("evaluation.weights.total", "S4", "error", "自评表", "资金分值与全部指标分值合计为 {sum}，应为 {expected}"),
    Rule("evaluation.not_applicable.row", "S5", "warning", "自评表",
         "不适用的指标应填为“不适用 | 不适用 | 无 | 0 | 0”"),
    Rule("evaluation.score.range", "S6", "error", "自评表",
         "得分 {score} 应在 0 到分值 {weight} 之间：总分暂按 {counted} 计入，请改正得分"),
    Rule("evaluation.actual.fraction", "S7", "warning", "自评表",
         "<eval.col.actual>“{actual}”没有单位：指标值“{target}”是百分比，程序按 {actual}% 计算{score_note}。"
         "是否应为 {percent}%？请填写带单位的<eval.col.actual>（程序不会自动改写）"),
    Rule("evaluation.actual.unit", "S7", "warning", "自评表",
         "<eval.col.actual>“{actual}”的单位“{unit}”与<eval.col.target>“{target}”的单位“{expected}”不同，无法比较、不能计算建议得分："
         "请核对单位，或直接填写得分"),
    Rule("evaluation.over_achievement", "S10", "warning", "自评表",
         "<eval.col.actual> {actual} 达到指标值 {target} 的 {ratio} 倍（≥{factor} 倍）："
         "请斟酌是否按偏离度适度调减分值，并填写得分（程序不会自动扣分）"),
    Rule("evaluation.score.band", "S9", "warning", "自评表",
         "定性指标按“{band}”评分，得分应在 {low}–{high} 之间（分值的 {low_pct}%–{high_pct}%），当前为 {score}"),
    Rule("evaluation.deviation.required", "S11", "error", "自评表",
         "得分 {score} 低于分值 {weight}，必须填写<eval.col.deviation.label>"),
    Rule("evaluation.deviation.over", "S11", "warning", "自评表",
         "<eval.col.actual>超过指标值 {factor} 倍以上，请填写<eval.col.deviation.label>"),
    Rule("evaluation.score.missing", "S14", "warning", "自评表",
         "得分未填写，按评分规则取建议得分 {suggested}；请确认后填写"),
    Rule("evaluation.score.unknown", "S14", "error", "自评表", "得分未填写，且无法按规则计算建议得分，请填写得分"),
    Rule("evaluation.declaration.drift", "S15", "warning", "自评表",
         "与同一项目的申报表不一致：申报表中“{name}”的指标值为“{declared}”，自评表为“{target}”"),
    Rule("evaluation.declaration.unknown_row", "S15", "warning", "自评表",
         "<decl.col.name>“{name}”不在同一项目的申报表中（申报表的<decl.col.name>应原样带入自评表）"),
    Rule("evaluation.declaration.amount", "S15", "warning", "自评表",
         "<eval.funds.col.initial_budget> {initial} 与同一项目申报表的<decl.annual_amount> {declared} 相差约 1 万倍："
         "{advice}"),
    Rule("evaluation.declaration.amount_trap", "S15", "warning", "自评表",
         "<eval.funds.col.initial_budget> {initial} 与申报表的<decl.annual_amount>相同，但申报表的金额很可能"
         "{direction}了约 1 万倍（见申报表的金额单位提示）："
         "若是，<eval.funds.col.initial_budget>应为 {fixed}，并请改正申报表"),
    Rule("department.task.sum", "P1", "error", "部门整体表",
         "任务“{name}”：总额 {total} ≠ <dept.tasks.col.appropriation> {appropriation} + <dept.tasks.col.other> "
         "{other} = {sum}"),
    Rule("department.task.required", "P1", "error", "部门整体表", "任务第 {n} 行的{column}未填写"),
    # ---- new year's drafts (issue 15: 新年度申报)
    Rule("rollover.amount_review", "R1", "warning", "申报表/部门整体表",
         "{place} {value} 是从上年表单原样带入的金额，请按 {year} 年的预算核对（修改或重新填写此金额后提示消失）",
         reason="新年度申报由上年表单生成时金额原样保留：上年的金额多半不是本年的预算，逐个提醒直到用户核对过"),
    # ---- indicator coach (rules.md Q1–Q8): advice, severity 提示 unless a profile raises it
    Rule("coach.duplicate_name", "Q1", "hint", "全部",
         "<decl.col.name>“{name}”在本表中重复出现（另见第 {first} 行）：同一指标只应设置一次，请合并或改为不同的指标",
         reason="预算系统的绩效模块校验同一张表中<decl.col.name>名称不得重复；评审退回理由“指标重复设置”"),
    Rule("coach.quantity_unmeasurable", "Q2", "hint", "全部",
         "<l2.quantity>“{name}”的指标值“{target}”没有数字：<l2.quantity>应可计数，请写明数量（如“≥12次”“100%”）",
         reason="<l2.quantity>反映提供的产品和服务的数量，应可计量（财政部《中央部门项目支出核心绩效目标和指标设置及取值指引"
                "（试行）》，财预〔2021〕101号）；评审退回理由“指标值不可衡量”"),
    Rule("coach.satisfaction_misplaced", "Q3", "hint", "全部",
         "“{name}”是<l1.satisfaction>，却填在“{level2}”下：<l1.satisfaction>应填在“<l2.service_satisfaction>”或“<l2.other_satisfaction>”下",
         reason="<l1.satisfaction>是<decl.col.level1>“<l1.satisfaction>”的内容，反映服务对象的认可程度（财预〔2021〕101号）；"
                "评审退回理由“质量、效益与<l1.satisfaction>混淆”"),
    Rule("coach.percent_over_100", "Q4", "hint", "全部",
         "“{name}”的指标值为“{target}”：{word}不可能超过 100%，请改为不超过 100% 的目标值",
         reason="满意度、准确率、合格率、覆盖率、完成率、达标率以 100% 为上限；超过 100% 的目标无法达成，"
                "评审退回理由“指标值设置不合理”"),
    Rule("coach.long_term_same_as_annual", "Q5", "hint", "申报表",
         "<decl.duration_years>为 {years} 年，<decl.long_term_goal>与<decl.annual_goal>完全相同："
         "<decl.long_term_goal>应写整个<decl.duration_years>内要达到的目标，<decl.annual_goal>写本年度的",
         reason="跨年度项目须分别填报<decl.long_term_goal>与<decl.annual_goal>（申报表“<decl.long_term_goal.label>”栏）；"
                "评审退回理由“<decl.long_term_goal>与<decl.annual_goal>混淆”"),
    Rule("coach.time_outside_year", "Q6", "hint", "申报表/部门整体表",
         "“{name}”的期限“{target}”{why}：请核对年份",
         reason="<eval.caption>衡量本年度的产出，期限应在表单年度内、不超出项目<decl.duration_years>；"
                "上年表单改为本年时最常见的遗漏是期限中的年份未改"),
    Rule("coach.cost_measures_spending", "Q7", "hint", "全部",
         "<l2.cost>“{name}”衡量的是支出进度（{word}），不是成本：<l2.cost>应写单位成本或成本控制（如“≤1.2万元/人”）",
         reason="<l2.cost>反映产出的经济成本、社会成本和生态环境成本（财预〔2021〕101号）；预算执行率在自评表“资金”栏"
                "单独计分，作为<l2.cost>既不反映成本，又重复计分；评审退回理由“以投入代替产出”"),
    Rule("coach.low_execution_unexplained", "Q8", "hint", "自评表",
         "执行率 {rate}% 低于 {threshold}%，但没有任何一行填写<eval.col.deviation>：请在<eval.col.deviation.label>中"
         "说明执行率偏低的原因",
         reason="自评表填报说明：预算执行率低于规定水平（规则配置 low_execution_rate，默认 90%）须说明原因及改进措施"),
]

# the places named in the layouts' words (<decl.annual_amount> → 本年度项目金额), once, when the catalogue is built
_RULES = [replace(r, template=resolve(r.template), reason=resolve(r.reason)) for r in _WRITTEN]
RULES: dict[str, Rule] = {r.id: r for r in _RULES}


@dataclass(frozen=True)
class Computation:
    """A scoring or information rule: it computes a value rather than reporting a problem."""

    code: str
    name: str
    where: str  # the function that implements it
    what: str


_COMPUTED = (
    Computation("V2", "指标方向", "values.Value.reverse",
                "≥ > 和不带符号的数值为正向指标；≤ < 为反向指标（故障率、投诉率、成本）"),
    Computation("S2", "执行率", "scoring.funds_result",
                "<eval.funds.col.executed> ÷ <eval.funds.col.annual_budget> × 100，四舍五入保留 2 位；"
                "<eval.funds.col.annual_budget>为 0 时不计算"),
    Computation("S3", "资金得分", "scoring.funds_result",
                "分值 × <eval.funds.col.executed> ÷ <eval.funds.col.annual_budget>，保留 2 位，不超过分值；无门槛"),
    Computation("S7", "正向定量指标建议得分", "scoring._compare",
                "达到 → 分值；未达到 → 实际 ÷ 指标值 × 分值；指标值为 0 时实际 ≤ 0 得满分，否则 0"),
    Computation("S8", "反向定量指标建议得分", "scoring._compare",
                "实际 ≤ 指标值 → 分值；至 2 倍指标值线性降为 0（配置 reverse_mode=ratio：指标值 ÷ 实际 × 分值）"),
    Computation("S9", "期限、时长、定性指标", "scoring._limit / scoring._qualitative",
                "期限与时长：按时 → 分值，否则 0；定性：达成、部分达成、未达成取各档上限"),
    Computation("S10", "超额完成标记", "scoring._compare",
                "实际 ≥ 1.2 × 指标值时标记，由用户决定是否调减；程序从不自动扣分"),
    Computation("S12", "用户得分优先", "scoring.score_row", "用户填写的得分优先于建议得分；两者不同时表格同时显示"),
    Computation("S6/S13", "超出范围的得分", "scoring.counted_score",
                "填写的得分不在 0–分值 之间时，表格保留所填的数并报 S6 错误，总分按边界计入（12/10 计 10，-1 计 0），"
                "总分与等级不会失真"),
    Computation("S13", "总分与等级", "scoring.score_self_evaluation",
                "总分 = 资金得分 + Σ 指标得分；优 ≥ 90，良 80–<90，中 60–<80，差 < 60"),
    Computation("S4/S13", "分值不符时的总分与等级", "scoring.weights_ok",
                "各<decl.col.level1>分值或资金与指标分值合计不符合规定（报 S4 错误）时，总分照算但不可靠"
                "（EvaluationScore.weights_ok 为 false），"
                "不评等级（grade 为空，`fcast score --json` 中为 null），以免上传系统不会接受的等级"),
    Computation("P3", "部门金额与项目申报对照", "report.department_summary",
                "<dept.tasks.sum>与同一项目中各申报表<decl.annual_amount>之和对照（仅供参考，不是问题）"),
)
COMPUTATIONS = tuple(replace(c, name=resolve(c.name), what=resolve(c.what)) for c in _COMPUTED)


def problem(rule_id: str, field: str, row: int | None, column: str, key: str | None, /, **params: object
            ) -> Problem:
    """A problem of catalogue rule ``rule_id``; ``params`` fill the message template."""
    rule = RULES[rule_id]
    return Problem(rule.id, rule.severity, rule.template.format(**params), field, row, column, key)


_SOURCES = {  # the marks of docs/spec/rules.md, for rules that cite no reason of their own
    "seeds": "公开的深圳表格（种子）一致遵守",
    "official": "财政部文件或官方表式",
    "system": "预算系统的实际校验",
    "new": "本程序新增，防止常见错误",
}
_CODE_SOURCES = {
    "N1": "new", "N3": "new", "V1": "seeds", "V3": "seeds", "D1": "seeds", "D2": "seeds", "D3": "seeds", "D4": "seeds",
    "D5": "seeds", "D6": "seeds", "D7": "seeds", "D8": "seeds", "D9": "new", "S1": "seeds", "S2": "system",
    "S4": "official", "S5": "seeds", "S6": "system", "S7": "official", "S9": "official", "S10": "official",
    "S11": "system", "S14": "seeds", "S15": "new", "P1": "seeds", "P2": "seeds",
}


def rule_reason(rule: Rule) -> str:
    """Why the rule exists: its own cited reason, else the source its spec code is marked with."""
    if rule.reason:
        return rule.reason
    first = rule.code.split("/")[0]
    return f"规范 {rule.code}：{_SOURCES[_CODE_SOURCES[first]]}" if first in _CODE_SOURCES else f"规范 {rule.code}"


def markdown_table() -> str:
    """The rule list of ``docs/rules.md`` (between its ``<!-- rules -->`` markers)."""
    lines = ["| id | 规范编号 | 级别 | 适用 | 提示（模板） | 依据 |", "|---|---|---|---|---|---|"]
    for r in _RULES:
        sev = SEVERITY_NAMES[r.severity]
        cells = (r.template, rule_reason(r))
        lines.append(f"| `{r.id}` | {r.code} | {sev} | {r.applies} | " + " | ".join(c.replace("|", "｜") for c in cells)
                     + " |")
    lines += ["", "Computed, not reported as problems:", "", "| 规范编号 | 名称 | 实现 | 规则 |", "|---|---|---|---|"]
    for c in COMPUTATIONS:
        lines.append(f"| {c.code} | {c.name} | `{c.where}` | {c.what} |")
    return "\n".join(lines)


def update_docs(where: str | os.PathLike[str]) -> bool:
    """Rewrite the generated part of ``docs/rules.md``; True when it changed."""
    from pathlib import Path

    path = Path(where)
    text = path.read_text(encoding="utf-8")
    start, end = "<!-- rules:begin -->", "<!-- rules:end -->"
    head, rest = text.split(start, 1)
    _old, tail = rest.split(end, 1)
    new = f"{head}{start}\n{markdown_table()}\n{end}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    import sys

    if len(sys.argv) > 1:
        print("updated" if update_docs(sys.argv[1]) else "up to date")
    else:
        print(markdown_table())
