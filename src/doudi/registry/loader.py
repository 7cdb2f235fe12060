"""Reading households out of the registry as the engine's four frames (see doudi.rules.schema)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, Select, and_, or_, select
from sqlalchemy.orm import Session

from doudi.registry.areas import household_in_area
from doudi.registry.arrow_reader import fetch_all
from doudi.registry.bulk import fetch_frame, literal_sql, typed_frame
from doudi.registry.models import IN_FORCE, Enrollment, Expense, Household, IncomeItem, Member
from doudi.rules import schema

# Above this many ids an IN list gets unwieldy; we read the lot and filter in Polars instead.
_MAX_IN_LIST = 5_000


def _queries(
    household_ids: Sequence[str] | None,
    region_prefix: str | None,
    on: dt.date,
    enrolled_in: str | None = None,
    id_range: tuple[str, str] | None = None,
) -> dict[str, tuple[Select, dict[str, pl.DataType]]]:
    """One SELECT per frame (plus the current dibao enrollments), narrowed to the chosen households."""
    chosen: list[Any] = []
    if id_range is not None:
        chosen.append(and_(Household.id > id_range[0], Household.id <= id_range[1]))
    ids_in_sql = household_ids is not None and len(household_ids) <= _MAX_IN_LIST
    if ids_in_sql:
        chosen.append(Household.id.in_(list(household_ids or [])))
    if region_prefix:
        chosen.append(household_in_area(region_prefix))
    if enrolled_in:
        chosen.append(Household.id.in_(select(Enrollment.household_id).where(Enrollment.program == enrolled_in)))

    def narrowed(query: Select, key: Any) -> Select:
        if not chosen:
            return query
        if id_range is not None and len(chosen) == 1 and household_ids is None:  # a range of every table's key
            return query.where(key > id_range[0], key <= id_range[1])
        if not region_prefix and not enrolled_in:  # only ids: the planner does best with a plain IN list
            return query.where(key.in_(list(household_ids or [])))
        return query.where(key.in_(select(Household.id).where(and_(*chosen))))

    households = select(
        Household.id.label("household_id"),
        Household.region_code,
        Household.registered_poor,
        Household.escaped_poverty,
        Household.property_within_rules,
        Household.three_guarantees_unsolved,
        Household.long_return_industry,
    )
    members = select(
        Member.household_id,
        Member.id_number,
        Member.name,
        Member.relation,
        Member.sex,
        Member.birth_date,
        Member.health,
        Member.disability_kind,
        Member.disability_grade,
        Member.bedridden,
        Member.in_school,
        Member.labor_capacity,
        Member.employed,
        Member.single_person_application,
    ).where(or_(Member.death_date.is_(None), Member.death_date > on))
    incomes = select(
        IncomeItem.household_id,
        IncomeItem.id_number,
        IncomeItem.kind,
        IncomeItem.yearly_fen,
        IncomeItem.poverty_project,
    )
    expenses = select(Expense.household_id, Expense.id_number, Expense.kind, Expense.yearly_fen)
    # The few who died by `on`: their incomes and expenses are dropped after reading (an anti-join in
    # Polars; a correlated NOT EXISTS per income row made PostgreSQL's read 2-3x slower).
    dead = select(Member.household_id, Member.id_number).where(Member.death_date <= on)
    enrollments = select(
        Enrollment.household_id,
        Enrollment.since.label("enrolled_since"),
        Enrollment.scope.label("enrolled_scope"),
        Enrollment.benefit_class.label("enrolled_class"),
        Enrollment.monthly_benefit_fen.label("current_benefit_fen"),
        Enrollment.gradual_exit_since,
        Enrollment.gradual_exit_base_fen,
    ).where(
        Enrollment.program == "dibao",
        Enrollment.status.in_(IN_FORCE),
        or_(Enrollment.since.is_(None), Enrollment.since <= on),
        or_(Enrollment.until.is_(None), Enrollment.until > on),
    )
    return {
        "households": (narrowed(households, Household.id), schema.HOUSEHOLDS),
        "members": (narrowed(members, Member.household_id), schema.MEMBERS),
        "incomes": (narrowed(incomes, IncomeItem.household_id), schema.INCOMES),
        "expenses": (narrowed(expenses, Expense.household_id), schema.EXPENSES),
        "enrollments": (narrowed(enrollments, Enrollment.household_id), schema.HOUSEHOLDS),
        "dead": (narrowed(dead, Member.household_id), schema.MEMBERS),
    }


def _read(
    source: Session | Engine | Connection, queries: dict[str, tuple[Select, dict[str, pl.DataType]]]
) -> dict[str, pl.DataFrame]:
    if isinstance(source, Engine):
        # Nothing uncommitted to see: read in parallel over ADBC straight into Arrow when a driver is there.
        sql = {name: literal_sql(query, source.dialect) for name, (query, _) in queries.items()}
        raw = fetch_all(source, sql)
        if raw is not None:
            return {name: typed_frame(raw[name], kinds) for name, (_, kinds) in queries.items()}
        with source.connect() as connection:
            return {name: fetch_frame(connection, query, kinds) for name, (query, kinds) in queries.items()}
    connection = source.connection() if isinstance(source, Session) else source
    return {name: fetch_frame(connection, query, kinds) for name, (query, kinds) in queries.items()}


def load_frames(
    source: Session | Engine | Connection,
    household_ids: Sequence[str] | None = None,
    region_prefix: str | None = None,
    on: dt.date | None = None,
    enrolled_in: str | None = None,
    id_range: tuple[str, str] | None = None,
) -> dict[str, pl.DataFrame]:
    """The households, members, incomes and expenses frames of schema.py for the chosen households.

    `household_ids` and `region_prefix` (matched against the county and the village code) narrow the
    selection; with neither, the whole registry is read. `enrolled_in` (e.g. "dibao") keeps only households
    with an enrollment in that program, of any status (a payment roll reads ~10% of a county, not all of it).
    `id_range` (low, high) keeps households with low < id <= high (in the database's order): a batch of a
    long run over the whole registry, read by index ranges rather than a list of ids.
    Members who died on or before `on` are left out.
    A Session or Connection is read inside its transaction; an Engine through parallel Arrow reads.
    """
    on = on or dt.date.today()
    frames = _read(source, _queries(household_ids, region_prefix, on, enrolled_in, id_range))
    if household_ids is not None and len(household_ids) > _MAX_IN_LIST:
        wanted = pl.DataFrame({"household_id": list(household_ids)}, schema={"household_id": pl.String()})
        frames = {name: frame.join(wanted, on="household_id", how="semi") for name, frame in frames.items()}

    # A person's income and expenses end with their death: the engine must not count them.
    for name in ("incomes", "expenses"):
        frames[name] = frames[name].join(frames["dead"], on=["household_id", "id_number"], how="anti")

    # One current dibao enrollment per household: the most recent one.
    current = frames["enrollments"].sort("enrolled_since", nulls_last=False).unique("household_id", keep="last")
    households = (
        frames["households"]
        .join(current, on="household_id", how="left")
        .with_columns(
            pl.lit(on, dtype=pl.Date()).alias("on"),
            pl.col("household_id").is_in(current["household_id"].implode()).alias("enrolled"),
        )
        .sort("household_id")
    )
    return {
        "households": schema.conform(households, schema.HOUSEHOLDS),
        "members": schema.conform(frames["members"], schema.MEMBERS),
        "incomes": schema.conform(frames["incomes"], schema.INCOMES),
        "expenses": schema.conform(frames["expenses"], schema.EXPENSES),
    }
