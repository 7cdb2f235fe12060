"""Reading the departments' rosters into one person-level frame for the comparison.

A roster row becomes a person row with a stable `row_key` (source + spreadsheet row), the department's
household, township and village, and a normalized ID number. Unlike an import, a row with a wrong or
missing ID number is *kept*: it is exactly the row the same-person search must look at. Only rows that
name no one (no name and no ID) or repeat another row word for word are rejected, with a Chinese reason.

Header detection, household grouping and cell cleaning are the ingest package's (`doudi.ingest`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow.compute as pc

from doudi.ingest import cleaning
from doudi.ingest.errors import ImportRejected
from doudi.ingest.excel import read_sheet
from doudi.ingest.headers import compact, detect_header, load_mapping
from doudi.ingest.importer import ledger_rows
from doudi.linkage import id_numbers

SOURCES: dict[str, str] = {
    "dibao": "低保名单",
    "poor": "建档立卡名单",
    "tekun": "特困人员名单",
    "disabled": "残疾人名单",
    "deaths": "死亡人员名单",
    "officials": "村干部名单",
}

# Headers the comparison reads beyond those of doudi.ingest.headers.
EXTRA_HEADERS: dict[str, tuple[str, ...]] = {
    "township": ("乡镇", "乡镇（街道）", "所属乡镇", "乡（镇）", "乡镇名称"),
    "village": ("村", "行政村", "所属村", "村名称", "村（社区）"),
    "death_date": ("死亡日期", "死亡时间", "注销日期"),
    "yearly_income_yuan": ("家庭年收入", "家庭年纯收入", "年收入", "家庭总收入"),
    "single_person": ("单人保", "单人户", "按单人户纳入"),
    "post": ("职务", "村干部职务", "担任职务"),
}

# The person frame every later step reads (rejected rows excluded).
PERSON_SCHEMA: dict[str, pl.DataType] = {
    "row_key": pl.String(),  # source:row — the unit of the accounting
    "source": pl.String(),
    "row": pl.Int64(),
    "household_key": pl.String(),  # source:department household
    "household_seq": pl.Int64(),  # the household as a number, unique across the rosters of one Rosters value
    "household_no": pl.String(),
    "head_name": pl.String(),
    "name": pl.String(),
    "id_text": pl.String(),  # as written, cleaned of spaces and full-width forms
    "id_number": pl.String(),  # a valid 18-digit number, or null
    "id_problem": pl.String(),  # why id_text is not a valid number, null when it is
    "from_15": pl.Boolean(),
    "relation": pl.String(),
    "sex": pl.String(),
    "birth_date": pl.Date(),
    "township": pl.String(),
    "village": pl.String(),
    "health": pl.String(),
    "disability_kind": pl.String(),
    "disability_grade": pl.Int8(),
    "monthly_benefit_fen": pl.Int64(),
    "yearly_income_fen": pl.Int64(),
    "household_size": pl.Int32(),
    "covered_size": pl.Int32(),
    "single_person": pl.Boolean(),
    "since": pl.Date(),
    "escaped_poverty": pl.Boolean(),
    "death_date": pl.Date(),
    "post": pl.String(),
    "village_code": pl.String(),
}

REJECTED_SCHEMA: dict[str, pl.DataType] = {
    "row_key": pl.String(),
    "source": pl.String(),
    "row": pl.Int64(),
    "name": pl.String(),
    "id_text": pl.String(),
    "reason": pl.String(),
}


@dataclass(frozen=True)
class RosterInput:
    """One roster as given: a file, its department, and the date it is as of (None: unknown)."""

    source: str
    path: Path | None
    as_of: dt.date | None = None
    sha256: str = ""
    rows: int = 0


@dataclass
class Rosters:
    persons: pl.DataFrame  # PERSON_SCHEMA
    rejected: pl.DataFrame  # REJECTED_SCHEMA
    inputs: list[RosterInput] = field(default_factory=list)


def empty_persons() -> pl.DataFrame:
    return pl.DataFrame(schema=PERSON_SCHEMA)


def _extra_lookup() -> dict[str, str]:
    return {compact(name): field for field, names in EXTRA_HEADERS.items() for name in names}


def _place_from_address(address: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """'榆树市五棵树镇前进村三组' -> ('五棵树镇', '前进村'): the township ends in 乡/镇/街道, the village in 村/社区."""
    groups = address.str.extract_groups(
        r"(?:[^省市县区]*[省市县区])*([^乡镇]{1,8}?(?:乡|镇|街道))?(.{1,10}?(?:村|社区))?"
    )
    return groups.struct.field("1"), groups.struct.field("2")


def read_roster(path: Path, source: str, as_of: dt.date | None = None, mapping: Path | None = None) -> Rosters:
    """One ledger file (.xlsx/.xls/.csv in UTF-8 or GBK) as person rows and rejected rows."""
    if source not in SOURCES:
        raise ImportRejected(f"未知的名单类型“{source}”，应为：{'、'.join(SOURCES)}")
    sheet = read_sheet(path)
    extra = _extra_lookup() | (load_mapping(mapping) if mapping else {})
    header = detect_header(sheet.cells, extra)
    missing = [label for fld, label in (("name", "姓名"), ("id_number", "身份证号码")) if fld not in header.fields]
    if missing:
        raise ImportRejected(f"{SOURCES[source]}“{path.name}”缺少必需的列：{'、'.join(missing)}")
    raw = ledger_rows(sheet.cells, header, sheet.first_row_number)
    persons, rejected = clean_rows(raw, source)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    given = RosterInput(source, path, as_of, digest, persons.height + rejected.height)
    return Rosters(persons, rejected, [given])


def household_numbers(groups: pl.Series) -> pl.Series:
    """Each household (`group` value) numbered 0, 1, … in the order the roster lists them first. The comparison's
    SQL joins and groups on these integers rather than on the household keys (person_links.py)."""
    encoded = pc.dictionary_encode(groups.rechunk().to_arrow())
    return pl.Series(encoded.indices).cast(pl.Int64)


def _text(raw: pl.DataFrame, name: str) -> pl.Expr:
    return cleaning.without_spaces(pl.col(name)) if name in raw.columns else pl.lit(None, pl.String)


def clean_rows(raw: pl.DataFrame, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Raw string rows (ingest's `ledger_rows` shape: `row`, `group` and one column per field) -> persons and
    rejected rows. Exposed for tests and for rosters built in memory."""
    cols = raw.columns

    def parsed(name: str, parse: object) -> pl.Expr:
        return parse(pl.col(name)) if name in cols else pl.lit(None)  # type: ignore[operator]

    ids = raw.select(_text(raw, "id_number").str.to_uppercase().alias("t"))["t"]
    is_15 = (ids.str.len_chars() == 15).fill_null(False)
    upgraded = pl.Series(
        id_numbers.upgrade_15_to_18(ids.zip_with(is_15, pl.Series([None] * len(ids), dtype=pl.String)))
    )
    as_18 = upgraded.zip_with(is_15, ids)
    # An old number that cannot be upgraded (letters in it) is checked as typed, not as an empty one.
    checked = id_numbers.check(as_18.fill_null(ids).fill_null(""))
    valid = checked["valid"].fill_null(False)
    township_from_address, village_from_address = _place_from_address(_text(raw, "address"))
    frame = raw.with_columns(
        pl.lit(source).alias("source"),
        ids.alias("id_text"),
        as_18.alias("id18"),
        valid.alias("valid"),
        checked["reason"].alias("reason"),
        is_15.alias("from_15"),
        household_numbers(raw["group"]).alias("household_seq"),
    ).select(
        pl.format("{}:{}", pl.lit(source), pl.col("row")).alias("row_key"),
        "source",
        pl.col("row").cast(pl.Int64),
        pl.format("{}:{}", pl.lit(source), pl.col("group")).alias("household_key"),
        "household_seq",
        _text(raw, "household_no").alias("household_no"),
        _text(raw, "head_name").alias("head_name"),
        cleaning.without_spaces(pl.col("name")).str.replace_all("[.．•]", "·").alias("name"),
        "id_text",
        pl.when("valid").then(pl.col("id18")).alias("id_number"),
        pl.when(pl.col("id_text").is_null())
        .then(pl.lit("身份证号码为空"))
        .when(~pl.col("valid"))
        .then(pl.lit("身份证号码") + pl.col("reason").fill_null("无效"))
        .alias("id_problem"),
        "from_15",
        _text(raw, "relation").replace({"本人": "户主"}).alias("relation"),
        parsed("sex", cleaning.parse_sex).alias("sex"),
        parsed("birth_date", cleaning.parse_date).alias("birth_date"),
        pl.coalesce(_text(raw, "township"), township_from_address).alias("township"),
        pl.coalesce(_text(raw, "village"), village_from_address).alias("village"),
        parsed("health", cleaning.parse_health).alias("health"),
        parsed("disability_kind", cleaning.parse_disability_kind).alias("disability_kind"),
        parsed("disability_grade", cleaning.parse_disability_grade).alias("disability_grade"),
        parsed("monthly_benefit_yuan", cleaning.parse_yuan_to_fen).alias("monthly_benefit_fen"),
        parsed("yearly_income_yuan", cleaning.parse_yuan_to_fen).alias("yearly_income_fen"),
        parsed("household_size", cleaning.parse_count).alias("household_size"),
        parsed("covered_size", cleaning.parse_count).alias("covered_size"),
        _text(raw, "single_person").str.contains("^(是|Y|1|单人)").alias("single_person"),
        parsed("since", cleaning.parse_date).alias("since"),
        parsed("poverty_status", cleaning.parse_escaped_poverty).alias("escaped_poverty"),
        parsed("death_date", cleaning.parse_date).alias("death_date"),
        _text(raw, "post").alias("post"),
        _text(raw, "village_code").str.extract(r"^(\d{9,12})$", 1).alias("village_code"),
    )
    # Sex and birth date the roster left out come from a valid ID number.
    frame = frame.with_columns(
        pl.coalesce(pl.col("sex"), pl.Series(id_numbers.sex(frame["id_number"]))).alias("sex"),
        pl.coalesce(pl.col("birth_date"), pl.Series(id_numbers.birth_date(frame["id_number"])).cast(pl.Date)).alias(
            "birth_date"
        ),
        # Township and village from a village code when the roster gives no names.
        pl.coalesce("township", pl.col("village_code").str.slice(0, 9)).alias("township"),
        pl.coalesce("village", pl.col("village_code")).alias("village"),
    )
    frame = pl.DataFrame(frame, schema_overrides=None).cast(PERSON_SCHEMA)  # type: ignore[arg-type]
    return split_rejected(frame)


def split_rejected(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows naming no one, and word-for-word repeats of an earlier row of the same household, are rejected."""
    nobody = frame["name"].is_null() & frame["id_text"].is_null()
    same = ["household_key", "name", "id_text"]
    repeat_of = frame.with_columns(pl.col("row").min().over(same).alias("first_row"))["first_row"]
    repeated = (repeat_of != frame["row"]) & ~nobody
    reason = (
        pl.when(pl.Series(nobody))
        .then(pl.lit("姓名和身份证号码均为空，无法比对"))
        .when(pl.Series(repeated))
        .then(pl.format("与第{}行重复（同一户、同一姓名和身份证号码）", pl.Series(repeat_of)))
    )
    marked = frame.with_columns(reason.alias("reason"))
    rejected = marked.filter(pl.col("reason").is_not_null()).select(list(REJECTED_SCHEMA))
    return marked.filter(pl.col("reason").is_null()).drop("reason"), rejected.cast(REJECTED_SCHEMA)  # type: ignore[arg-type]


def combine(parts: list[Rosters]) -> Rosters:
    """The parts as one Rosters value; each part's household numbers are shifted past the previous parts', so two
    rosters never share a number."""
    numbered, offset = [], 0
    for part in parts:
        numbered.append(part.persons.with_columns(pl.col("household_seq") + offset))
        offset += part.persons.select((pl.col("household_seq").max() + 1).fill_null(0)).item()
    persons = pl.concat([empty_persons(), *numbered], how="vertical_relaxed")
    rejected = pl.concat([pl.DataFrame(schema=REJECTED_SCHEMA), *[p.rejected for p in parts]], how="vertical_relaxed")
    return Rosters(persons, rejected, [given for p in parts for given in p.inputs])


def from_frame(rows: pl.DataFrame, source: str) -> Rosters:
    """Rosters built in memory (tests, the synthetic county): a frame of string cells named by field, one row per
    person, with optional `row` and `household_no`."""
    raw = rows.with_columns(pl.col(c).cast(pl.String) for c in rows.columns if c != "row")
    if "row" not in raw.columns:
        raw = raw.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))
    group = pl.col("household_no") if "household_no" in raw.columns else pl.col("row").cast(pl.String)
    raw = raw.with_columns(group.fill_null(pl.col("row").cast(pl.String)).alias("group"))
    persons, rejected = clean_rows(raw, source)
    digest = hashlib.sha256(rows.write_csv().encode()).hexdigest()
    return Rosters(persons, rejected, [RosterInput(source, None, None, digest, rows.height)])


def from_registry(engine: object, sources: tuple[str, ...] = ("dibao", "poor", "tekun", "disabled")) -> Rosters:
    """The rosters stored in the registry (roster_memberships, with the members' and households' data), one
    roster per source; a row's key is its membership id."""
    from sqlalchemy import Engine, select

    from doudi.registry.bulk import fetch_frame
    from doudi.registry.models import Household, Member, RosterMembership

    assert isinstance(engine, Engine)
    query = (
        select(
            RosterMembership.id.label("row"),
            RosterMembership.source,
            RosterMembership.household_ref.label("household_no"),
            RosterMembership.name,
            RosterMembership.id_number,
            RosterMembership.as_of,
            Member.relation,
            Member.sex,
            Member.birth_date,
            Member.health,
            Member.disability_kind,
            Member.disability_grade,
            Member.household_id,
            Household.village_code,
            Household.address,
        )
        .outerjoin(Member, Member.id_number == RosterMembership.id_number)
        .outerjoin(Household, Household.id == Member.household_id)
        .where(RosterMembership.source.in_(sources))
    )
    kinds = {
        "row": pl.Int64(),
        "source": pl.String(),
        "household_no": pl.String(),
        "name": pl.String(),
        "id_number": pl.String(),
        "as_of": pl.Date(),
        "relation": pl.String(),
        "sex": pl.String(),
        "birth_date": pl.Date(),
        "health": pl.String(),
        "disability_kind": pl.String(),
        "disability_grade": pl.Int8(),
        "household_id": pl.String(),
        "village_code": pl.String(),
        "address": pl.String(),
    }
    with engine.connect() as connection:
        stored = fetch_frame(connection, query, kinds).unique("row", keep="first", maintain_order=True)
    parts = []
    for source in sources:
        rows = stored.filter(pl.col("source") == source)
        if rows.is_empty():
            continue
        raw = rows.select(
            "row",
            pl.coalesce("household_no", "household_id", pl.col("row").cast(pl.String)).alias("group"),
            pl.coalesce("household_no", "household_id").alias("household_no"),
            "name",
            "id_number",
            "relation",
            "address",
            "village_code",
            "disability_kind",
            pl.col("health").replace({"serious_illness": "重病", "chronic": "慢性病", "healthy": "健康"}),
            pl.col("sex").replace({"M": "男", "F": "女"}),
            pl.col("birth_date").cast(pl.String),
            pl.col("disability_grade").cast(pl.String),
        )
        persons, rejected = clean_rows(raw, source)
        persons = persons.with_columns(pl.format("{}:登记库{}", pl.lit(source), pl.col("row")).alias("row_key"))
        as_of = rows["as_of"].max()
        digest = hashlib.sha256(rows.sort("row").write_csv().encode()).hexdigest()
        given = RosterInput(source, None, as_of if isinstance(as_of, dt.date) else None, digest, rows.height)
        parts.append(Rosters(persons, rejected, [given]))
    return combine(parts)
