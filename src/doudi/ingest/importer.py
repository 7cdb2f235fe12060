"""Importing a department's ledger (dibao, registered poor, disabled persons) into the registry.

The pipeline: read raw cells -> find the header -> clean and validate every row (bad rows go to the
error report with a Chinese reason) -> group rows into households -> match households and persons
already in the registry -> insert what is new, update what changed (each change logged) -> one commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from sqlalchemy import Connection, Engine, insert, select

from doudi.audit import record_import
from doudi.ingest import cleaning
from doudi.ingest.changes import Diff, diff
from doudi.ingest.error_report import default_report_path, empty_errors, write_error_report
from doudi.ingest.errors import ImportRejected
from doudi.ingest.excel import read_sheet
from doudi.ingest.headers import FIELD_LABELS, Header, detect_header, load_mapping, require
from doudi.linkage import id_numbers
from doudi.registry.bulk import fetch_frame, insert_frame, update_rows
from doudi.registry.models import Enrollment, Household, ImportBatch, Member, RosterMembership
from doudi.registry.store import fit_to_table, foreign_keys_checked_once
from doudi.rules.explain import mask_id

log = logging.getLogger(__name__)

SOURCES = ("dibao", "poor", "disabled")

# Above this many keys we read the whole table instead of an IN list.
_MAX_IN_LIST = 5_000

_MEMBER_KINDS: dict[str, pl.DataType] = {"birth_date": pl.Date(), "disability_grade": pl.Int8()}

_MEMBER_FIELDS = (
    "name",
    "original_id_number",
    "relation",
    "sex",
    "birth_date",
    "health",
    "disability_kind",
    "disability_grade",
)


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    source: str
    file_name: str
    rows_read: int
    rows_stored: int
    rows_rejected: int
    rows_changed: int  # stored records whose content changed
    households_added: int
    members_added: int
    errors: pl.DataFrame  # 行号, 列, 值, 原因
    error_report: Path | None
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per phase (read, clean, diff, write …)


def import_roster(
    engine: Engine,
    path: Path,
    source: str,
    *,
    mapping: Path | None = None,
    error_report: Path | None = None,
    as_of: dt.date | None = None,
    region_code: str | None = None,
) -> ImportResult:
    """Import one ledger file as one transaction. Raises ImportRejected (nothing written) when the file as a
    whole is unusable; bad rows are reported, not raised."""
    if source not in SOURCES:
        raise ImportRejected(f"未知的名单类型“{source}”，应为：{'、'.join(SOURCES)}")
    clock = _Clock()
    sheet = read_sheet(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    clock.lap("read")
    header = detect_header(sheet.cells, load_mapping(mapping) if mapping else None)
    require(header, source)
    rows = ledger_rows(sheet.cells, header, sheet.first_row_number)
    rows, errors = _validate(rows, header, source)
    clock.lap("clean")

    with engine.begin() as connection:
        rows, conflicts, stored_members = _assign_households(connection, rows, region_code)
        errors = pl.concat([errors, conflicts])
        plan = _plan(connection, rows, source, stored_members)
        clock.lap("diff")
        batch_id = connection.execute(
            insert(ImportBatch)
            .values(
                file_name=path.name,
                sha256=digest,
                source_kind=source,
                rows_stored=rows.height,
                rows_rejected=errors["行号"].n_unique(),
                rows_changed=plan.changed,
            )
            .returning(ImportBatch.id)
        ).scalar_one()
        _write(connection, plan, batch_id, as_of or dt.date.today())
        record_import(connection, batch_id, why=f"导入{source}台账 {path.name}")
        clock.lap("write")
    clock.lap("commit")

    report = None
    if errors.height:
        report = write_error_report(errors, error_report or default_report_path(path))
        clock.lap("report")
    log.info(
        "imported %s from %s: %d stored, %d rejected, %d changed; seconds %s",
        source,
        path.name,
        rows.height,
        errors["行号"].n_unique(),
        plan.changed,
        {phase: round(seconds, 2) for phase, seconds in clock.seconds.items()},
    )
    return ImportResult(
        batch_id=batch_id,
        source=source,
        file_name=path.name,
        rows_read=rows.height + errors["行号"].n_unique(),
        rows_stored=rows.height,
        rows_rejected=errors["行号"].n_unique(),
        rows_changed=plan.changed,
        households_added=plan.households_added,
        members_added=plan.members_added,
        errors=errors.sort("行号"),
        error_report=report,
        seconds=clock.seconds,
    )


class _Clock:
    """Seconds spent in each phase of one import (read, clean, diff, write, commit, report)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = self.seconds.get(phase, 0.0) + now - self._last
        self._last = now


def ledger_rows(cells: pl.DataFrame, header: Header, first_row_number: int) -> pl.DataFrame:
    """The data rows as one String column per recognised field plus `row` (the spreadsheet row number).
    Blank rows are dropped; household-level cells merged down over members are filled in."""
    fields = header.fields
    data = cells.with_row_index("row", offset=first_row_number).slice(header.first_data_row)
    # Most columns of most ledgers have no full-width character: one scan spares them the replacement.
    wide = data.select(cleaning.has_full_width(pl.col(f"c{index}")).alias(field) for field, index in fields.items())
    data = data.select(
        pl.col("row").cast(pl.Int64),
        *[
            cleaning.half_width(pl.col(f"c{index}"), narrow=not wide[field][0]).alias(field)
            for field, index in fields.items()
        ],
    )
    data = data.filter(pl.any_horizontal(pl.col(field).is_not_null() for field in fields))
    # A repeated header line or a total line (合计) is not a person.
    data = data.filter(~pl.col("name").is_in(["姓名", "家庭成员姓名", "合计", "总计"]).fill_null(False))

    if "household_no" in fields:
        group = pl.col("household_no").forward_fill().fill_null(pl.col("row").cast(pl.String))
    elif "head_name" in fields or "relation" in fields:
        head = pl.col("head_name").forward_fill() if "head_name" in fields else pl.lit(None, pl.String)
        relation = pl.col("relation") if "relation" in fields else pl.lit(None, pl.String)
        starts = (
            (pl.int_range(pl.len()) == 0)
            | (relation == "户主").fill_null(False)
            | (head != head.shift(1)).fill_null(False)
        )
        group = starts.cum_sum().cast(pl.String)
    else:
        group = pl.col("row").cast(pl.String)  # one person per household
    data = data.with_columns(group.alias("group"))
    household_level = [
        f
        for f in (
            "household_no",
            "head_name",
            "address",
            "village_code",
            "monthly_benefit_yuan",
            "dibao_class",
            "since",
            "poverty_status",
        )
        if f in fields
    ]
    return data.with_columns(
        pl.col(household_level).forward_fill().backward_fill().over("group") if household_level else []
    )


def _problem(rows: pl.DataFrame, condition: pl.Expr, field: str, label: str, reason: str | pl.Expr) -> pl.DataFrame:
    value = pl.col(field) if field in rows.columns else pl.lit(None, pl.String)
    return rows.filter(condition).select(
        pl.col("row").alias("行号"),
        pl.lit(label).alias("列"),
        value.cast(pl.String).alias("值"),
        (reason if isinstance(reason, pl.Expr) else pl.lit(reason)).alias("原因"),
    )


def _parse_distinct(rows: pl.DataFrame, field: str, parser: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    """`parser` applied to each distinct text once: a ledger of a million rows has a few thousand distinct
    dates or amounts, and the regex parsers are the costly part of validation."""
    values = rows.select(pl.col(field).unique())
    table = values.with_columns(parser(pl.col(field)).alias("__parsed"))
    return rows.select(field).join(table, on=field, how="left", nulls_equal=True, maintain_order="left")["__parsed"]


def _validate(rows: pl.DataFrame, header: Header, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed, valid rows and the error rows (行号, 列, 值, 原因) for the others."""
    fields = header.fields

    def label(field: str) -> str:
        return header.labels.get(field, FIELD_LABELS[field])

    def given(field: str) -> pl.Expr:
        return pl.col(field).is_not_null() if field in fields else pl.lit(False)

    # IDs: our cleaning keeps the text for the report; the linkage module decides what a valid ID is.
    # ledger_rows made every cell half-width, so what id_numbers.normalize would do is done here already.
    rows = rows.with_columns(
        cleaning.no_spaces(pl.col("name")).str.replace_all("[.．•]", "·").alias("name_clean"),
        cleaning.no_spaces(pl.col("id_number")).str.to_uppercase().alias("id_normalized"),
    )
    length = pl.col("id_normalized").str.len_chars()
    rows = rows.with_columns(
        pl.col("id_normalized").str.contains(r"^(\d{17}[\dX]|\d{15})$").fill_null(False).alias("well_formed"),
        (length == 15).fill_null(False).alias("is_15"),
    )
    upgraded = pl.Series(
        id_numbers.upgrade_15_to_18(rows.select(pl.when("is_15").then(pl.col("id_normalized"))).to_series()),
        dtype=pl.String,
    )
    rows = rows.with_columns(
        pl.when("is_15").then(upgraded).otherwise(pl.col("id_normalized")).alias("id18"),
        pl.when("is_15").then(pl.col("id_normalized")).alias("original_id_number"),
    )
    checked = id_numbers.check(rows["id18"].fill_null(""))
    rows = rows.with_columns(checked["valid"].fill_null(False).alias("valid_id"), checked["reason"].alias("id_reason"))
    well_formed = pl.col("well_formed")

    typed: list[pl.Expr] = []
    problems = [
        _problem(rows, pl.col("name_clean").is_null(), "name", label("name"), "姓名为空"),
        _problem(rows, pl.col("id_normalized").is_null(), "id_number", label("id_number"), "身份证号码为空"),
        _problem(
            rows,
            pl.col("id_normalized").is_not_null() & ~well_formed,
            "id_number",
            label("id_number"),
            pl.format("身份证号码应为18位（或15位旧号码），此处为{}位或含非法字符", length),
        ),
        _problem(
            rows,
            well_formed & pl.col("is_15") & pl.col("id18").is_null(),
            "id_number",
            label("id_number"),
            "15位身份证号码无法升级为18位（出生日期或地区码有误）",
        ),
        _problem(
            rows,
            well_formed & pl.col("id18").is_not_null() & ~pl.col("valid_id"),
            "id_number",
            label("id_number"),
            pl.lit("身份证号码") + pl.col("id_reason"),  # 校验位错误，应为X / 出生日期无效 / 地区码无效
        ),
    ]

    parsed_columns: dict[str, pl.Series] = {}

    def check(field: str, parser: Callable[[pl.Expr], pl.Expr], reason: str, target: str | None = None) -> None:
        if field not in fields:
            return
        parsed = _parse_distinct(rows, field, parser)
        parsed_columns[target or field] = parsed
        problems.append(
            _problem(rows.with_columns(parsed), given(field) & parsed.is_null(), field, label(field), reason)
        )

    check("sex", cleaning.parse_sex, "性别应为“男”或“女”")
    check("birth_date", cleaning.parse_date, "无法识别的日期格式（可用如1950年1月、1950-01-01）")
    check("since", cleaning.parse_date, "无法识别的日期格式（可用如2020年5月、2020-05-01）")
    check(
        "monthly_benefit_yuan",
        cleaning.parse_yuan_to_fen,
        "保障金额不是有效的金额（单位：元）",
        "monthly_benefit_fen",
    )
    check("disability_grade", cleaning.parse_disability_grade, "残疾等级应为一级至四级")
    check(
        "disability_kind",
        cleaning.parse_disability_kind,
        "残疾类别应为视力、听力、言语、肢体、智力、精神、多重之一",
    )
    check("dibao_class", cleaning.parse_class, "低保类别应为A类、B类或C类")
    typed.extend(pl.lit(series).alias(name) for name, series in parsed_columns.items())
    if source == "disabled":
        problems.append(
            _problem(rows, ~given("disability_kind"), "disability_kind", label("disability_kind"), "残疾类别为空")
        )
    if "health" in fields:
        typed.append(cleaning.parse_health(pl.col("health")).alias("health"))
    if "poverty_status" in fields:
        typed.append(cleaning.parse_escaped_poverty(pl.col("poverty_status")).alias("escaped_poverty"))
    if "relation" in fields:
        typed.append(cleaning.without_spaces(pl.col("relation")).replace({"本人": "户主"}).alias("relation"))
    if "village_code" in fields:
        typed.append(pl.col("village_code").str.extract(r"^(\d{6,12})$", 1).alias("village_code"))

    rows = rows.with_columns(typed)
    errors = pl.concat([empty_errors(), *problems], how="vertical_relaxed")
    valid = rows.join(errors.select(pl.col("行号").alias("row")).unique(), on="row", how="anti")
    valid = valid.with_columns(pl.col("name_clean").alias("name"), pl.col("id18").alias("id_number"))
    # Sex and birth date the ledger left out come from the ID number.
    derived_sex = pl.Series(id_numbers.sex(valid["id_number"]))
    derived_birth = pl.Series(id_numbers.birth_date(valid["id_number"]))
    valid = valid.with_columns(
        (pl.coalesce(pl.col("sex"), derived_sex) if "sex" in valid.columns else derived_sex).alias("sex"),
        (pl.coalesce(pl.col("birth_date"), derived_birth) if "birth_date" in valid.columns else derived_birth)
        .cast(pl.Date)
        .alias("birth_date"),
    )

    # The same person twice in this file: the first row stands, later ones are reported. Only the rows whose
    # ID number repeats are grouped (usually none).
    twice = valid.filter(pl.col("id_number").is_duplicated())
    first = twice.group_by("id_number").agg(
        pl.col("row").min().alias("first_row"), pl.col("group").first().alias("first_group")
    )
    twice = twice.join(first, on="id_number")
    repeated = twice.filter(pl.col("row") != pl.col("first_row"))
    duplicate_errors = repeated.select(
        pl.col("row").alias("行号"),
        pl.lit(label("id_number")).alias("列"),
        pl.col("id_number").alias("值"),
        pl.when(pl.col("group") != pl.col("first_group"))
        .then(pl.format("同一人出现在两个家庭中（第{}行已登记在另一家庭）", pl.col("first_row")))
        .otherwise(pl.format("同一家庭中重复登记（与第{}行相同）", pl.col("first_row")))
        .alias("原因"),
    )
    valid = valid.join(repeated.select("row"), on="row", how="anti")
    return valid, pl.concat([errors, duplicate_errors], how="vertical_relaxed")


def _assign_households(
    connection: Connection, rows: pl.DataFrame, region_code: str | None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Give each ledger household a registry household id: the one its persons are already in, else the
    one with the same household number, else a new id from the head's ID number. A person already
    registered in a different household is reported, not moved. Returns the rows, the conflicts and the
    stored members holding the ledger's ID numbers."""
    # One read of the stored members serves both matching here and the member diff: a stored member can
    # only match a ledger row by (household, ID number) if it has one of the ledger's ID numbers.
    # Only the fields this ledger has are compared, so only they are read (SQLite hands back Python objects).
    member_columns = [c for c in _MEMBER_FIELDS if c in rows.columns]
    stored_members = _stored(
        connection,
        select(Member.household_id, Member.id_number, *[getattr(Member, c) for c in member_columns]),
        Member.id_number,
        rows["id_number"].unique().to_list(),
        _MEMBER_KINDS,
    )
    by_id = stored_members.select("id_number", pl.col("household_id").alias("stored_household"))
    rows = rows.join(by_id.unique("id_number", keep="first"), on="id_number", how="left")

    is_head = (pl.col("relation") == "户主").fill_null(False) if "relation" in rows.columns else pl.lit(False)
    rows = rows.with_columns(is_head.alias("is_head"))
    ordered = rows.sort(["group", "is_head", "row"], descending=[False, True, False])
    by_group = ordered.group_by("group", maintain_order=True).agg(
        pl.col("stored_household").drop_nulls().first().alias("by_member"),
        pl.col("id_number").first().alias("head_id"),
        (pl.col("household_no").first() if "household_no" in rows.columns else pl.lit(None, pl.String)).alias(
            "group_no"
        ),
    )
    numbers = by_group["group_no"].drop_nulls().unique().to_list()
    if numbers:
        household_query = select(Household.household_no.label("group_no"), Household.id.label("by_number"))
        stored_numbers = _stored(connection, household_query, Household.household_no, numbers, {})
        stored_numbers = stored_numbers.unique("group_no", keep="first")
        by_group = by_group.join(stored_numbers, on="group_no", how="left")
    else:
        by_group = by_group.with_columns(pl.lit(None, pl.String).alias("by_number"))
    by_group = by_group.with_columns(
        pl.coalesce("by_member", "by_number", pl.lit("H") + pl.col("head_id")).alias("household_id"),
    ).select("group", "household_id", "head_id")
    rows = rows.join(by_group, on="group", how="left")

    moved = pl.col("stored_household").is_not_null() & (pl.col("stored_household") != pl.col("household_id"))
    conflicts = rows.filter(moved).select(
        pl.col("row").alias("行号"),
        pl.lit("身份证号码").alias("列"),
        pl.col("id_number").alias("值"),
        pl.format("同一人出现在两个家庭中：此人已登记在户{}，本表将其列入另一家庭", pl.col("stored_household")).alias(
            "原因"
        ),
    )
    for id_number in conflicts["值"].head(5):
        log.warning("person %s is registered in another household", mask_id(id_number))
    rows = rows.filter(~moved)
    village = pl.col("village_code") if "village_code" in rows.columns else pl.lit(None, pl.String)
    rows = rows.with_columns(
        pl.coalesce(village.str.slice(0, 6), pl.lit(region_code), pl.col("head_id").str.slice(0, 6)).alias(
            "region_code"
        )
    )
    return rows, conflicts, stored_members


def _stored(
    connection: Connection, query: object, column: object, keys: list[str], kinds: dict[str, pl.DataType]
) -> pl.DataFrame:
    """`query` narrowed to rows whose `column` is one of `keys`; above _MAX_IN_LIST keys, the whole table."""
    if len(keys) <= _MAX_IN_LIST:
        query = query.where(column.in_(keys))  # type: ignore[attr-defined]
    return fetch_frame(connection, query, kinds)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _TableWrite:
    table: str
    inserts: pl.DataFrame  # already fitted to the table, sorted by its unique key
    update_key: list[str]
    updates: pl.DataFrame
    changes: pl.DataFrame  # CHANGE_LOG_COLUMNS


@dataclass(frozen=True)
class _Plan:
    """Everything an import writes, worked out before the first write."""

    writes: list[_TableWrite]  # in foreign-key order

    @property
    def changed(self) -> int:
        return sum(w.updates.height for w in self.writes)

    def added(self, table: str) -> int:
        return next((w.inserts.height for w in self.writes if w.table == table), 0)

    @property
    def households_added(self) -> int:
        return self.added("households")

    @property
    def members_added(self) -> int:
        return self.added("members")


def _table_write(table: str, changes: Diff, key: list[str], sort: list[str], updates: pl.DataFrame) -> _TableWrite:
    # Inserting in the order of the table's unique index appends to its B-tree instead of splitting pages
    # all over it (SQLite: a third less time for a million members).
    inserts = fit_to_table(table, changes.inserts).sort(sort)
    return _TableWrite(table, inserts, key, updates, changes.changes)


def _plan(connection: Connection, rows: pl.DataFrame, source: str, stored_members: pl.DataFrame) -> _Plan:
    """Set-based comparison of the ledger with the registry: one read per table, joins in Polars."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    household_ids = rows["household_id"].unique().to_list()
    writes: list[_TableWrite] = []

    # Households: one row per ledger household.
    household_columns = [c for c in ("household_no", "address", "village_code", "region_code") if c in rows.columns]
    households = (
        rows.sort("is_head", "row", descending=[True, False])
        .group_by("household_id")
        .agg(
            pl.col(household_columns).first(),
            *([pl.col("escaped_poverty").drop_nulls().first()] if "escaped_poverty" in rows.columns else []),
        )
    )
    households = households.rename({"household_id": "id"})
    if source == "poor":
        households = households.with_columns(pl.lit(True).alias("registered_poor"))
    household_kinds: dict[str, pl.DataType] = {
        "registered_poor": pl.Boolean(),
        "escaped_poverty": pl.Boolean(),
        "version": pl.Int64(),
    }
    stored_households = _stored(
        connection,
        select(
            Household.id,
            Household.household_no,
            Household.address,
            Household.village_code,
            Household.registered_poor,
            Household.escaped_poverty,
            Household.version,
        ),
        Household.id,
        household_ids,
        household_kinds,
    )
    # household_no is kept from the ledger that created the household; each department's own numbers
    # live in roster_memberships.household_ref, so another department's ledger does not overwrite it.
    compared = ["address", "village_code", "registered_poor", "escaped_poverty"]
    household_diff = diff("households", households, stored_households, ["id"], compared, pl.col("id"))
    writes.append(
        _table_write(
            "households",
            household_diff,
            ["id"],
            ["id"],
            household_diff.updates.with_columns(
                (pl.col("version") + 1).alias("version"), pl.lit(now).alias("updated_at")
            ),
        )
    )

    # Members, keyed by household and ID number.
    member_columns = [c for c in _MEMBER_FIELDS if c in rows.columns]
    members = rows.select("household_id", "id_number", *member_columns)
    member_key = ["household_id", "id_number"]
    member_diff = diff(
        "members",
        members,
        stored_members,
        member_key,
        member_columns,
        pl.concat_str("household_id", pl.lit("/"), "id_number"),
    )
    writes.append(_table_write("members", member_diff, member_key, member_key, member_diff.updates))

    if source == "dibao":
        writes.append(_plan_enrollments(connection, rows, household_ids))

    # The department's roster: who is on it, under which of their household numbers.
    roster = rows.select(
        pl.lit(source).alias("source"),
        "id_number",
        "name",
        (pl.col("household_no") if "household_no" in rows.columns else pl.lit(None, pl.String)).alias("household_ref"),
    )
    stored_roster = _stored(
        connection,
        select(
            RosterMembership.source, RosterMembership.id_number, RosterMembership.name, RosterMembership.household_ref
        ).where(RosterMembership.source == source),
        RosterMembership.id_number,
        roster["id_number"].to_list(),
        {},
    )
    roster_key = ["source", "id_number"]
    roster_diff = diff(
        "roster_memberships",
        roster,
        stored_roster,
        roster_key,
        ["name", "household_ref"],
        pl.concat_str("source", pl.lit("/"), "id_number"),
    )
    # as_of and batch_id are set when written: the batch does not exist yet.
    writes.append(
        _TableWrite(
            "roster_memberships",
            roster_diff.inserts.sort(roster_key),
            roster_key,
            roster_diff.updates,
            roster_diff.changes,
        )
    )
    return _Plan(writes)


def _write(connection: Connection, plan: _Plan, batch_id: int, as_of: dt.date) -> None:
    batch_columns = [pl.lit(as_of).alias("as_of"), pl.lit(batch_id).alias("batch_id")]
    for write in plan.writes:
        inserts, updates = write.inserts, write.updates
        if write.table == "roster_memberships":
            inserts = fit_to_table(write.table, inserts.with_columns(batch_columns))
            updates = updates.with_columns(batch_columns)
        with foreign_keys_checked_once(connection, write.table, inserts.height):
            insert_frame(connection, write.table, inserts)
        update_rows(connection, write.table, write.update_key, updates)
    log_rows = pl.concat([w.changes for w in plan.writes], how="vertical_relaxed").with_columns(
        pl.lit(batch_id).alias("batch_id")
    )
    insert_frame(connection, "change_log", fit_to_table("change_log", log_rows))


def _plan_enrollments(connection: Connection, rows: pl.DataFrame, household_ids: list[str]) -> _TableWrite:
    """The household's current dibao enrollment as the ledger states it (an exited one is left alone)."""
    columns = {
        "since": "since",
        "dibao_class": "class",
        "monthly_benefit_fen": "monthly_benefit_fen",
    }
    present = {source: target for source, target in columns.items() if source in rows.columns}
    enrollments = (
        rows.sort("is_head", "row", descending=[True, False])
        .group_by("household_id")
        .agg(pl.col(list(present)).first())
        .rename(present)
        .with_columns(
            pl.lit("dibao").alias("program"), pl.lit("household").alias("scope"), pl.lit("active").alias("status")
        )
    )
    stored = _stored(
        connection,
        select(
            Enrollment.id,
            Enrollment.household_id,
            Enrollment.program,
            Enrollment.since,
            Enrollment.benefit_class.label("class"),
            Enrollment.monthly_benefit_fen,
        ).where(Enrollment.program == "dibao", Enrollment.status != "exited"),
        Enrollment.household_id,
        household_ids,
        {"since": pl.Date(), "monthly_benefit_fen": pl.Int64(), "id": pl.Int64()},
    ).unique(["household_id", "program"], keep="last")
    enrollment_diff = diff(
        "enrollments",
        enrollments,
        stored,
        ["household_id", "program"],
        list(present.values()),
        pl.concat_str("household_id", pl.lit("/dibao")),
    )
    return _table_write(
        "enrollments",
        enrollment_diff,
        ["id"],
        ["household_id", "program"],
        enrollment_diff.updates.drop("household_id", "program"),
    )
