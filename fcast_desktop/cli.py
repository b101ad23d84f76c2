"""`fcast`: the headless twin of the desktop app (see docs/spec/cli.md).

Exit status: 0 success; 1 `check` found an error-level problem; 2 unusable input, with one Chinese line on
stderr naming the file and, where known, the line. ``--json`` prints one JSON document on stdout and nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from . import __version__
from .layouts import LAYOUTS, layout_for, level2_name
from .model import AnyForm, DepartmentOverall, Project, form_code, form_unit
from .model.forms import paused_gc
from .model.skeleton import Level2
from .store.os_errors import os_error_text
from .store.project_file import ProjectFileError, load_project, save_project

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2


class Unusable(Exception):  # noqa: N818 (a message, not an error of the program)
    """Input the command cannot use; the message is the one line printed on stderr."""


def _item_encoder() -> Callable[[object], str]:
    """``json.dumps(item, ensure_ascii=False)`` for many items: the C encoder made once, not once per item (a
    quarter of a second per 100,000 problems went into making it); ``json.dumps`` itself where there is none."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return lambda item: json.dumps(item, ensure_ascii=False)
    encoder = json.JSONEncoder(ensure_ascii=False)
    try:  # (CPython's own; should its arguments ever change, the public way below)
        chunks = make({}, encoder.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)
    except TypeError:
        return lambda item: json.dumps(item, ensure_ascii=False)
    return lambda item: "".join(chunks(item, 0))


def _print_json(doc) -> None:
    """One JSON document; a list prints one item per line (readable, and json.dumps without ``indent`` uses the
    C encoder: indenting falls back to the pure-Python one, a second per 10,000 forms)."""
    if isinstance(doc, list):
        encode = _item_encoder()
        body = ",\n".join([encode(item) for item in doc])
        sys.stdout.write("[\n" + body + "\n]\n" if doc else "[]\n")
    else:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


def _load(path: str) -> Project:
    try:
        return load_project(path)
    except ProjectFileError as exc:
        raise Unusable(str(exc)) from None


LOCK_WAIT_SECONDS = 5.0
"""How long a writing command waits for another program to release the project before refusing."""

_written: list[str] = []
"""Files this run has written, for the last-resort message."""


@contextmanager
def _project_lock(target: Path, action: str):
    """Hold the lock of the project ``target`` while a command writes it (`import -o`, `rollover -o`, `explain`):
    waits ``LOCK_WAIT_SECONDS`` for another program, then refuses naming the holder; a lock left by a process that
    is gone is taken over, saying so. ``action`` (导入, 生成新年度申报, 写入说明) ends the messages."""
    from .store.lock import ProjectLock, ProjectLocked

    try:
        lock = ProjectLock.acquire(target, app="fcast", wait=LOCK_WAIT_SECONDS)
    except ProjectLocked as exc:
        raise Unusable(
            f"{exc}；等了 {LOCK_WAIT_SECONDS:g} 秒仍未释放，未写入任何内容，请对方关闭项目后再{action}") from None
    except OSError as exc:
        raise Unusable(f"{target}：无法在项目所在的文件夹中建立锁文件（{describe_os_error(exc).rpartition('：')[2]}），"
                       "未写入任何内容") from None
    with lock:
        if lock.took_over_from is not None:
            print(f"{target}：原先打开此项目的程序已不在运行（{lock.took_over_from.describe()}），已接管它留下的锁",
                  file=sys.stderr)
        yield lock


def _load_locked(target: Path, create: bool):
    """The project at ``target`` and its stamp, read once its lock is held (a new empty project when ``create``
    and there is no file)."""
    from .store.project_file import load_project_stamped

    if target.exists() or not create:
        try:
            return load_project_stamped(target)
        except ProjectFileError as exc:
            raise Unusable(str(exc)) from None
    return Project(), None


def _save_locked(project: Project, target: Path, stamp, lock, action: str) -> None:
    """Save under the lock, refusing when the lock or the file changed hands meanwhile."""
    if not lock.owns():
        raise Unusable(f"{target}：项目的锁在{action}期间被其他程序取走，未写入任何内容")
    if stamp is None and target.exists():
        raise Unusable(f"{target}：{action}期间其他程序新建了此文件，未写入任何内容")
    try:
        save_project(project, target, expected=stamp)
    except ProjectFileError as exc:  # changed on disk, read-only
        raise Unusable(str(exc)) from None
    _written.append(str(target))


def cmd_import(args) -> int:
    from .exchange.importer import import_file
    from .exchange.merge import merge_forms
    from .exchange.report import ImportFailed

    target = Path(args.output)
    with _project_lock(target, "导入") as lock:
        project, stamp = _load_locked(target, create=True)
        notes = []
        results = []
        for src in args.sources:
            _refuse_same_file(src, target, "导入的来源不能是项目文件本身，未写入任何内容")
            try:
                results.append(import_file(src))
            except ImportFailed as exc:
                raise Unusable(str(exc)) from None
        for result in results:
            notes.extend(result.notes)
        merge = merge_forms(project, (form for result in results for form in result.forms))
        merge.apply(project)
        added, skipped = len(merge.added), len(merge.skipped)
        _save_locked(project, target, stamp, lock, "导入")
    for note in notes:
        print(note, file=sys.stderr)
    msg = f"已导入 {added} 张表单到 {target}（共 {len(project.forms)} 张）"
    if skipped:
        msg += f"；{skipped} 张已在项目中，未重复导入"
    print(msg, file=sys.stderr)
    return EXIT_OK


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(os.path.realpath(a)) == Path(os.path.realpath(b))


def _refuse_same_file(a: str | Path, b: str | Path, what: str) -> None:
    if _same_file(a, b):
        raise Unusable(f"{a}：{what}")


def _is_project_file(path: str | Path) -> bool:
    """A .fcast file, or any file whose content is a project (a backup, a renamed project)."""
    name = Path(path).name.lower()
    if name.endswith((".fcast", ".fcast.bak")):
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"{") and b'"fcast-project"' in head


def list_entries(project: Project) -> list[dict]:
    out = []
    for n, form in enumerate(project.forms):
        out.append(
            {
                "form": n,
                "form_type": form.kind,
                "project_code": form_code(form),
                "project_name": getattr(form, "project_name", "") if not isinstance(form, DepartmentOverall) else "",
                "unit": form_unit(form),
                "year": getattr(form, "year", None),
                "indicator_rows": len(form.indicators),
            }
        )
    return out


def cmd_list(args) -> int:
    from .model import FORM_KIND_SHORT

    project = _load(args.project)
    entries = list_entries(project)
    if args.json:
        _print_json(entries)
        return EXIT_OK
    for e in entries:
        name = e["project_name"] or e["unit"]
        year = e["year"] if e["year"] is not None else "—"
        code, kind, rows = e["project_code"] or "—", FORM_KIND_SHORT[e["form_type"]], e["indicator_rows"]
        print(f"{e['form']:>3}  {kind}  {code:<21}  {year}  {name}  （{rows} 行指标）")
    return EXIT_OK


def check_counts(entries: list[dict]) -> dict[str, int]:
    """`fcast check --json` entries counted as the summary line and `fcast report` count them: an explained problem
    counts as explained (not as a warning or an error), a hint as a hint."""
    out = {"errors": 0, "warnings": 0, "explained": 0, "hints": 0}
    for e in entries:
        kind = "explained" if "explanation" in e else {"error": "errors", "warning": "warnings"}.get(e["severity"],
                                                                                                   "hints")
        out[kind] += 1
    return out


def cmd_check(args) -> int:
    """Read, check and print with cyclic garbage collection paused throughout (``model.forms.paused_gc``): reading
    and checking pause it each for itself, but a pass starting between them or while the problems are printed walks
    the whole project just made (a third of a second at 10,000 forms). The project and the problems are freed
    before collection resumes."""
    from .rules.report import check_entries

    with paused_gc():
        project = _load(args.project)
        entries = check_entries(project, hints=True)
        del project
        n = check_counts(entries)
        if args.json:
            _print_json(entries)
        else:
            _print_problems(entries, n)
        del entries
    return EXIT_PROBLEMS if n["errors"] else EXIT_OK


def _print_problems(entries: list[dict], n: dict[str, int]) -> None:
    from .rules.catalogue import SEVERITY_NAMES

    lines = []  # written at once: a print per problem cost a tenth of a second per 100,000 problems
    for e in entries:
        where = e["column"] + (f" 第 {e['row'] + 1} 行" if e["row"] is not None else "")
        sev = SEVERITY_NAMES[e["severity"]] + ("（已说明）" if "explanation" in e else "")
        note = f"（说明：{e['explanation']}）" if "explanation" in e else ""
        code = e["project_code"] or "—"
        lines.append(f"表{e['form']:>3} {code}  {sev}  [{e['rule']}] {where}：{e['message']}{note}\n")
    sys.stdout.write("".join(lines))
    print(f"共 {len(entries)} 个问题：错误 {n['errors']} 个，警告 {n['warnings']} 个"
          f"（已说明 {n['explained']} 个），提示 {n['hints']} 个", file=sys.stderr)


def cmd_score(args) -> int:
    from .rules.report import score_entries

    project = _load(args.project)
    entries = score_entries(project)
    if args.json:
        _print_json(entries)
    else:
        for e in entries:
            f = e["funds"]
            print(
                f"表{e['form']:>3} {e['project_code']}  {e['project_name']}  执行率 {f['execution_rate'] or '—'}%  "
                f"资金得分 {f['score'] or '—'}  总分 {e['total'] or '—'}  "
                f"{e['grade'] or ('（分值合计不是 100，不评等级）' if e['total'] else '')}"
            )
    return EXIT_OK


FORM_KINDS = tuple(LAYOUTS)  # declaration, self_evaluation, department_overall: the official order
CODE = layout_for("declaration").field("project_code").name  # 项目编码, as the forms print it


def _describe(n: int, form: AnyForm) -> str:
    from .model import FORM_KIND_SHORT

    year = getattr(form, "year", None)
    return f"表 {n}（{FORM_KIND_SHORT[form.kind]}{f'，{year}年' if year is not None else ''}）"


def select_form(project: Project, spec: str, path: str) -> AnyForm:
    """The one form ``--form`` names: a 项目编码 (when only one form has it), ``CODE@KIND`` (KIND one of
    declaration, self_evaluation, department_overall; ``@department_overall`` alone for the department form), or
    the form's number in `fcast list`. Anything that names no form or several raises ``Unusable``."""
    spec = spec.strip()
    code, _, kind = spec.partition("@")
    code, kind = code.strip(), kind.strip()
    if kind and kind not in FORM_KINDS:
        raise Unusable(f"{path}：--form {spec} 中的表单类型“{kind}”未知，应为 {' / '.join(FORM_KINDS)}")
    indexed = list(enumerate(project.forms))
    found = [(n, f) for n, f in indexed if (not code or form_code(f) == code) and (not kind or f.kind == kind)]
    if not found and not kind and code.isdigit() and int(code) < len(project.forms):
        return project.forms[int(code)]  # the number shown by `fcast list`
    if not found:
        what = "、".join(([f"{CODE}为 {code}"] if code else []) + ([f"类型为 {kind}"] if kind else []))
        raise Unusable(f"{path}：没有{what} 的表单（--form {spec}）；可用 fcast list {path} 查看表单及其序号")
    if len(found) == 1:
        return found[0][1]
    choices = "、".join(_describe(n, f) for n, f in found)
    kinds = sorted({f.kind for _n, f in found}, key=FORM_KINDS.index)
    how = (" 或 ".join(f"--form {code}@{k}" for k in kinds) + " 或 ") if len(kinds) == len(found) and code else ""
    raise Unusable(f"{path}：--form {spec} 对应 {len(found)} 张表单：{choices}；请用 {how}--form 序号（如 --form "
                   f"{found[0][0]}）只选一张")


def cmd_export(args) -> int:
    out = args.pdf or args.xlsx
    _refuse_same_file(out, args.project, "导出的文件不能是项目文件本身，未写入任何内容；请换一个文件名")
    if _is_project_file(out):
        raise Unusable(f"{out}：这是项目文件，导出不会覆盖项目文件，未写入任何内容；请换一个文件名（如 .pdf / .xlsx）")
    project = _load(args.project)
    forms = project.forms
    if args.form is not None:
        forms = [select_form(project, args.form, args.project)]
    from .exchange.report import ExportCancelled, ExportError

    try:
        if args.pdf:
            from .exchange.pdf_export import export_pdf

            export_pdf(project, forms, args.pdf)
        else:
            from .exchange.xlsx_export import export_xlsx

            export_xlsx(project, forms, args.xlsx)
    except (ExportError, ExportCancelled) as exc:
        raise Unusable(f"{args.pdf or args.xlsx}：未导出。{exc}") from None
    _written.append(str(out))
    print(f"已导出 {len(forms)} 张表单到 {args.pdf or args.xlsx}", file=sys.stderr)
    return EXIT_OK


def _form_index(project: Project, form: AnyForm) -> int:
    return next(n for n, f in enumerate(project.forms) if f is form)


def cmd_rollover(args) -> int:
    """Next year's drafts from this year's forms, written to a new (or another) project, never to PROJECT."""
    from .exchange.merge import form_identity
    from .rules.checks import YEARS
    from .rules.rollover import RolloverError, rollover
    from .store.project_file import backup_path

    target = Path(args.output)
    if _same_file(target, args.project) or _same_file(target, backup_path(args.project)):
        raise Unusable(f"{target}：新年度申报不能写入原项目文件本身（-o 应是另一个文件，如 2024年.fcast），"
                       "未写入任何内容")
    if args.year not in YEARS:
        raise Unusable(f"{args.project}：--year {args.year} 不是有效的年度，应为四位年份（如 2024）")
    project = _load(args.project)
    chosen = None
    if args.form:
        chosen = []
        for spec in args.form:
            n = _form_index(project, select_form(project, spec, args.project))
            if n not in chosen:
                chosen.append(n)
    try:
        result = rollover(project, args.year, chosen)
    except RolloverError as exc:
        raise Unusable(f"{args.project}：{exc}") from None
    if not result.drafts:
        raise Unusable(f"{args.project}：项目中没有早于 {args.year} 年的申报表或部门整体表，未生成任何表单")
    with _project_lock(target, "生成新年度申报") as lock:
        new, stamp = _load_locked(target, create=True)
        if stamp is None:
            new.unit, new.year, new.profile = project.unit, args.year, project.profile
        existing = {form_identity(f) for f in new.forms}
        added = [d for d in result.drafts if form_identity(d) not in existing]
        new.forms.extend(added)
        _save_locked(new, target, stamp, lock, "生成新年度申报")
    if args.json:
        _print_json([c.entry() for c in result.changes])
    else:
        for c in result.changes:
            print(c.line())
    for note in result.notes:
        print(note, file=sys.stderr)
    msg = (f"已生成 {len(added)} 张 {args.year} 年的申报草稿到 {target}（{len(result.changes)} 处修改）；"
           f"{len(result.reviews)} 个金额沿用上年，已标为待核对")
    if len(added) < len(result.drafts):
        msg += f"；{len(result.drafts) - len(added)} 张已在 {target} 中，未重复写入"
    print(msg, file=sys.stderr)
    return EXIT_OK


def _place_matches(form: AnyForm, e, row: int | None, column: str | None) -> bool:
    """``e`` (a Problem or an Explanation) at 第 ``row`` 行 (1-based, as `fcast check` prints it) and ``column``: the
    column title or header label, or the place as `fcast report` writes it (a 二级指标 such as 成本指标)."""
    from .rules.checklist import place_text

    if row is not None and e.row != row - 1:
        return False
    if column is None:
        return True
    wanted = column.strip().lstrip("*")
    return wanted in ((e.column or "").lstrip("*"), place_text(form, e))


def cmd_explain(args) -> int:
    """Attach a 说明 to one open warning (or remove it with --clear); takes the project's lock."""
    from .rules.catalogue import RULES, SEVERITY_NAMES
    from .rules.checklist import place_text
    from .rules.checks import check_form
    from .rules.explanations import explain, explainable, form_findings

    if args.text is not None and not args.text.strip():
        raise Unusable(f"{args.project}：--text 的说明不能为空")
    target = Path(args.project)
    with _project_lock(target, "写入说明") as lock:
        project, stamp = _load_locked(target, create=False)
        form = select_form(project, args.form, args.project)
        n = _form_index(project, form)
        if args.rule not in RULES:
            raise Unusable(f"{args.project}：没有规则“{args.rule}”；规则编号是 fcast check 输出中方括号里的内容")
        where = (f" 第 {args.row} 行" if args.row is not None else "") + (f"“{args.column}”" if args.column else "")
        if args.clear:
            gone = [e for e in project.explanations if e.form_id == form.id and e.rule == args.rule
                    and _place_matches(form, e, args.row, args.column)]
            if not gone:
                raise Unusable(f"{args.project}：{_describe(n, form)}{where}没有规则 {args.rule} 的说明，未改动")
            project.explanations = [e for e in project.explanations if all(e is not g for g in gone)]
            done = f"已删除 {_describe(n, form)} 的 {len(gone)} 条说明（[{args.rule}]）"
        else:
            found = [f for f in form_findings(project, form, check_form(form, None, project, hints=True), n)
                     if f.problem.rule == args.rule]
            here = [f for f in found if _place_matches(form, f.problem, args.row, args.column)]
            places = "、".join(place_text(form, f.problem) for f in found[:10])
            if not here:
                also = f"；此表中该规则的问题在：{places}" if found else ""
                raise Unusable(f"{args.project}：{_describe(n, form)}{where}没有规则 {args.rule} 的问题{also}，未改动")
            if len(here) > 1:
                raise Unusable(f"{args.project}：{_describe(n, form)}中规则 {args.rule} 的问题有 {len(here)} 处："
                               f"{places}；请用 --row（fcast check 显示的行号）或 --column 指明一处，未改动")
            (finding,) = here
            if not explainable(finding.problem, form, project):
                sev = SEVERITY_NAMES[finding.problem.severity]
                why = "提示不需要说明" if finding.problem.severity == "hint" else "错误须改正，规则配置不允许用说明代替"
                raise Unusable(f"{args.project}：[{args.rule}] 是{sev}，{why}，未改动")
            project.explanations = explain(project, form, finding.problem, args.text)
            verb = "已更新" if finding.explanation is not None else "已添加"
            done = f"{verb} {_describe(n, form)}“{place_text(form, finding.problem)}”的说明（[{args.rule}]）"
        _save_locked(project, target, stamp, lock, "写入说明")
    print(done, file=sys.stderr)
    return EXIT_OK


def cmd_report(args) -> int:
    """上报前检查清单 of the whole project: --json, or a PDF / Excel file."""
    from .rules.checklist import checklist, checklist_json

    out = args.pdf or args.xlsx
    if out:
        _refuse_same_file(out, args.project, "清单不能写到项目文件本身，未写入任何内容；请换一个文件名")
        if _is_project_file(out):
            raise Unusable(f"{out}：这是项目文件，清单不会覆盖项目文件，未写入任何内容；"
                           "请换一个文件名（如 .pdf / .xlsx）")
    project = _load(args.project)
    c = checklist(project)
    doc = checklist_json(c)
    if args.json:
        _print_json(doc)
        return EXIT_OK
    from .exchange.checklist import export_checklist_pdf, export_checklist_xlsx
    from .exchange.report import ExportCancelled, ExportError

    try:
        (export_checklist_pdf if args.pdf else export_checklist_xlsx)(c, out)
    except (ExportError, ExportCancelled) as exc:
        raise Unusable(f"{out}：未导出。{exc}") from None
    _written.append(str(out))
    t = cast("dict[str, int]", doc["totals"])
    print(f"已导出上报前检查清单到 {out}：共 {t['forms']} 张表单，可上报 {t['ready']} 张；错误 {t['errors']} 个，"
          f"未说明的警告 {t['warnings']} 个，已说明 {t['explained']} 个，提示 {t['hints']} 个", file=sys.stderr)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fcast", description="绩效表单助手命令行：导入、列出、检查、评分、导出、新年度申报、说明、上报前检查清单")
    parser.add_argument("--version", action="version", version=f"fcast {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    declaration = layout_for("declaration")  # the official words of the help texts

    p = sub.add_parser("import", help="把公开表格文本或本程序导出的 xlsx 导入项目文件")
    p.add_argument("sources", nargs="+", metavar="SRC")
    p.add_argument("-o", "--output", required=True, metavar="PROJECT")
    p.set_defaults(func=cmd_import)

    for name, func, text in (
        ("list", cmd_list, "列出项目中的表单"),
        ("check", cmd_check, "检查每张表单"),
        ("score", cmd_score, "计算绩效自评表得分"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("project", metavar="PROJECT")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=func)

    p = sub.add_parser("export", help="导出 PDF 或 Excel")
    p.add_argument("project", metavar="PROJECT")
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--pdf", metavar="OUT")
    out.add_argument("--xlsx", metavar="OUT")
    p.add_argument("--form", metavar="CODE",
                   help=f"只导出一张表单：{CODE}；编码对应多张表单时用 编码@declaration / 编码@self_evaluation，"
                        "或 fcast list 中的序号")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("rollover", help="由本年度的申报表生成下一年度的申报草稿（写入另一个项目文件）")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--year", type=int, required=True, metavar="N", help="新申报的年度，如 2024")
    p.add_argument("-o", "--output", required=True, metavar="NEW", help="写入的项目文件（新建或追加；不能是 PROJECT）")
    p.add_argument("--form", action="append", metavar="REF",
                   help=f"只由这张表单生成（可重复）：fcast list 中的序号、{CODE}或 编码@类型；"
                        "默认为最近一年的全部申报表和部门整体表")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_rollover)

    p = sub.add_parser("explain", help="为一个警告写说明（出错说明），或用 --clear 删除说明")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--form", required=True, metavar="REF", help=f"fcast list 中的序号、{CODE}或 编码@类型")
    p.add_argument("--rule", required=True, metavar="RULE", help="规则编号，即 fcast check 输出中方括号里的内容")
    p.add_argument("--row", type=int, metavar="N", help="fcast check 显示的“第 N 行”（--json 的 row 加 1）")
    p.add_argument("--column", metavar="TITLE",
                   help=f"列名或表头字段名，如 {declaration.column('target').name}、"
                        f"{declaration.field('annual_amount').label.replace('{unit}', '万元')}；"
                        f"缺少的{declaration.column('level2').name}写其名称，如 {level2_name(Level2.COST)}")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", metavar="TEXT", help="说明的内容")
    what.add_argument("--clear", action="store_true", help="删除这处的说明")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("report", help="上报前检查清单：每张表单的状态、未解决的问题和全部说明")
    p.add_argument("project", metavar="PROJECT")
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--pdf", metavar="OUT")
    out.add_argument("--xlsx", metavar="OUT")
    out.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_report)
    return parser


def describe_os_error(exc: OSError) -> str:
    """One Chinese line for an operating-system error: the file and what went wrong (no English strerror)."""
    return os_error_text(exc)


def _internal_error(exc: BaseException) -> str:
    """The last-resort line: which error and where (for the maintainers), and what happened to the files."""
    tb = exc.__traceback__
    where = ""
    while tb is not None:
        code = tb.tb_frame.f_code
        if "fcast_desktop" in code.co_filename:
            where = f"{Path(code.co_filename).name}:{tb.tb_lineno}"
        tb = tb.tb_next
    files = "已写入 " + "、".join(_written) if _written else "没有写入或改动任何文件"
    return (f"内部错误（{type(exc).__name__}{'，' + where if where else ''}），{files}；"
            "请把此信息告诉维护人员")


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)  # not on every stream (a test's StringIO)
        try:
            if reconfigure is not None:
                reconfigure(encoding="utf-8")  # Windows consoles default to the ANSI code page
        except ValueError:
            pass
    args = build_parser().parse_args(argv)
    _written.clear()
    try:
        return args.func(args)
    except Unusable as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as exc:
        print(describe_os_error(exc), file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        done = ("（已写入 " + "、".join(_written) + "）") if _written else "；项目保持原样或已完整保存"
        print("已中断" + done, file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001  last resort: never a traceback; exit 1 means "check found errors"
        print(_internal_error(exc), file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
