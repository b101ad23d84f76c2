"""The rule catalogue: every rule's stable id, the spec's code, severity and Chinese message template.

Checks create problems only through :func:`problem`, so a message can never drift from the catalogue, and
``docs/rules.md`` is generated from this table (``python -m fcast_desktop.rules.catalogue``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    id: str
    code: str  # N1, V1, D1… of ../shared/spec/rules.md
    severity: Severity
    applies: str  # which forms
    template: str  # Chinese message; {placeholders} filled by the check


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


_RULES = [
    Rule("money.unreadable", "N1", "error", "全部", "金额“{text}”无法识别：请填写数字，如 13,920,000.00 或 1.2万"),
    Rule("money.unit_trap", "N3", "warning", "申报表",
         "{label}为 {shown}{unit}，但{source}写明 {figure}；数值约相差 10000 倍，可能是按“{actual_unit}”填写的。"
         "若实为 {shown}{actual_unit}，应填写 {fixed}{unit}"),
    Rule("money.unit_magnitude", "N3", "warning", "申报表",
         "{label}为 {shown}{unit}（即 {yuan} 元），金额异常大：标签单位是{unit}，请确认是否把“元”数值填在了“{unit}”栏"),
    Rule("number.unreadable", "N1", "error", "全部", "“{text}”不是数字，请填写数字"),
    Rule("indicator.value.format", "V1", "error", "全部", "指标值“{text}”缺少数值"),
    Rule("indicator.value.unrecognised", "V1", "warning", "全部",
         "无法识别的指标值“{text}”：应为比较值（≥90%、≤3%、16个）、期限（2023年12月31日前）、时长（24小时内）、"
         "定性等级（显著、有效、及时）、同比变化（同比上升1%）或“不适用”"),
    Rule("indicator.value.typo", "V1", "warning", "全部", "“{text}”应为“不适用”"),
    Rule("indicator.unit.mismatch", "V3", "warning", "部门整体表",
         "度量单位“{unit}”与指标值“{target}”中的单位“{expected}”不一致"),
    Rule("header.required", "D1/S14", "error", "全部", "{label}不能为空"),
    Rule("project_code.format", "D2", "error", "申报表/自评表", "项目编码应为 21 位数字，当前为“{text}”"),
    Rule("project_code.district", "D2", "warning", "申报表/自评表",
         "项目编码前 6 位 {district} 不是深圳市已知区划代码（福田 440304、宝安 440306 等），请核对"),
    Rule("project_code.type", "D2", "warning", "申报表",
         "项目编码第 12–13 位为 {digits}，与项目类型代码 {type_code} 不一致，请核对"),
    Rule("declaration.duration", "D3", "error", "申报表", "实施期限应为正整数年，当前为“{text}”"),
    Rule("declaration.long_term_goal", "D3", "error", "申报表", "实施期限为 {years} 年（跨年度项目），长期目标必须填写"),
    Rule("header.choice", "D4", "error", "申报表", "{label}应为 {choices} 之一，当前为“{text}”"),
    Rule("declaration.project_type", "D4", "error", "申报表", "项目类型应写成“两位代码 名称”，如“15 其他经费”，当前为“{text}”"),
    Rule("declaration.amounts.order", "D5", "error", "申报表",
         "项目总金额（中期规划）{total} 小于本年度项目金额 {annual}：中期规划总额应包含本年度金额"),
    Rule("indicators.skeleton.missing", "D6/P2", "error", "全部",
         "缺少二级指标“{level2}”：不适用时请填一行“不适用”"),
    Rule("indicators.not_applicable.mixed", "D6", "warning", "全部",
         "二级指标“{level2}”既有“不适用”行又有其他指标行：不适用时只保留一行“不适用”"),
    Rule("indicators.mandatory", "D7", "error", "申报表（福田）", "二级指标“{level2}”为必填项，至少要有一个具体的三级指标"),
    Rule("indicators.service_satisfaction.na", "D7", "warning", "申报表（福田）",
         "服务对象满意度指标为“不适用”：福田区要求尽量设置满意度指标，请确认"),
    Rule("indicator.required", "D8/S14", "error", "全部", "{column}不能为空"),
    Rule("calculation.arithmetic", "D9", "warning", "申报表",
         "测算依据中“{expression}”计算结果应为 {correct}，与所写的 {stated}{unit} 不符"),
    Rule("funds.sum", "S1", "warning", "自评表",
         "{column}：年度资金总额 {total} ≠ 当年财政拨款 + 上年结转资金 + 其他资金 = {sum}"),
    Rule("funds.budget.zero", "S2", "error", "自评表", "全年预算数为 0 或未填写，无法计算执行率和资金得分"),
    Rule("funds.required", "S14", "error", "自评表", "{column}未填写"),
    Rule("evaluation.weights.level1", "S4", "error", "自评表",
         "{level1}各三级指标分值合计为 {sum}，应为 {expected}（表格可能缺行，或分值填错）"),
    Rule("evaluation.weights.total", "S4", "error", "自评表", "资金分值与全部指标分值合计为 {sum}，应为 {expected}"),
    Rule("evaluation.not_applicable.row", "S5", "warning", "自评表", "不适用的指标应填为“不适用 | 不适用 | 无 | 0 | 0”"),
    Rule("evaluation.score.range", "S6", "error", "自评表", "得分 {score} 应在 0 到分值 {weight} 之间"),
    Rule("evaluation.over_achievement", "S10", "warning", "自评表",
         "实际完成值 {actual} 超过指标值 {target} 的 {factor} 倍：请斟酌是否按偏离度适度调减分值（程序不会自动扣分）"),
    Rule("evaluation.deviation.required", "S11", "error", "自评表",
         "得分 {score} 低于分值 {weight}，必须填写偏差原因分析及改进措施"),
    Rule("evaluation.deviation.over", "S11", "warning", "自评表",
         "实际完成值超过指标值 {factor} 倍以上，请填写偏差原因分析及改进措施"),
    Rule("evaluation.score.missing", "S14", "warning", "自评表", "得分未填写，按评分规则取建议得分 {suggested}；请确认后填写"),
    Rule("evaluation.score.unknown", "S14", "error", "自评表", "得分未填写，且无法按规则计算建议得分，请填写得分"),
    Rule("evaluation.declaration.drift", "S15", "warning", "自评表",
         "与同一项目的申报表不一致：申报表中“{name}”的指标值为“{declared}”，自评表为“{target}”"),
    Rule("evaluation.declaration.unknown_row", "S15", "warning", "自评表",
         "三级指标“{name}”不在同一项目的申报表中（申报表的三级指标应原样带入自评表）"),
    Rule("department.task.sum", "P1", "error", "部门整体表",
         "任务“{name}”：总额 {total} ≠ 财政拨款 {appropriation} + 其他资金 {other} = {sum}"),
    Rule("department.task.required", "P1", "error", "部门整体表", "任务第 {n} 行的{column}未填写"),
]

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


def problem(rule_id: str, field: str, row: int | None, column: str, key: str | None, /, **params) -> Problem:
    """A problem of catalogue rule ``rule_id``; ``params`` fill the message template."""
    rule = RULES[rule_id]
    return Problem(rule.id, rule.severity, rule.template.format(**params), field, row, column, key)


def markdown_table() -> str:
    lines = ["| id | 规范编号 | 级别 | 适用 | 提示（模板） |", "|---|---|---|---|---|"]
    for r in _RULES:
        sev = "错误" if r.severity == "error" else "警告"
        lines.append(f"| `{r.id}` | {r.code} | {sev} | {r.applies} | {r.template.replace('|', '｜')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
