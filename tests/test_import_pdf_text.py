"""Import of 二级项目支出绩效目标申报表 from PDF text (seed 001), compared with the seed read by hand."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fcast_desktop.exchange.importer import import_file
from fcast_desktop.exchange.pdf_text import parse_pdf_text, split_row, value_kind
from fcast_desktop.exchange.published_text import read_text_file
from fcast_desktop.exchange.report import ImportFailed, ImportResult
from fcast_desktop.model import Declaration, Level2

NA = ("不适用", "不适用", "不适用")
L2 = {
    "数量": Level2.QUANTITY, "质量": Level2.QUALITY, "时效": Level2.TIMELINESS, "成本": Level2.COST,
    "经济效益": Level2.ECONOMIC, "社会效益": Level2.SOCIAL, "生态效益": Level2.ECOLOGICAL,
    "可持续影响": Level2.SUSTAINABLE, "服务对象满意度": Level2.SERVICE_SATISFACTION,
    "其他满意度": Level2.OTHER_SATISFACTION,
}

# (项目编码, 项目名称, 项目总金额（万元）, 本年度项目金额（万元）, 指标行数 in the seed), read from seed 001
HEADERS = [
    ("440304221061500000045", "离退休干部节日慰问金（科级及以下）", "0.00", "0.00", 10),
    ("440304221061500300044", "应急项目和设备维修", "128.10", "42.70", 14),
    ("440304221061500300043", "基础设施运行维护（维修（护）费）", "358.26", "119.42", 12),
    ("440304221061500300042", "基础设施运行维护（电费）", "10.86", "3.62", 10),
    ("440304221061500300041", "基础设施运行维护（其他商品和服务支出）", "5068.37", "1689.46", 10),
    ("440304221061500300040", "应用系统运行维护（维修（护）费）", "1206.65", "402.22", 14),
    ("440304221061500300039", "应用系统运行维护（邮电费）", "435.24", "145.08", 11),
    ("440304221061500300038", "应用系统运行维护（其他商品和服务支出）", "1853.88", "617.96", 11),
    ("440304221061500300037", "网络和信息安全运行维护（邮电费", "540.00", "180.00", 10),  # 名称 truncated in the PDF
    ("440304221061500300036", "网络和信息安全运行维护（维修（护）费）", "1296.82", "432.27", 20),
    ("440304221061500300035", "网络和信息安全运行维护（其他商品和服务支出）", "1412.65", "470.88", 16),
    ("440304221061500100034", "预算准备金", "9.00", "3.00", 10),
    ("440304221061500500033", "内防扩散", "0.00", "0.00", 10),
    ("440304221061500000032", "劳务派遣人员", "92.60", "30.87", 10),
    ("440304221061500000031", "项目审计", "22.50", "7.50", 10),
    ("440304221061500000030", "办公设备购置", "46.68", "15.56", 10),
    ("440304221061500000024", "其他一般管理事务", "197.82", "65.94", 10),
    ("440304221061500000022", "基层党建", "4.80", "1.60", 10),
    ("440304221061500000020", "职工教育", "21.63", "7.21", 10),
    ("440304221061500000016", "绩效考核经费", "602.60", "200.87", 10),
]
SKIPPED = {9: [823, 827]}  # form index → seed lines of the one row that is not imported (see docs/import-001.md)

# indicator rows written out from the seed text (二级, 三级指标, 指标值, 指标解释), wrapped lines joined
EXPECTED_ROWS = {
    0: [  # lines 33–70: value `3 人`, explanations wrapped onto a second line
        ("数量", "发放离退休干部节日慰问金人数", "3人", "该指标主要考察发放离退休干部节日慰问金人数是否达到目标人数"),
        ("质量", "发放离退休干部节日慰问金准确率", "100%", "该指标主要考察发放离退休干部节日慰问金是否准确发放"),
        ("时效", "发放离退休干部节日慰问金及时性", "及时", "该指标主要考察离退休干部节日慰问金是否及时发放"),
        ("成本", "支出进度达标率", "≥95%", "该指标主要考察支出进度是否达标"),
        ("经济效益", *NA),
        ("社会效益", "有效提高离退休干部人员退休生活", "有效", "该指标主要考察是否有效提高离退休干部人员退休生活"),
        ("生态效益", *NA),
        ("可持续影响", *NA),
        ("服务对象满意度", "离退休人员满意度", "≥98%", "该指标主要考察离退休人员满意度是否达标"),
        ("其他满意度", *NA),
    ],
    2: [  # lines 201–252: 三级指标 wrapped over two lines before its value (236–243)
        ("数量", "政务网络前端联网", "全区", "该指标主要考察政务网络前端联网情况"),
        ("数量", "消防设备维保机房", "7个", "该指标主要考察消防设备维保机房的数量是否达到目标数量"),
        ("质量", "对服务工作过程与结果进行记录", "100%", "该指标主要考察对服务工作过程与结果记录情况"),
        ("质量", "机房消防设施正常运行", "100%", "该指标主要考察机房消防设施是否正常运行"),
        ("时效", "基础设施运行维护工作完成及时性", "及时", "该指标主要考察基础设施运行维护工作是否及时完成"),
        ("成本", "支出进度达标率", "＞90%", "该指标主要考察支出进度是否达标"),
        ("经济效益", *NA),
        ("社会效益", "保障办公人员电脑政务网络按规定时限内接入", "有效",
         "该指标主要考察是有有效保障办公人员电脑政务网络按规定时限内接入"),
        ("生态效益", *NA),
        ("可持续影响", *NA),
        ("服务对象满意度", "用户投诉率", "≤2%", "该指标主要考察用户投诉率情况"),
        ("其他满意度", *NA),
    ],
    5: [  # lines 450–501: `合格` on a line of its own ends an explanation (472), 一级+二级+row on one line (497)
        ("数量", "系统巡检次数", "≥4次", "该指标主要考察系统巡检次数是否达到目标次数"),
        ("数量", "运维系统数量", "5个", "该指标主要考察运维系统数量是否达到目标数量"),
        ("质量", "系统巡检验收合格率", "100%", "该指标主要考察系统巡检验收是否合格"),
        ("质量", "应用系统运行维护验收合格率", "100%", "该指标主要考察应用系统运行维护是否验收合格"),
        ("时效", "系统运维响应时间", "24小时内", "该指标主要考察系统运维响应时间情况"),
        ("时效", "应用系统运行维护完成及时性", "及时", "该指标主要考察应用系统运行维护是否及时完成"),
        ("时效", "移动办公接入服务期限", "12个月", "该指标主要考察移动办公接入服务期限"),
        ("成本", "支出进度达标率", "＞95%", "该指标主要考察支出进度是否达标"),
        ("经济效益", *NA),
        ("社会效益", "应用系统运行维护有效性", "有效", "该指标主要考察应用系统是否有效运行维护"),
        ("生态效益", *NA),
        ("可持续影响", *NA),
        ("服务对象满意度", "用户投诉率", "≤2%", "该指标主要考察用户投诉情况"),
        ("其他满意度", *NA),
    ],
    7: [  # lines 625–671: name wrapped before a value on its own line (635–638)
        ("数量", "应用系统运行维护工作完成率", "100%", "该指标主要考察应用系统运行维护工作完成情况"),
        ("质量", "系统巡检验及应用系统运行维护验收合格率", "100%", "该指标主要考察应用系统运行维护验收是否合格"),
        ("时效", "系统运维响应时间", "24小时内", "该指标主要考察系统运维响应时间情况"),
        ("时效", "应用系统运行维护完成及时性", "及时", "该指标主要考察应用系统运行维护是否及时完成"),
        ("成本", "支出进度达标率", "＞95%", "该指标主要考察支出进度是否达标"),
        ("经济效益", *NA),
        ("社会效益", "应用系统运行维护有效性", "有效", "该指标主要考察应用系统运行维护是否有效保障"),
        ("生态效益", *NA),
        ("可持续影响", *NA),
        ("服务对象满意度", "用户投诉率", "≤2%", "该指标主要考察用户投诉情况"),
        ("其他满意度", *NA),
    ],
    9: [  # lines 814–884: the `288 芯…维保 / 完成率` row (823–827) is skipped; `288 芯` inside an explanation
        ("数量", "系统等级保护测评", "4个", "该指标主要考察系统等级保护测评数值是否达到目标数值"),
        ("数量", "新增链路接入点", "＞1个", "该指标主要考察新增链路接入点是否达到目标数值"),
        ("数量", "设备维保完成率", "5条", "该指标主要考察设备维保是否完成"),
        ("数量", "商用密码安全性评估", "1次", "该指标主要考察商用密码安全性评估次数是否达到目标数值"),
        ("质量", "288 芯汇聚层光缆维护验收合格率", "100%", "该指标主要考察 288 芯汇聚层光缆维护验收是否合格"),
        ("质量", "设备维护验收合格率", "100%", "该指标主要考察设备维护是否验收合格"),
        ("质量", "信息安全事件排除率", "100%", "该指标主要考察信息安全事件排除情况"),
        ("时效", "补丁更新及信息安全事故处理及时性", "及时", "该指标主要考察信息安全事故是否及时处理"),
        ("时效", "应用系统扫描完成时间", "每季度末", "该指标主要考察应用系统扫描完成时间情况"),
        ("时效", "现场检查完成时间", "每年", "该指标主要考察现场检查完成时间情况"),
        ("时效", "应急演练完成时间", "每年", "该指标主要考察应急演练完成时间情况"),
        ("成本", "支出进度达标率", "＞95%", "该指标主要考察支出进度是否达标"),
        ("经济效益", *NA),
        ("社会效益", "信息安全保障有效性", "有效", "该指标主要考察信息安全是否有效保障"),
        ("社会效益", "提高信息安全意识", "有效", "该指标主要考察是否有效提高信息安全意识"),
        ("生态效益", *NA),
        ("可持续影响", *NA),
        ("服务对象满意度", "用户投诉数", "0", "该指标主要考察用户投诉情况"),
        ("其他满意度", *NA),
    ],
    10: [  # lines 933–993: a wrapped name follows the previous row's wrapped explanation (944–951)
        ("数量", "福田区电子政务外网安全系统保护", "≥153个系统",
         "该指标主要考察福田区电子政务外网安全系统保护数量是否达到目标数值"),
        ("数量", "福田区电子政务外网安全服务器保护", "≥700台",
         "该指标主要考察福田区电子政务外网安全服务器保护数量是否达到目标数值"),
        ("质量", "安全设备正常运行率", "90%", "该指标主要考察安全设备是否正常运行"),
        ("质量", "安全漏洞修复率", "＞95%", "该指标主要考察安全漏洞修复情况"),
        ("质量", "信息安全事件排除率", "100%", "该指标主要考察信息安全事件排除情况"),
        ("时效", "补丁更新及时性", "及时", "该指标主要考察补丁是否及时更新"),
        ("时效", "信息安全事故处理及时性", "及时", "该指标主要考察信息安全事故是否及时处理"),
        ("时效", "应用系统扫描完成时间", "每季度末", "该指标主要考察应用系统扫描完成时间情况"),
        ("成本", "支出进度达标率", "＞90%", "该指标主要考察支出进度是否达标"),
        ("经济效益", *NA),
        ("社会效益", "信息安全保障有效性", "有效", "该指标主要考察是否有效保障信息安全"),
        ("社会效益", "提高信息安全意识", "有效", "该指标主要考察是否有效提高信息安全意识"),
        ("生态效益", *NA),
        ("可持续影响", *NA),
        ("服务对象满意度", "用户投诉数", "0", "该指标主要考察用户投诉情况"),
        ("其他满意度", *NA),
    ],
    12: [  # lines 1107–1166: `“i 福田”` (a space the PDF put between scripts is kept in names and explanations)
        ("数量", "“i 福田”平台云服务正常运行工作完成率", "100%",
         "该指标主要考察“i 福田”平台云服务正常运行工作完成情况"),
        ("质量", "“i 福田”平台云服务正常运行工作完成完成合格率", "100%",
         "该指标主要考察“i 福田”平台云服务正常运行工作完成完成合格情况"),
        ("时效", "“i 福田”平台云服务正常运行工作完成及时性", "及时",
         "该指标主要考察“i 福田”平台云服务正常运行工作是否及时完成"),
        ("成本", "支出进度达标率", "＞90%", "该指标主要考察支出进度是否达标"),
        ("经济效益", *NA),
        ("社会效益", "保障“i 福田”平台云服务工作正常运转", "有效",
         "该指标主要考察是否有效保障“i 福田”平台云服务工作正常运转"),
        ("生态效益", *NA),
        ("可持续影响", *NA),
        ("服务对象满意度", "工作人员满意度", "≥90%", "该指标主要考察工作人员满意度情况"),
        ("其他满意度", *NA),
    ],
    15: [  # lines 1360–1391: qualitative value of two words (`有效保障`)
        ("数量", "办公设备购置数", "22台", "该指标主要考察办公设备购置数是否达到目标数值"),
        ("质量", "办公设备购置验收合格率", "100%", "该指标主要考察办公设备购置验收是否合格"),
        ("时效", "办公设备购置完成及时性", "及时", "该指标主要考察办公设备购置是否及时完成"),
        ("成本", "支出进度达标率", "＞90%", "该指标主要考察支出进度是否达标"),
        ("经济效益", *NA),
        ("社会效益", "保障中心日常管理工作正常运转", "有效保障", "该指标主要考察是否有效保障中心日常管理工作正常运转"),
        ("生态效益", *NA),
        ("可持续影响", *NA),
        ("服务对象满意度", "工作人员满意度", "≥90%", "该指标主要考察工作人员满意度情况"),
        ("其他满意度", *NA),
    ],
}


@pytest.fixture(scope="module")
def seed001(seed_paths) -> tuple[str, str]:
    return read_text_file(seed_paths["001"]), str(seed_paths["001"])


@pytest.fixture(scope="module")
def result001(seed001) -> ImportResult:
    text, path = seed001
    return parse_pdf_text(text, path)


def _rows(form: Declaration) -> list[tuple[str, str, str, str]]:
    short = {v: k for k, v in L2.items()}
    return [(short[r.level2], r.name, r.target, r.explanation) for r in form.indicators]


# ---- seed 001 ---------------------------------------------------------------------------------------


def test_all_twenty_forms_are_imported_with_header(result001):
    forms = result001.forms
    assert len(forms) == 20
    for form, (code, name, total, annual, _rows_in_seed) in zip(forms, HEADERS, strict=True):
        assert isinstance(form, Declaration)
        assert (form.project_code, form.project_name) == (code, name)
        assert form.amount_unit == "万元"
        assert form.total_amount == Decimal(total) * 10000
        assert form.annual_amount == Decimal(annual) * 10000
        assert form.variant == "overview" and form.overview
        assert not form.policy_basis and not form.calculation_basis
        assert form.applicant_unit == "深圳市福田区数据管理中心"
        assert form.budget_unit == "深圳市福田区政务服务数据管理局（本级）"
        assert (form.duration_years, form.project_type, form.is_new) == (3, "15 履职类项目", "否")
        assert form.allocation_method == ("项目法" if name == "绩效考核经费" else "因素法")
        assert form.annual_goal and form.long_term_goal
        assert form.year is None  # 001 prints no year anywhere
        assert not form.raw


def test_row_counts_and_the_one_skipped_row(result001):
    counts = [len(f.indicators) for f in result001.forms]
    expected = [n - (1 if i in SKIPPED else 0) for i, (*_, n) in enumerate(HEADERS)]
    assert counts == expected
    assert sum(counts) == 227  # of 228 rows printed
    errors = [n for n in result001.notes if n.level == "error"]
    assert len(errors) == 1
    (err,) = errors
    assert err.line == 823 and "827" in err.message and "完成率 量是否达到目标数值" in err.message
    assert err.path.endswith("001_eccba294206d44ec.txt")


@pytest.mark.parametrize("index", sorted(EXPECTED_ROWS))
def test_indicator_rows_match_the_seed(result001, index):
    assert _rows(result001.forms[index]) == EXPECTED_ROWS[index]


def test_long_texts_keep_paragraphs_and_join_wrapped_lines(result001):
    forms = result001.forms
    assert forms[0].overview == "离退休干部节日慰问金（科级及以下）"
    assert forms[1].overview == (
        "1.项目背景：根据单位履职需要。\n2.项目内容：为我单位日常工作中遇到的应急项目和设备维修提供经费支持。\n"
        "3.项目范围：福田区数据管理中心。\n4.项目实施部门：福田区数据管理中心。"
    )
    assert forms[2].overview.split("\n")[1] == (
        "2.项目内容：电脑联网服务、消防设备维保、动环监控系统运维管理保障服务、机房检测及制度编制、线路整理，保障区"
        "委区政府工作人员工作电脑的政务网络接入，保障机房环境基础设施稳定运行。"
    )
    assert forms[11].overview == (
        "1.应对预算执行中突发的应急工作等临时性急需开支；\n"
        "2.因市委市政府或上级部门临时安排的工作任务所需的新增开支；\n"
        "3.其他不可预见的开支。"
    )
    assert forms[11].annual_goal == (
        "根据预算编制说明，根据存量项目 2%-5%计提预算准备金，拟按照运维基数 1.02 亿元 1.8- 2%计提"
    )
    # a paragraph wrapped over five lines (784–794) stays one paragraph (this 项目概况 has two)
    assert forms[9].overview.count("\n") == 1 and "福田区 9 个新冠病毒疫苗接种点" in forms[9].overview
    # 年度目标 on the lines after its label, wrapped (612–615);
    # 长期目标 label wrapped as `（跨度多年` / `的项目需填）：`
    assert forms[7].annual_goal == (
        "通过本项目的实施，实施对各区政府核心系统的运维和保障，包括对区数据中心、区政务云平台、区政府在线网站确保各"
        "个系统的稳定运行，优化系统和完善系统功能，满足区委区政府各单位的使用需求。"
    )
    assert forms[10].long_term_goal == forms[10].annual_goal and forms[10].long_term_goal.endswith("网络和信息安全")
    assert forms[0].long_term_goal == (
        "通过及时完成离退休干部节日慰问金的发放，保证离休干部的节日慰问，从而有效提高离退休干部人员退休生活"
    )


def test_changes_to_the_seed_words_are_reported(result001):
    notes = result001.notes
    squeezed = [n for n in notes if n.level == "info" and "空格" in n.message]
    assert "第 37 行“3 人”→“3人”" in squeezed[0].message
    assert sum(n.message.count("→") for n in squeezed) == 17
    truncated = [n for n in notes if "括号不成对" in n.message]
    assert [n.line for n in truncated] == [677]
    assert not [n for n in notes if n.level == "warning" and n.line != 677]


_LEVEL1 = re.compile(r"^(产出|效益|满意度)(?:\s+|$)")
_LEVEL2 = re.compile(r"^\*?(数量|质量|时效|成本|经济效益|社会效益|生态效益|"
                     r"可持续影响|服务对象满意度|其他满意度)(?:\s+|$)")


def _strip_labels(text: str, seen: set[str]) -> str:
    """Leading 一级/二级 labels, each read once per form (a later `数量` line is wrapped text, line 463)."""
    for pattern in (_LEVEL1, _LEVEL2):
        m = pattern.match(text)
        if m and m.group(1) not in seen:
            seen.add(m.group(1))
            text = text[m.end():]
    return text


def test_no_character_of_the_tables_is_lost_or_invented(seed001, result001):
    """Independent of the parser: per form, the non-space characters of the table lines (labels removed) are
    exactly those of the imported rows plus those of the skipped lines."""
    text, _ = seed001
    lines = text.splitlines()
    titles = [i for i, t in enumerate(lines) if t.strip() == "二级项目支出绩效目标申报表"] + [len(lines)]
    for index, (start, end) in enumerate(pairwise(titles)):
        header = next(i for i in range(start, end) if lines[i].startswith("一级指标 二级指标"))
        printed: Counter = Counter()
        seen: set[str] = set()
        for no in range(header + 2, end + 1):
            chars = Counter(_strip_labels(lines[no - 1].strip(), seen).replace(" ", ""))
            if no not in SKIPPED.get(index, []):
                printed.update(chars)
        form = result001.forms[index]
        imported = Counter("".join(r.name + r.target + r.explanation for r in form.indicators).replace(" ", ""))
        assert imported == printed, (index, imported - printed, printed - imported)


def test_import_file_routes_001_to_the_pdf_reader(seed_paths):
    result = import_file(seed_paths["001"])
    assert len(result.forms) == 20 and result.forms[0].source.endswith(":2")


# ---- the pieces --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "≥8", ">90%", "＞90%", "≤3%", "100%", "16个", "≥180万人", "1900套", "≤758.79平方米", "≤1500万元",
    "2023年12月31日前", "2023年12月前", "及时", "有效", "显著", "稳定运转", "全区", "每季度末", "每年",
    "同比上升1%", "同比下降1%", "1小时之内", "≤5个工作日", "4个小时之内", "≥2天或16小时", "3 人", "≥153 个系统",
    "24 小时内", "> 90%", "有效保障", "有效提高", "每月30日前",
])
def test_value_grammar_accepts_the_values_of_forms_md(value):
    assert value_kind(value) == "strong"


@pytest.mark.parametrize("text", ["0", "288", "1,000"])
def test_bare_numbers_are_weak_values(text):
    assert value_kind(text) == "weak"


@pytest.mark.parametrize("text", ["该指标主要考察", "合格率", "人数是否达到目标人数", "IDC", "7*24", "",
                                  "小时人工值守率"])
def test_value_grammar_refuses_words(text):
    assert value_kind(text) is None


def test_split_row_finds_the_value_between_name_and_explanation():
    (s,) = split_row("发放离退休干部节日慰问金人数 3 人")
    assert (s.name, s.value, s.explanation) == ("发放离退休干部节日慰问金人数", "3 人", "")
    (s,) = split_row("系统运维响应时间 24 小时内 该指标主要考察系统运维响应时间情况")
    assert (s.name, s.value, s.explanation) == ("系统运维响应时间", "24 小时内", "该指标主要考察系统运维响应时间情况")
    (s,) = split_row("IDC 机房 7*24 小时人工值守率 100%")
    assert (s.name, s.value) == ("IDC 机房 7*24 小时人工值守率", "100%")
    (s,) = split_row("288 芯汇聚层光缆维护验收合格率 100%")  # the typical value wins over the bare `288`
    assert (s.name, s.value) == ("288 芯汇聚层光缆维护验收合格率", "100%")
    assert len(split_row("甲 100% 乙 90%")) == 2


# ---- what cannot be read -----------------------------------------------------------------------------

HEAD = (
    "二级项目支出绩效目标申报表\n"
    "项目编码： 440304221061500000001 项目名称： 测试项目\n"
    "申请单位： 甲单位 一级预算单位： 乙单位\n"
    "实施期限： 1 项目类型： 01 其他项目\n"
    "是否新增项目： 是 分配方式： 项目法\n"
    "项目总金额（中期规\n划，元）：\n1,000.00\n"
    "本年度项目金额\n（元）：\n500.00\n"
    "政策依据： 某某文件\n测算依据： 按实际\n年度目标： 第一段\n"
    "长期目标（跨度多年的\n项目需填）：\n长期\n"
    "一级指标 二级指标 三级指标 指标值 指标解释\n"
)  # table starts on line 19


def _parse(table: str) -> tuple[Declaration, ImportResult]:
    result = parse_pdf_text(HEAD + table, "t.txt")
    (form,) = result.forms
    return form, result


def test_basis_variant_in_yuan():
    form, _ = _parse("产出\n*数量 甲 ≥1 次 解释\n")
    assert (form.variant, form.amount_unit, form.total_amount, form.annual_amount) == (
        "basis", "元", Decimal("1000.00"), Decimal("500.00"))
    assert (form.policy_basis, form.calculation_basis, form.annual_goal, form.long_term_goal) == (
        "某某文件", "按实际", "第一段", "长期")
    assert _rows(form) == [("数量", "甲", "≥1次", "解释")]


def test_a_line_with_two_values_is_skipped_with_its_line():
    form, result = _parse("产出\n*数量 甲 100% 乙 90%\n*质量 丙 100% 解释丙\n")
    assert _rows(form) == [("质量", "丙", "100%", "解释丙")]
    (err,) = [n for n in result.notes if n.level == "error"]
    assert err.line == 20 and "甲 100% 乙 90%" in err.message


def test_a_name_without_value_is_skipped():
    form, result = _parse("产出\n*数量\n一个很长的名称\n*质量 合格率 100% 解释\n")
    assert _rows(form) == [("质量", "合格率", "100%", "解释")]
    (err,) = [n for n in result.notes if n.level == "error"]
    assert err.line == 21 and "一个很长的名称" in err.message


def test_unusual_value_in_three_certain_cells_is_read_by_position_and_reported():
    form, result = _parse("产出\n*数量 完成某事 有序推进 该指标考察某事\n")
    assert _rows(form) == [("数量", "完成某事", "有序推进", "该指标考察某事")]
    assert any(n.level == "warning" and n.line == 20 and "有序推进" in n.message for n in result.notes)


def test_undecidable_split_between_explanation_and_next_name_is_not_guessed():
    # `解释行二` / `名称行` may end the first row's explanation or begin the next row's name
    form, result = _parse("产出\n*数量 甲 100%\n解释行一\n解释行二\n名称行\n≥5 个\n解释三\n*质量 乙 100% 解释乙\n")
    assert _rows(form) == [("数量", "甲", "100%", "解释行一"), ("质量", "乙", "100%", "解释乙")]
    (err,) = [n for n in result.notes if n.level == "error"]
    assert err.line == 22 and "≥5 个" in err.message and "第 22–25 行" in err.message
    assert any(n.level == "warning" and "可能不完整" in n.message for n in result.notes)


def test_rows_before_any_label_are_reported():
    form, result = _parse("甲 100% 解释\n产出\n*数量 乙 ≥1 次\n解释\n")
    assert _rows(form) == [("数量", "乙", "≥1次", "解释")]
    assert [n.line for n in result.notes if n.level == "error"] == [19]


@pytest.mark.parametrize("text", ["", "\n\n", "会议纪要\n与绩效表无关", "\x00\x01garbage\ufffd",
                                  "一级指标 二级指标 三级指标"])
def test_text_without_a_title_is_refused(text):
    with pytest.raises(ImportFailed):
        parse_pdf_text(text, "x.txt")


def test_other_form_kinds_are_refused_or_reported():
    with pytest.raises(ImportFailed):
        parse_pdf_text("项目支出绩效自评表\n项目编码： 1\n", "x.txt")
    result = parse_pdf_text(HEAD + "产出\n*数量 甲 1 次 解释\n项目支出绩效自评表\n项目编码： 1\n", "x.txt")
    assert len(result.forms) == 1
    assert any(n.level == "error" and "自评表" in n.message for n in result.notes)


def test_title_alone_gives_a_form_and_notes():
    result = parse_pdf_text("二级项目支出绩效目标申报表\n", "x.txt")
    (form,) = result.forms
    assert form.indicators == [] and not form.project_code
    assert {n.level for n in result.notes} >= {"error"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_shuffled_and_broken_seed_lines_never_raise(seed001, data):
    """Lines of 001 dropped, repeated, cut and mixed with noise: notes or ImportFailed, never an exception."""
    text, _ = seed001
    lines = text.splitlines()
    picked = data.draw(st.lists(st.sampled_from(lines), max_size=80))
    noise = data.draw(st.lists(st.text(alphabet="产出效益数量*不适用≥％%123 个人有效及时\t：:（）万元", max_size=12),
                               max_size=10))
    cut = [ln[: data.draw(st.integers(0, len(ln)))] for ln in picked]
    body = cut + noise
    order = data.draw(st.permutations(body))
    try:
        result = parse_pdf_text("\n".join(order), "fuzz.txt")
    except ImportFailed:
        return
    assert all(isinstance(f, Declaration) for f in result.forms)
