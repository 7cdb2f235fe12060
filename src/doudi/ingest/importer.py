"""Importing a department's ledger (dibao, registered poor, disabled persons) into the registry.

The pipeline: read raw cells -> find the header -> clean and validate every row (bad rows go to the
error report with a Chinese reason) -> group rows into households -> match households and persons
already in the registry -> insert what is new, update what changed (each change logged) -> one commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import Connection, Engine, insert, select, update

from doudi.audit import record_import
from doudi.ingest import cleaning
from doudi.ingest.changes import diff
from doudi.ingest.error_report import default_report_path, empty_errors, write_error_report
from doudi.ingest.errors import ImportRejected
from doudi.ingest.excel import read_sheet
from doudi.ingest.headers import FIELD_LABELS, Header, detect_header, load_mapping, require
from doudi.linkage import id_numbers
from doudi.registry.bulk import fetch_frame, insert_frame, update_rows
from doudi.registry.models import Enrollment, Household, ImportBatch, Member, RosterMembership
from doudi.registry.store import fit_to_table
from doudi.rules.explain import mask_id

log = logging.getLogger(__name__)

SOURCES = ("dibao", "poor", "disabled")

# Above this many keys we read the whole table instead of an IN list.
_MAX_IN_LIST = 5_000

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
    sheet = read_sheet(path)
    header = detect_header(sheet.cells, load_mapping(mapping) if mapping else None)
    require(header, source)
    rows = ledger_rows(sheet.cells, header, sheet.first_row_number)
    rows, errors = _validate(rows, header, source)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    with engine.begin() as connection:
        batch_id = connection.execute(
            insert(ImportBatch).values(file_name=path.name, sha256=digest, source_kind=source).returning(ImportBatch.id)
        ).scalar_one()
        rows, conflicts = _assign_households(connection, rows, region_code)
        errors = pl.concat([errors, conflicts])
        counts = _store(connection, rows, source, batch_id, as_of or dt.date.today())
        connection.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(
                rows_stored=rows.height,
                rows_rejected=errors["行号"].n_unique(),
                rows_changed=counts["changed"],
            )
        )
        record_import(connection, batch_id, why=f"导入{source}台账 {path.name}")

    report = None
    if errors.height:
        report = write_error_report(errors, error_report or default_report_path(path))
    log.info(
        "imported %s from %s: %d stored, %d rejected, %d changed",
        source,
        path.name,
        rows.height,
        errors["行号"].n_unique(),
        counts["changed"],
    )
    return ImportResult(
        batch_id=batch_id,
        source=source,
        file_name=path.name,
        rows_read=rows.height + errors["行号"].n_unique(),
        rows_stored=rows.height,
        rows_rejected=errors["行号"].n_unique(),
        rows_changed=counts["changed"],
        households_added=counts["households_added"],
        members_added=counts["members_added"],
        errors=errors.sort("行号"),
        error_report=report,
    )


def ledger_rows(cells: pl.DataFrame, header: Header, first_row_number: int) -> pl.DataFrame:
    """The data rows as one String column per recognised field plus `row` (the spreadsheet row number).
    Blank rows are dropped; household-level cells merged down over members are filled in."""
    fields = header.fields
    data = cells.with_row_index("row", offset=first_row_number).slice(header.first_data_row)
    data = data.select(
        pl.col("row").cast(pl.Int64),
        *[cleaning.half_width(pl.col(f"c{index}")).alias(field) for field, index in fields.items()],
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
    raw_id = cleaning.without_spaces(pl.col("id_number")).str.to_uppercase()
    rows = rows.with_columns(
        cleaning.without_spaces(pl.col("name")).str.replace_all("[.．•]", "·").alias("name_clean"),
        raw_id.alias("id_text"),
    )
    normalized = pl.Series(id_numbers.normalize(rows["id_text"]), dtype=pl.String)
    rows = rows.with_columns(pl.coalesce(normalized, pl.col("id_text")).alias("id_normalized"))
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

    # The same person twice in this file: the first row stands, later ones are reported.
    first = valid.group_by("id_number").agg(
        pl.col("row").min().alias("first_row"), pl.col("group").first().alias("first_group")
    )
    valid = valid.join(first, on="id_number")
    repeated = valid.filter(pl.col("row") != pl.col("first_row"))
    duplicate_errors = repeated.select(
        pl.col("row").alias("行号"),
        pl.lit(label("id_number")).alias("列"),
        pl.col("id_number").alias("值"),
        pl.when(pl.col("group") != pl.col("first_group"))
        .then(pl.format("同一人出现在两个家庭中（第{}行已登记在另一家庭）", pl.col("first_row")))
        .otherwise(pl.format("同一家庭中重复登记（与第{}行相同）", pl.col("first_row")))
        .alias("原因"),
    )
    valid = valid.filter(pl.col("row") == pl.col("first_row")).drop("first_row", "first_group")
    return valid, pl.concat([errors, duplicate_errors], how="vertical_relaxed")


def _in_or_all(column: object, values: list[str]) -> object | None:
    return column.in_(values) if len(values) <= _MAX_IN_LIST else None  # type: ignore[attr-defined]


def _assign_households(
    connection: Connection, rows: pl.DataFrame, region_code: str | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Give each ledger household a registry household id: the one its persons are already in, else the
    one with the same household number, else a new id from the head's ID number. A person already
    registered in a different household is reported, not moved."""
    ids = rows["id_number"].unique().to_list()
    member_query = select(Member.id_number, Member.household_id.label("stored_household"))
    if (condition := _in_or_all(Member.id_number, ids)) is not None:
        member_query = member_query.where(condition)  # type: ignore[arg-type]
    stored_members = fetch_frame(connection, member_query, {})
    stored_members = stored_members.unique("id_number", keep="first")
    rows = rows.join(stored_members, on="id_number", how="left")

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
        if (condition := _in_or_all(Household.household_no, numbers)) is not None:
            household_query = household_query.where(condition)  # type: ignore[arg-type]
        stored_numbers = fetch_frame(connection, household_query, {}).unique("group_no", keep="first")
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
    return rows, conflicts


def _stored(
    connection: Connection, query: object, column: object, keys: list[str], kinds: dict[str, pl.DataType]
) -> pl.DataFrame:
    if (condition := _in_or_all(column, keys)) is not None:
        query = query.where(condition)  # type: ignore[attr-defined]
    return fetch_frame(connection, query, kinds)  # type: ignore[arg-type]


def _store(connection: Connection, rows: pl.DataFrame, source: str, batch_id: int, as_of: dt.date) -> dict[str, int]:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    changed = 0
    change_logs: list[pl.DataFrame] = []
    household_ids = rows["household_id"].unique().to_list()

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
    insert_frame(connection, "households", fit_to_table("households", household_diff.inserts))
    update_rows(
        connection,
        "households",
        ["id"],
        household_diff.updates.with_columns((pl.col("version") + 1).alias("version"), pl.lit(now).alias("updated_at")),
    )
    changed += household_diff.updates.height
    change_logs.append(household_diff.changes)

    # Members, keyed by household and ID number.
    member_columns = [c for c in _MEMBER_FIELDS if c in rows.columns]
    members = rows.select("household_id", "id_number", *member_columns)
    member_kinds: dict[str, pl.DataType] = {"birth_date": pl.Date(), "disability_grade": pl.Int8()}
    stored_members = _stored(
        connection,
        select(Member.household_id, Member.id_number, *[getattr(Member, c) for c in _MEMBER_FIELDS]),
        Member.household_id,
        household_ids,
        member_kinds,
    )
    member_diff = diff(
        "members",
        members,
        stored_members,
        ["household_id", "id_number"],
        member_columns,
        pl.concat_str("household_id", pl.lit("/"), "id_number"),
    )
    insert_frame(connection, "members", fit_to_table("members", member_diff.inserts))
    update_rows(connection, "members", ["household_id", "id_number"], member_diff.updates)
    changed += member_diff.updates.height
    change_logs.append(member_diff.changes)

    if source == "dibao":
        changed += _store_enrollments(connection, rows, household_ids, change_logs)

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
    roster_diff = diff(
        "roster_memberships",
        roster,
        stored_roster,
        ["source", "id_number"],
        ["name", "household_ref"],
        pl.concat_str("source", pl.lit("/"), "id_number"),
    )
    batch_columns = [pl.lit(as_of).alias("as_of"), pl.lit(batch_id).alias("batch_id")]
    insert_frame(
        connection,
        "roster_memberships",
        fit_to_table("roster_memberships", roster_diff.inserts.with_columns(batch_columns)),
    )
    update_rows(
        connection, "roster_memberships", ["source", "id_number"], roster_diff.updates.with_columns(batch_columns)
    )
    changed += roster_diff.updates.height
    change_logs.append(roster_diff.changes)

    log_rows = pl.concat(change_logs, how="vertical_relaxed").with_columns(pl.lit(batch_id).alias("batch_id"))
    insert_frame(connection, "change_log", fit_to_table("change_log", log_rows))
    return {
        "changed": changed,
        "households_added": household_diff.inserts.height,
        "members_added": member_diff.inserts.height,
    }


def _store_enrollments(
    connection: Connection, rows: pl.DataFrame, household_ids: list[str], change_logs: list[pl.DataFrame]
) -> int:
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
    insert_frame(connection, "enrollments", fit_to_table("enrollments", enrollment_diff.inserts))
    update_rows(connection, "enrollments", ["id"], enrollment_diff.updates.drop("household_id", "program"))
    change_logs.append(enrollment_diff.changes)
    return enrollment_diff.updates.height
