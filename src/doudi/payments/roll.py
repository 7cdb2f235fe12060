"""The monthly payment roll (发放花名册): who is paid what for a month, computed from the enrollments.

For the roll's month M (COV-2, COV-3, COV-7, EXIT-1/3):
- an enrollment (dibao or 特困) is paid for M when it is in force on M's first day (`since` on or before it,
  `until` after it). COV-7 (paid from the month after approval) follows: the cases package enrolls with
  `since` = the 1st of the month after approval, and a ledger's mid-month 纳入日期 (the approval date) is first
  in force on the next month's 1st;
- a dibao household's approved `monthly_benefit_fen` is split into 保障金 and 分类施保金 with the engine's
  `supplements_fen` for the household (COV-3); 特困 support is all 保障金;
- a running gradual exit pays the first amount of the engine's `gradual_exit_schedule_fen` evaluated on the
  last day of M−1 (so the schedule starts at M); an empty schedule means the period is over: stopped;
- temporary assistance (PRO-5) is one payment: an enrollment in force for the one month after approval, paid
  on that month's roll. When an approved roll of that month missed it (approved before the case), the next roll
  pays it, once; it never earns arrears, and once paid it is left off without a stop;
- arrears (补发): each month of the last twelve for which an approved roll covered the household's region,
  the household was due and was not on it, is paid now at this month's amount (late approvals, late entry);
- failed bank payments of earlier approved rolls are paid again (carry-over) until the bank pays them;
- stops: exits (`until` on or before M's first day, or status exited without an end date) and deaths
  (every covered person died before M's first day) are not on the roll; `Roll.stops` lists who stopped and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import Connection, Engine, Select, and_, or_, select

from doudi.payments.models import PayeeAccount, PaymentRoll, PaymentRollRow
from doudi.payments.months import PaymentError, first_day, month_number, month_number_expr, month_text
from doudi.policy.profile import ProfileError, profile_for
from doudi.policy.standards import load_standards
from doudi.registry.areas import household_in_area
from doudi.registry.bulk import fetch_frame
from doudi.registry.loader import load_frames
from doudi.registry.models import Enrollment, Household, Member
from doudi.rules.assess import prepare
from doudi.rules.evaluator import evaluate
from doudi.rules.numbering import number_rows

PROGRAMS = ("dibao", "tekun", "temporary")
ARREARS_LOOKBACK_MONTHS = 12
PAID_ONCE = "临时救助已发放"

# The columns of a roll row, in the order of PaymentRollRow (without ids and bank results).
ROW_SCHEMA: dict[str, pl.DataType] = {
    "household_id": pl.String(),
    "program": pl.String(),
    "township_code": pl.String(),
    "village_code": pl.String(),
    "name": pl.String(),
    "id_number": pl.String(),
    "persons": pl.Int64(),
    "first_month": pl.String(),
    "benefit_fen": pl.Int64(),
    "supplement_fen": pl.Int64(),
    "arrears_fen": pl.Int64(),
    "carry_over_fen": pl.Int64(),
    "total_fen": pl.Int64(),
    "account_name": pl.String(),
    "bank": pl.String(),
    "account_number": pl.String(),
    "note": pl.String(),
}


@dataclass
class Roll:
    month: str
    region_prefix: str
    rows: pl.DataFrame  # ROW_SCHEMA (+ bank_status, bank_message for approved rolls), sorted by village
    stops: pl.DataFrame = field(default_factory=pl.DataFrame)  # household_id, program, reason
    roll_id: int | None = None  # set when the roll is approved (frozen)
    approved_by: str | None = None

    @property
    def total_fen(self) -> int:
        return int(self.rows["total_fen"].sum() or 0)


def _enrollments(connection: Connection, region: str, month: str) -> pl.DataFrame:
    start = first_day(month)
    query = (
        select(
            Enrollment.household_id,
            Enrollment.program,
            Enrollment.scope,
            Enrollment.id_number.label("person_id"),
            Enrollment.since,
            Enrollment.until,
            Enrollment.monthly_benefit_fen,
            Enrollment.status,
            Enrollment.gradual_exit_since,
            Household.village_code,
            Household.region_code,
        )
        .join(Household, Household.id == Enrollment.household_id)
        .where(Enrollment.program.in_(PROGRAMS), or_(Enrollment.since.is_(None), Enrollment.since <= start))
        # Exits that ended long before the month matter neither for payment nor for the stop list.
        .where(or_(Enrollment.until.is_(None), Enrollment.until >= start - dt.timedelta(days=62)))
    )
    if region:
        query = query.where(household_in_area(region))
    kinds: dict[str, pl.DataType] = {
        "household_id": pl.String(),
        "program": pl.String(),
        "scope": pl.String(),
        "person_id": pl.String(),
        "since": pl.Date(),
        "until": pl.Date(),
        "monthly_benefit_fen": pl.Int64(),
        "status": pl.String(),
        "gradual_exit_since": pl.Date(),
        "village_code": pl.String(),
        "region_code": pl.String(),
    }
    frame = fetch_frame(connection, query, kinds)
    # One enrollment per household and program: the latest.
    return frame.sort("since", nulls_last=False).unique(["household_id", "program"], keep="last")


def _members(connection: Connection, household_ids: Select) -> pl.DataFrame:
    query = select(Member.household_id, Member.id_number, Member.name, Member.relation, Member.death_date).where(
        Member.household_id.in_(household_ids)
    )
    kinds: dict[str, pl.DataType] = {
        "household_id": pl.String(),
        "id_number": pl.String(),
        "name": pl.String(),
        "relation": pl.String(),
        "death_date": pl.Date(),
    }
    return fetch_frame(connection, query, kinds)


def _accounts(connection: Connection, household_ids: Select) -> pl.DataFrame:
    query = select(
        PayeeAccount.household_id, PayeeAccount.account_name, PayeeAccount.bank, PayeeAccount.account_number
    ).where(PayeeAccount.household_id.in_(household_ids))
    return fetch_frame(
        connection, query, {c: pl.String() for c in ("household_id", "account_name", "bank", "account_number")}
    )


def _history(connection: Connection, month: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Approved rolls of the lookback window (month, region_prefix) and their rows (who was paid for what)."""
    now = month_number(month)
    months = [month_text(n) for n in range(now - ARREARS_LOOKBACK_MONTHS, now)]
    rolls = fetch_frame(
        connection,
        select(PaymentRoll.id.label("roll_id"), PaymentRoll.month, PaymentRoll.region_prefix).where(
            PaymentRoll.month.in_(months)
        ),
        {"roll_id": pl.Int64(), "month": pl.String(), "region_prefix": pl.String()},
    )
    rows = fetch_frame(
        connection,
        select(
            PaymentRollRow.household_id,
            PaymentRollRow.program,
            PaymentRollRow.first_month,
            PaymentRoll.month,
            PaymentRollRow.total_fen,
            PaymentRollRow.bank_status,
            PaymentRollRow.carried_to_roll_id,
        )
        .join(PaymentRoll, PaymentRoll.id == PaymentRollRow.roll_id)
        .where(
            or_(
                PaymentRoll.month.in_(months),
                and_(PaymentRollRow.bank_status == "failed", PaymentRollRow.carried_to_roll_id.is_(None)),
            )
        ),
        {
            "household_id": pl.String(),
            "program": pl.String(),
            "first_month": pl.String(),
            "month": pl.String(),
            "total_fen": pl.Int64(),
            "bank_status": pl.String(),
            "carried_to_roll_id": pl.Int64(),
        },
    )
    return rolls, rows


def household_variables(
    source: Engine | Connection, household_ids: list[str], on: dt.date, wanted: list[str]
) -> pl.DataFrame:
    """household_id and the engine's `wanted` household variables for registry dibao households on a date.

    Each household is evaluated with the built-in profile in force for its region on `on`.
    """
    # Narrowed in SQL to dibao households (a payment roll's are ~10% of a county), then to the ids asked for.
    frames = load_frames(source, household_ids=household_ids, on=on, enrolled_in="dibao")
    prepared, _missing_standard = prepare(frames, load_standards())
    households = prepared["households"]
    parts = []
    for (region_code,), group in households.group_by(["region_code"]):
        try:
            profile = profile_for(str(region_code), on)
        except ProfileError as error:
            raise PaymentError(f"无法用规则引擎计算：{error}") from error
        numbered = number_rows(group, prepared["members"], prepared["incomes"], prepared["expenses"])
        parts.append(evaluate(numbered, profile, wanted)["household"].select("household_id", *wanted))
    return pl.concat(parts, how="diagonal_relaxed") if parts else pl.DataFrame(schema={"household_id": pl.String()})


def income_to_standard(source: Engine | Connection, household_ids: list[str], on: dt.date) -> pl.Series:
    """Per-capita counted income as a share of the household's line (the engine's own figures, ASM-1..3), one
    value per household that has a line: the dashboard's income bands and the report's histogram."""
    values = household_variables(source, household_ids, on, ["counted_income_fen_e4", "household_line_fen_e4"])
    values = values.filter(pl.col("household_line_fen_e4") > 0)
    return (values["counted_income_fen_e4"] / values["household_line_fen_e4"]).alias("ratio")


def engine_amounts(source: Engine | Connection, household_ids: list[str], month: str) -> pl.DataFrame:
    """household_id, supplements_fen and this month's gradual-exit amount, from the rules engine.

    The engine is evaluated on the last day of the month before, so `gradual_exit_schedule_fen` starts at the
    roll's month (EXIT-1/3); `supplements_fen` is the household's class supplement (COV-3).
    """
    schema = {"household_id": pl.String(), "engine_supplements_fen": pl.Int64(), "gradual_exit_fen": pl.Int64()}
    if not household_ids:
        return pl.DataFrame(schema=schema)
    on = first_day(month) - dt.timedelta(days=1)
    values = household_variables(source, household_ids, on, ["supplements_fen", "gradual_exit_schedule_fen"])
    return values.select(
        "household_id",
        pl.col("supplements_fen").alias("engine_supplements_fen"),
        pl.col("gradual_exit_schedule_fen").list.first().alias("gradual_exit_fen"),
    ).cast(schema)  # type: ignore[arg-type]


def _arrow_reads_safe(engine: Engine) -> bool:
    """Whether the loader may read through its parallel Arrow (ADBC) connections: on PostgreSQL, yes.

    On SQLite, no: the ADBC driver links its own copy of SQLite, which does not see pages still in the
    write-ahead log, and two SQLite libraries on one file in one process can corrupt it (their POSIX locks
    interfere: a bench run here ended in "database disk image is malformed"). The roll reads through its own
    connection instead.
    """
    return engine.dialect.name != "sqlite"


def household_heads(members: pl.DataFrame) -> pl.DataFrame:
    """One member row per household: the head (户主), else the household's first member."""
    return members.sort(pl.col("relation") != "户主", maintain_order=True).unique(
        "household_id", keep="first", maintain_order=True
    )


def _persons(alive: pl.DataFrame) -> pl.DataFrame:
    """Per household: the number of living members and the head (户主) for the roll's name."""
    heads = household_heads(alive).select(
        "household_id", pl.col("name").alias("head_name"), pl.col("id_number").alias("head_id")
    )
    counts = alive.group_by("household_id").agg(pl.len().cast(pl.Int64).alias("alive"))
    return heads.join(counts, on="household_id", how="left")


def compute_roll(engine: Engine, month: str, region: str = "") -> Roll:
    """The roll as it would be paid now (a draft): nothing is written."""
    start = first_day(month)
    now = month_number(month)
    with engine.connect() as connection:
        enrollments = _enrollments(connection, region, month)
        # Members and accounts of the area's enrolled households only (not of the whole registry).
        enrolled = (
            select(Enrollment.household_id)
            .join(Household, Household.id == Enrollment.household_id)
            .where(Enrollment.program.in_(PROGRAMS), household_in_area(region))
        )
        members = _members(connection, enrolled).join(
            enrollments.select("household_id").unique(), on="household_id", how="semi"
        )
        accounts = _accounts(connection, enrolled)
        past_rolls, past_rows = _history(connection, month)
        dibao_ids = enrollments.filter(pl.col("program") == "dibao")["household_id"].unique().sort().to_list()
        amounts = engine_amounts(engine if _arrow_reads_safe(engine) else connection, dibao_ids, month)

    one_off_state = _one_off_state(enrollments, past_rolls, past_rows, now)
    enrollments = enrollments.join(one_off_state, on=["household_id", "program"], how="left")
    alive = members.filter(pl.col("death_date").is_null() | (pl.col("death_date") >= start))
    people = _persons(alive)
    single_alive = alive.select(
        "household_id", pl.col("id_number").alias("person_id"), pl.col("name").alias("person_name")
    )

    frame = (
        enrollments.join(people, on="household_id", how="left")
        .join(single_alive, on=["household_id", "person_id"], how="left")
        .join(amounts, on="household_id", how="left")
        .with_columns(
            single=pl.col("scope") == "single_person",
            gradual=pl.col("status") == "gradual_exit",
        )
        .with_columns(
            persons=pl.when(pl.col("single"))
            .then(pl.col("person_name").is_not_null().cast(pl.Int64))
            .otherwise(pl.col("alive").fill_null(0)),
            name=pl.when(pl.col("single")).then(pl.col("person_name")).otherwise(pl.col("head_name")),
            id_number=pl.when(pl.col("single")).then(pl.col("person_id")).otherwise(pl.col("head_id")),
            month_fen=pl.when(pl.col("gradual") & (pl.col("program") == "dibao"))
            .then(pl.col("gradual_exit_fen"))
            .otherwise(pl.col("monthly_benefit_fen"))
            .fill_null(0),
        )
    )
    one_off = pl.col("program") == "temporary"
    past_its_month = pl.col("until").is_not_null() & (pl.col("until") <= start)
    stop_reason = (
        pl.when(one_off & pl.col("paid_once").fill_null(False))
        .then(pl.lit(PAID_ONCE))
        .when(one_off & past_its_month & ~pl.col("missed").fill_null(False))
        .then(pl.lit("临时救助所属月份没有已审批的花名册，未发放，请核实"))
        # An exit recorded with its end date is paid up to that date's month (the month it is in force on the 1st).
        .when((pl.col("status") == "exited") & (pl.col("until").is_null() | (pl.col("until") <= start)))
        .then(pl.lit("已退出，停发"))
        .when(past_its_month & ~one_off)
        .then(pl.lit("保障期已结束，停发"))
        .when(pl.col("persons") == 0)
        .then(pl.lit("保障对象已死亡，停发"))
        .when(pl.col("gradual") & pl.col("gradual_exit_fen").is_null())
        .then(pl.lit("渐退期已满，停发，待退出评估"))
    )
    frame = frame.with_columns(stop=stop_reason)
    stops = frame.filter(pl.col("stop").is_not_null() & (pl.col("stop") != PAID_ONCE)).select(
        "household_id", "program", pl.col("stop").alias("reason")
    )

    # A failed bank payment of an earlier roll is owed even after a stop: it stays on the roll until paid.
    carry = (
        past_rows.filter((pl.col("bank_status") == "failed") & pl.col("carried_to_roll_id").is_null())
        .group_by("household_id", "program")
        .agg(pl.col("total_fen").sum().alias("carry_over_fen"))
    )
    frame = frame.join(carry, on=["household_id", "program"], how="left")
    paid = frame.filter(pl.col("stop").is_null() | pl.col("carry_over_fen").is_not_null()).with_columns(
        month_fen=pl.when(pl.col("stop").is_null()).then(pl.col("month_fen")).otherwise(0)
    )

    # COV-3: the class supplement inside the approved amount; a gradual exit's amount is all 保障金.
    supplement = (
        pl.when((pl.col("program") == "dibao") & ~pl.col("gradual"))
        .then(pl.min_horizontal(pl.col("engine_supplements_fen").fill_null(0), pl.col("month_fen")))
        .otherwise(0)
    )
    paid = paid.with_columns(supplement_fen=supplement).with_columns(
        benefit_fen=pl.col("month_fen") - pl.col("supplement_fen")
    )
    due = paid.filter(pl.col("stop").is_null() & (pl.col("program") != "temporary"))  # a one-off has no arrears
    paid = paid.join(arrears_months(due, past_rolls, past_rows, now), on=["household_id", "program"], how="left")

    rows = (
        paid.with_columns(
            pl.col("arrears_months").fill_null(0),
            pl.col("carry_over_fen").fill_null(0),
            pl.col("benefit_fen").fill_null(0),
            pl.col("supplement_fen").fill_null(0),
            pl.col("month_fen").fill_null(0),
            pl.col("persons").fill_null(0),
        )
        .with_columns(arrears_fen=pl.col("arrears_months") * pl.col("month_fen"))
        .join(accounts, on="household_id", how="left")
        .select(
            "household_id",
            "program",
            pl.col("village_code").str.slice(0, 9).alias("township_code"),
            "village_code",
            pl.col("name").fill_null(""),
            "id_number",
            "persons",
            pl.coalesce(pl.col("first_missed"), pl.lit(month)).alias("first_month"),
            "benefit_fen",
            "supplement_fen",
            "arrears_fen",
            "carry_over_fen",
            (pl.col("month_fen") + pl.col("arrears_fen") + pl.col("carry_over_fen")).alias("total_fen"),
            "account_name",
            "bank",
            "account_number",
            _note().alias("note"),
        )
        .sort("village_code", "household_id", "program")
    )
    return Roll(month, region, rows.cast(ROW_SCHEMA), stops.sort("household_id"))  # type: ignore[arg-type]


def _one_off_state(
    enrollments: pl.DataFrame, past_rolls: pl.DataFrame, past_rows: pl.DataFrame, now: int
) -> pl.DataFrame:
    """household_id, program, paid_once (on an approved roll of its month or later) and missed (an approved roll
    of its region left it off) for the temporary-assistance enrollments."""
    one_off = enrollments.filter(pl.col("program") == "temporary")
    since_month = pl.col("since").dt.strftime("%Y-%m")
    paid = (
        one_off.select("household_id", "program", since_month.alias("since_month"))
        .join(past_rows.select("household_id", "program", "month"), on=["household_id", "program"])
        .filter(pl.col("month") >= pl.col("since_month"))
        .select("household_id", "program", pl.lit(True).alias("paid_once"))
        .unique()
    )
    missed = arrears_months(one_off, past_rolls, past_rows, now).select(
        "household_id", "program", (pl.col("arrears_months") > 0).alias("missed")
    )
    return (
        one_off.select("household_id", "program")
        .join(paid, on=["household_id", "program"], how="left")
        .join(missed, on=["household_id", "program"], how="left")
    )


def _note() -> pl.Expr:
    parts = [
        pl.when(pl.col("gradual")).then(pl.lit("渐退期")),
        pl.when(pl.col("arrears_months") > 0).then(pl.format("补发{}个月", pl.col("arrears_months"))),
        pl.when(pl.col("carry_over_fen") > 0).then(pl.lit("含上期发放失败重发")),
        pl.when(pl.col("program") == "tekun").then(pl.lit("特困供养")),
        pl.when(pl.col("program") == "temporary").then(pl.lit("临时救助（一次性）")),
    ]
    return pl.concat_str(parts, separator="；", ignore_nulls=True).replace("", None)


def arrears_months(paid: pl.DataFrame, past_rolls: pl.DataFrame, past_rows: pl.DataFrame, now: int) -> pl.DataFrame:
    """Per household and program: months missed on earlier approved rolls that covered its region."""
    schema = {
        "household_id": pl.String(),
        "program": pl.String(),
        "arrears_months": pl.Int64(),
        "first_missed": pl.String(),
    }
    if past_rolls.height == 0:
        return pl.DataFrame(schema=schema)
    due = paid.select(
        "household_id",
        "program",
        "village_code",
        "region_code",
        # Due from the first month whose 1st day is on or after `since` (COV-7, see the module docstring).
        (month_number_expr(pl.col("since") - pl.duration(days=1)) + 1).fill_null(0).alias("due_from"),
    )
    candidates = (
        due.join(past_rolls.select("month", "region_prefix").unique(), how="cross")
        .filter(
            pl.col("village_code").fill_null(pl.col("region_code")).str.starts_with(pl.col("region_prefix"))
            | pl.col("region_code").str.starts_with(pl.col("region_prefix"))
        )
        .with_columns(number=_number(pl.col("month")))
        .filter((pl.col("number") >= pl.col("due_from")) & (pl.col("number") < now))
        .select("household_id", "program", "month", "number")
        .unique()
    )
    covered = (
        past_rows.filter(pl.col("first_month") <= pl.col("month"))
        .with_columns(number=pl.int_ranges(_number(pl.col("first_month")), _number(pl.col("month")) + 1))
        .explode("number")
        .select("household_id", "program", "number")
    )
    missed = candidates.join(covered, on=["household_id", "program", "number"], how="anti")
    return missed.group_by("household_id", "program").agg(
        pl.len().cast(pl.Int64).alias("arrears_months"), pl.col("month").min().alias("first_missed")
    )


def _number(month: pl.Expr) -> pl.Expr:
    return month.str.slice(0, 4).cast(pl.Int64) * 12 + month.str.slice(5, 2).cast(pl.Int64) - 1
