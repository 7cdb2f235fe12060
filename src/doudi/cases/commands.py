"""`doudi case …`, `doudi review due`, `doudi recert …`, `doudi change …`, `doudi signoff`: cases and
dynamic management from the command line. Every command that changes something takes `--by NAME`, which the
audit trail records."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from doudi.cases import dynamic, service
from doudi.cases.applicant import register_applicant
from doudi.cases.errors import CaseError
from doudi.cases.session import unit_of_work
from doudi.cases.states import STATES, actions_for, allowed_actions, state_name
from doudi.cases.tekun import CARE_FORMS, SELF_CARE, Findings
from doudi.cases.temporary import KINDS
from doudi.cli import parse_day
from doudi.policy.money import MoneyError, format_yuan, yuan_to_fen
from doudi.registry.database import open_registry
from doudi.rules.explain import chinese_date

# Long Chinese lines stay whole (copyable case numbers); user text is never read as Rich markup.
console = Console(soft_wrap=True, markup=False, highlight=False)
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="数据库地址，默认取 DOUDI_DATABASE_URL 或 ./doudi.sqlite")
]
By = Annotated[str, typer.Option("--by", help="经办人姓名（记入审计记录）")]
On = Annotated[str | None, typer.Option("--on", help="办理日期 YYYY-MM-DD，默认今天")]


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CaseError(f"无法读取 {path}：{error}") from None


@contextmanager
def _work(url: str | None) -> Iterator[Session]:
    engine = open_registry(url)
    try:
        with unit_of_work(engine) as session:
            yield session
    finally:
        engine.dispose()


def _run(url: str | None, action: Callable[[Session], Any]) -> Any:
    try:
        with _work(url) as session:
            return action(session)
    except CaseError as error:
        console.print(f"未办理：{error}", style="red", markup=False)
        raise typer.Exit(1) from None


def _case_line(session: Session, case_ref: str) -> None:
    case = service.get_case(session, case_ref)
    table = actions_for(case.program)
    actions = "、".join(
        f"{table[a][2]}（{a.replace('_', '-')}）" for a in allowed_actions(case.state, case.profile_id, case.program)
    )
    console.print(
        f"案件 {case.case_no}：{state_name(case.state, case.program)}（版本 {case.version}）；"
        f"下一步可办理：{actions or '无（已办结）'}"
    )


def register(app: typer.Typer) -> None:
    case_app = typer.Typer(
        name="case", help="案件：一门受理、调查核实、审核审批、公示、确认或不予批准。", no_args_is_help=True
    )

    @case_app.command("new")
    def new(
        by: By,
        household: Annotated[str | None, typer.Option("--household", help="户 ID（登记库中的户）")] = None,
        household_json: Annotated[
            Path | None, typer.Option("--household-json", help="新申请家庭的 JSON（格式见 README），先登记入库")
        ] = None,
        program: Annotated[
            str, typer.Option("--program", help="dibao 低保 | tekun 特困 | temporary 临时救助")
        ] = "dibao",
        document: Annotated[list[str] | None, typer.Option("--document", help="已收材料，可重复")] = None,
        referred_by: Annotated[str | None, typer.Option("--referred-by", help="转介部门（部门转介时）")] = None,
        applicant: Annotated[str | None, typer.Option("--applicant", help="申请人身份证号，默认户主")] = None,
        commitment: Annotated[bool, typer.Option("--commitment", help="申请人已书面承诺（特事特办，PRO-4）")] = False,
        profile: Annotated[str | None, typer.Option("--profile", help="政策配置，默认按地区和日期")] = None,
        on: On = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """一门受理（PRO-1）：登记申请或转介，给出案件编号，一次性告知缺少的材料。"""

        def action(session: Session) -> None:
            channel = "fast_track" if commitment else "referral" if referred_by else "application"
            household_id = household
            if household_json is not None:
                household_id = register_applicant(session, _read_json(household_json), parse_day(on)).id
            if not household_id or (household and household_json):
                raise CaseError("请用 --household 指定登记库中的户，或用 --household-json 登记新申请家庭（二选一）")
            case = service.open_case(
                session,
                household_id=household_id,
                program=program,
                by=by,
                received_on=parse_day(on),
                documents=document or [],
                channel=channel,
                referred_by=referred_by,
                applicant_id_number=applicant,
                written_commitment=commitment,
                profile_id=profile,
            )
            console.print(f"已受理，案件编号 {case.case_no}（政策配置 {case.profile_id}）")
            missing = json.loads(case.documents_missing)
            if missing:
                console.print(f"一次性告知：尚缺材料 {'、'.join(missing)}")

        _run(database_url, action)

    @case_app.command("show")
    def show(case: str, database_url: DatabaseUrl = None) -> None:
        """显示案件：材料、调查记录、办理环节、测算结果及其说明。"""

        def action(session: Session) -> None:
            found = service.get_case(session, case)
            shown = service.describe(session, found)
            console.print(
                f"案件 {shown['case_no']}：{shown['program']}，{shown['channel']}，户 {shown['household_id']}"
            )
            console.print(f"申请人：{shown['applicant']}；受理日期：{chinese_date(found.received_on)}")
            console.print(
                f"已收材料：{'、'.join(shown['documents_received']) or '无'}；"
                f"尚缺：{'、'.join(shown['documents_missing']) or '无'}"
            )
            for item in shown["investigations"]:
                console.print(f"  {item['on']} {item['kind']}（{'、'.join(item['people'])}）：{item['findings']}")
            for item in shown["tekun_findings"]:
                answers = "；".join(
                    f"{label}{'：是' if item[label] else '：否'}" for label in service.tekun.CONDITIONS.values()
                )
                console.print(
                    f"  {item['on']} 特困认定 {item['person']}：{answers}；{item['self_care']}，{item['care_form']}；"
                    f"{item['findings']}"
                )
            for item in shown["objections"]:
                console.print(f"  {item['on']} 公示异议（{item['by'] or '匿名'}）：{item['content']}")
            if found.posting_start and found.posting_end:
                console.print(f"公示：{chinese_date(found.posting_start)} 至 {chinese_date(found.posting_end)}")
            if found.refusal_reason:
                console.print(f"不予批准理由：{found.refusal_reason}")
            if found.temporary_assistance_fen is not None:
                console.print(f"先行临时救助（1个月，城市低保标准）：{format_yuan(found.temporary_assistance_fen)}")
            if found.explanation_text:
                console.print(found.explanation_text)
            _case_line(session, case)

        _run(database_url, action)

    @case_app.command("investigate")
    def investigate(
        case: str,
        kind: Annotated[
            str, typer.Option("--kind", help="入户调查 | 邻里访问 | 信函索证 | 民主评议 | 家庭经济状况信息核对")
        ],
        people: Annotated[list[str], typer.Option("--person", help="参加人员，可重复（入户调查至少2人）")],
        findings: Annotated[str, typer.Option("--findings", help="调查结论")],
        by: By,
        on: On = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """登记调查核实记录（ASM-7）。"""

        def action(session: Session) -> None:
            service.add_investigation(
                session, case, kind=kind, on=parse_day(on), people=people, findings=findings, by=by
            )
            console.print(f"已登记{kind}记录")
            _case_line(session, case)

        _run(database_url, action)

    def _step(name: str, doc: str, call: Callable[..., Any]) -> None:
        def command(case: str, by: By, on: On = None, database_url: DatabaseUrl = None) -> None:
            def action(session: Session) -> None:
                call(session, case, by=by, on=parse_day(on))
                _case_line(session, case)

            _run(database_url, action)

        command.__doc__ = doc
        case_app.command(name)(command)

    _step("review", "村级评议审核（PRO-2）：须有入户调查（至少2人）和民主评议记录。", service.review)

    @case_app.command("tekun-findings")
    def tekun_findings(
        case: str,
        by: By,
        self_care: Annotated[str, typer.Option("--self-care", help="生活自理能力评估：" + " | ".join(SELF_CARE))],
        care_form: Annotated[str, typer.Option("--care-form", help=" | ".join(CARE_FORMS))],
        findings: Annotated[str, typer.Option("--findings", help="认定依据（入户所见、残疾证、有无赡养人等）")],
        no_work_capacity: Annotated[
            bool, typer.Option("--no-work-capacity/--has-work-capacity", help="无劳动能力")
        ] = False,
        no_income_source: Annotated[
            bool, typer.Option("--no-income-source/--has-income-source", help="无生活来源")
        ] = False,
        no_supporter: Annotated[
            bool,
            typer.Option(
                "--no-supporter/--has-supporter", help="无法定赡养、抚养、扶养义务人，或者其法定义务人无履行义务能力"
            ),
        ] = False,
        person: Annotated[str | None, typer.Option("--person", help="申请特困供养的人的身份证号，默认申请人")] = None,
        on: On = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """登记特困认定情况（TK-1）：三项条件、生活自理能力、供养方式；审批以最近一次登记为准。"""

        def action(session: Session) -> None:
            service.record_tekun_findings(
                session,
                case,
                id_number=person,
                on=parse_day(on),
                found=Findings(no_work_capacity, no_income_source, no_supporter, self_care, care_form, findings),
                by=by,
            )
            console.print("已登记特困认定情况")
            _case_line(session, case)

        _run(database_url, action)

    @case_app.command("approve")
    def approve(
        case: str,
        by: By,
        amount: Annotated[str | None, typer.Option("--amount", help="临时救助金额（元），仅临时救助")] = None,
        kind: Annotated[str | None, typer.Option("--kind", help="临时救助类型：" + " | ".join(KINDS))] = None,
        reason: Annotated[str | None, typer.Option("--reason", help="临时救助事由")] = None,
        on: On = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """乡镇审核批准（PRO-2），保存决定及其说明：低保按政策测算；特困按认定情况和供养标准（TK-1、STD-4、STD-5）；
        临时救助由乡镇审批、一次性发放（PRO-5，须 --amount --kind --reason）。"""

        def action(session: Session) -> None:
            try:
                amount_fen = yuan_to_fen(amount) if amount is not None else None
            except MoneyError as error:
                raise CaseError(str(error)) from None
            found = service.approve(
                session, case, by=by, on=parse_day(on), amount_fen=amount_fen, kind=kind, reason=reason
            )
            if found.explanation_text and found.program != "dibao":
                console.print(found.explanation_text)
            _case_line(session, case)

        _run(database_url, action)

    _step("confirm", "县级确认（审批或备案，PRO-2）：公示期满后办理，次月起发放（COV-7）。", service.confirm)
    _step("fast-track", "特事特办、先行纳入（PRO-4）：当日审核、审批、备案，先给1个月临时救助。", service.fast_track)

    @case_app.command("post")
    def post(
        case: str,
        by: By,
        start: Annotated[str | None, typer.Option("--start", help="公示开始日期，默认今天")] = None,
        end: Annotated[str | None, typer.Option("--end", help="公示结束日期，默认公示满7天")] = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """张榜公示（PRO-3），不少于7天。"""

        def action(session: Session) -> None:
            found = service.post(session, case, by=by, start=parse_day(start), end=parse_day(end) if end else None)
            assert found.posting_start and found.posting_end
            console.print(f"公示期：{chinese_date(found.posting_start)} 至 {chinese_date(found.posting_end)}")
            _case_line(session, case)

        _run(database_url, action)

    @case_app.command("object")
    def object_command(
        case: str,
        by: By,
        content: Annotated[str, typer.Option("--content", help="异议内容")],
        raised_by: Annotated[str | None, typer.Option("--raised-by", help="提出人（可匿名）")] = None,
        on: On = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """登记公示期间的异议；案件转入复查，须重新调查后再审批。"""

        def action(session: Session) -> None:
            service.object_to(session, case, by=by, on=parse_day(on), content=content, raised_by=raised_by)
            _case_line(session, case)

        _run(database_url, action)

    @case_app.command("refuse")
    def refuse(
        case: str,
        by: By,
        reason: Annotated[str, typer.Option("--reason", help="不予批准的理由")],
        on: On = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """不予批准，记录理由；建档立卡户移交扶贫部门（COV-6）。"""

        def action(session: Session) -> None:
            service.refuse(session, case, by=by, on=parse_day(on), reason=reason)
            _case_line(session, case)

        _run(database_url, action)

    @case_app.command("list")
    def list_command(
        region: Annotated[str | None, typer.Option("--region", help="地区代码前缀")] = None,
        state: Annotated[str | None, typer.Option("--state", help="received | village_reviewed | … | refused")] = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """案件列表（最新在前）：编号、项目、户、申请人（身份证号脱敏）、状态。"""

        def action(session: Session) -> None:
            cases = service.list_cases(session, region, state)
            table = Table("案件编号", "项目", "户", "申请人", "受理日期", "状态", title=f"案件 {len(cases)} 件")
            for case in cases:
                table.add_row(
                    case.case_no,
                    service.PROGRAMS[case.program],
                    case.household_id,
                    case.applicant_name,
                    chinese_date(case.received_on),
                    state_name(case.state, case.program),
                )
            console.print(table)

        _run(database_url, action)

    @case_app.command("overdue")
    def overdue(
        region: Annotated[str | None, typer.Option("--region", help="地区代码前缀")] = None,
        on: On = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """逾期案件：按工作日（周末、法定节假日除外）计算的办理时限已过。"""

        def action(session: Session) -> None:
            late = service.overdue(session, parse_day(on), region)
            table = Table("案件编号", "环节", "起算日", "时限", "逾期天数", title=f"逾期案件 {len(late)} 件")
            for item in late:
                table.add_row(
                    item.case_no,
                    STATES[item.state],
                    chinese_date(item.since),
                    chinese_date(item.due),
                    str(item.days_late),
                )
            console.print(table)

        _run(database_url, action)

    app.add_typer(case_app)

    review_app = typer.Typer(name="review", help="定期复核（DYN-4）。", no_args_is_help=True)

    @review_app.command("due")
    def due(
        region: Annotated[str | None, typer.Option("--region", help="地区代码前缀")] = None,
        on: On = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """到期应复核的低保户：C类每季、B类每半年、A类每年（按政策配置）。"""

        def action(session: Session) -> None:
            items = dynamic.review_due(session, parse_day(on), region)
            table = Table("户", "类别", "周期（月）", "应复核日期", title=f"应复核 {len(items)} 户")
            for item in items:
                table.add_row(
                    item.household_id,
                    item.benefit_class or "—",
                    str(item.interval_months),
                    chinese_date(item.next_review),
                )
            console.print(table)

        _run(database_url, action)

    app.add_typer(review_app)

    change_app = typer.Typer(
        name="change", help="动态管理：报告变化，按政策测算提出维持、调整、渐退或退出。", no_args_is_help=True
    )

    def _show_report(report: Any) -> None:
        record = json.loads(report.decision_json)
        risk = "较大" if report.fall_back_risk_high else "较小"
        console.print(
            f"变化报告 {report.id}：建议{dynamic.PROPOSALS[report.proposal]}；月保障金 ¥{record['monthly_benefit']}；"
            f"{record['reason']}（{'、'.join(record['rules'])}）；返贫风险{risk}（EXIT-4）"
        )

    @change_app.command("income")
    def income(
        household: str,
        by: By,
        kind: Annotated[
            str,
            typer.Option(
                "--kind", help="wage | business | property | transfer | basic_pension | project_dividend | other"
            ),
        ],
        yearly: Annotated[str, typer.Option("--yearly", help="新的年收入（元）")],
        member: Annotated[str | None, typer.Option("--member", help="取得收入的成员身份证号")] = None,
        poverty_project: Annotated[bool, typer.Option("--poverty-project", help="通过扶贫项目取得")] = False,
        on: On = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """收入变化：改写该类收入并重新测算。"""

        def action(session: Session) -> None:
            try:
                amount = yuan_to_fen(yearly)
            except MoneyError as error:
                raise CaseError(str(error)) from None
            _show_report(
                dynamic.record_income(
                    session,
                    household,
                    kind=kind,
                    yearly_fen=amount,
                    id_number=member,
                    on=parse_day(on),
                    by=by,
                    poverty_project=poverty_project,
                )
            )

        _run(database_url, action)

    @change_app.command("death")
    def death(
        household: str,
        by: By,
        member: Annotated[str, typer.Option("--member", help="死亡成员身份证号")],
        on: Annotated[str, typer.Option("--on", help="死亡日期 YYYY-MM-DD")],
        database_url: DatabaseUrl = None,
    ) -> None:
        """成员死亡：登记并重新测算。"""
        _run(database_url, lambda s: _show_report(dynamic.record_death(s, household, member, parse_day(on), by)))

    @change_app.command("property")
    def property_change(
        household: str,
        by: By,
        note: Annotated[str, typer.Option("--note", help="财产变化说明")],
        within_rules: Annotated[
            bool, typer.Option("--within-rules/--beyond-rules", help="财产是否仍符合当地规定")
        ] = True,
        on: On = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """财产变化：登记并重新测算。"""
        _run(
            database_url,
            lambda s: _show_report(
                dynamic.record_property(s, household, within_rules=within_rules, note=note, on=parse_day(on), by=by)
            ),
        )

    @change_app.command("assess")
    def assess(
        household: str,
        by: By,
        note: Annotated[str, typer.Option("--note", help="说明（如入户走访、成员变化已在台账更新）")] = "入户走访",
        on: On = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """按登记库现状重新测算（台账已更新的成员变化、走访），提出建议。"""
        _run(
            database_url,
            lambda s: _show_report(
                dynamic.propose(s, household, kind="member", description=note, on=parse_day(on), by=by)
            ),
        )

    @change_app.command("apply")
    def apply_command(report: int, by: By, on: On = None, database_url: DatabaseUrl = None) -> None:
        """执行变化报告的建议；退出前核对返贫风险（EXIT-4）。"""

        def action(session: Session) -> None:
            done = dynamic.apply(session, report, by=by, on=parse_day(on))
            console.print(f"已执行：{dynamic.PROPOSALS[done.proposal]}（户 {done.household_id}）")

        _run(database_url, action)

    app.add_typer(change_app)

    recert_app = typer.Typer(name="recert", help="年度复核认定（DYN-3）。", no_args_is_help=True)

    @recert_app.command("open")
    def recert_open(
        region: Annotated[str, typer.Option("--region", help="地区代码前缀")],
        year: Annotated[int, typer.Option("--year")],
        by: By,
        on: On = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """开始一个地区的年度复核：列入全部在保低保户并逐户测算。"""

        def action(session: Session) -> None:
            campaign = dynamic.open_campaign(session, region_prefix=region, year=year, by=by, on=parse_day(on))
            count = dynamic.assess_campaign(session, campaign.id, by=by, on=parse_day(on))
            console.print(f"复核批次 {campaign.id}：{count} 户，应于 {chinese_date(campaign.due_on)} 前完成")

        _run(database_url, action)

    @recert_app.command("status")
    def recert_status(campaign: int, database_url: DatabaseUrl = None) -> None:
        """复核进度：每户的结果（待定、维持、调整、渐退、退出）。"""

        def action(session: Session) -> None:
            counts = dynamic.campaign_status(session, campaign)
            names = {"pending": "待定", **dynamic.PROPOSALS}
            console.print("；".join(f"{names.get(k, k)} {v} 户" for k, v in sorted(counts.items())) or "没有记录")

        _run(database_url, action)

    app.add_typer(recert_app)

    @app.command("signoff")
    def signoff(
        campaign: int,
        role: Annotated[str, typer.Option("--role", help="county_head 县级主要领导 | township_head 乡镇主要负责人")],
        by: By,
        on: On = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """复核名单签字确认（PRO-6）。"""

        def action(session: Session) -> None:
            done = dynamic.sign_off(session, campaign, role=role, name=by, on=parse_day(on))
            console.print(f"{dynamic.ROLES[role]} {done.name} 已签字确认（名单摘要 {done.list_digest[:12]}…）")

        _run(database_url, action)
