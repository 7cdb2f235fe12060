"""Charts for people who would rather look than read: SVG and PNG files, drawn by matplotlib without a browser.

- persons and spending by month (approved payment rolls);
- spending and persons by township (the latest approved month);
- per-capita income against the standard (dibao households, from the rules engine).
The web layer embeds the SVG files; the PNG files go into printed reports.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt
import polars as pl
from sqlalchemy import Engine, func, select

from doudi.payments.models import PaymentRoll, PaymentRollRow
from doudi.payments.roll import income_to_standard
from doudi.payments.roll_workbook import region_names
from doudi.registry.bulk import fetch_frame
from doudi.registry.models import IN_FORCE, Enrollment
from doudi.reports.fonts import chart_font_family


def _style() -> None:
    plt.rcParams["font.family"] = chart_font_family()
    plt.rcParams["axes.unicode_minus"] = False


def _save(figure: plt.Figure, out_dir: Path, name: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.svg", out_dir / f"{name}.png"]
    figure.tight_layout()
    for path in paths:
        figure.savefig(path, dpi=120)
    plt.close(figure)
    return paths


def monthly_series(engine: Engine, region: str = "") -> pl.DataFrame:
    """Persons and money paid per approved month, for the area whose village codes start with `region`."""
    query = (
        select(
            PaymentRoll.month,
            func.sum(PaymentRollRow.persons).label("persons"),
            func.sum(PaymentRollRow.total_fen).label("total_fen"),
        )
        .join(PaymentRoll, PaymentRoll.id == PaymentRollRow.roll_id)
        .where(PaymentRollRow.village_code.like(f"{region}%"))
        .group_by(PaymentRoll.month)
        .order_by(PaymentRoll.month)
    )
    with engine.connect() as connection:
        return fetch_frame(connection, query, {"month": pl.String(), "persons": pl.Int64(), "total_fen": pl.Int64()})


def township_series(engine: Engine) -> pl.DataFrame:
    with engine.connect() as connection:
        latest = connection.execute(select(func.max(PaymentRoll.month))).scalar()
        query = (
            select(
                PaymentRollRow.township_code,
                func.sum(PaymentRollRow.persons).label("persons"),
                func.sum(PaymentRollRow.total_fen).label("total_fen"),
            )
            .join(PaymentRoll, PaymentRoll.id == PaymentRollRow.roll_id)
            .where(PaymentRoll.month == latest)
            .group_by(PaymentRollRow.township_code)
            .order_by(PaymentRollRow.township_code)
        )
        frame = fetch_frame(
            connection, query, {"township_code": pl.String(), "persons": pl.Int64(), "total_fen": pl.Int64()}
        )
    names = region_names(engine)
    return frame.with_columns(
        township=pl.col("township_code").replace_strict(names, default=pl.col("township_code")), month=pl.lit(latest)
    )


def income_ratios(engine: Engine, on: dt.date) -> pl.Series:
    """Per-capita counted income as a share of the standard, per dibao household (the engine's own figures)."""
    with engine.connect() as connection:
        on_dibao = (Enrollment.program == "dibao") & Enrollment.status.in_(IN_FORCE)
        ids = connection.execute(select(Enrollment.household_id).where(on_dibao)).scalars().all()
        return income_to_standard(connection, sorted(set(ids)), on)


def write_charts(engine: Engine, out_dir: Path, on: dt.date | None = None) -> list[Path]:
    """Write the three charts (SVG and PNG each) into `out_dir`; returns the files written."""
    _style()
    written: list[Path] = []
    monthly = monthly_series(engine)
    figure, left = plt.subplots(figsize=(8, 4))
    months = monthly["month"].to_list()
    left.bar(months, (monthly["total_fen"] / 1_000_000).to_list(), color="#4C78A8", label="发放金额（万元）")
    left.set_ylabel("发放金额（万元）")
    right = left.twinx()
    right.plot(months, monthly["persons"].to_list(), color="#E45756", marker="o", label="保障人数")
    right.set_ylabel("保障人数（人）")
    left.set_title("按月发放金额与保障人数")
    left.tick_params(axis="x", rotation=45)
    written += _save(figure, out_dir, "monthly_persons_spending")

    township = township_series(engine)
    figure, axis = plt.subplots(figsize=(8, max(3, 0.35 * township.height + 1)))
    axis.barh(township["township"].to_list(), (township["total_fen"] / 1_000_000).to_list(), color="#54A24B")
    axis.invert_yaxis()
    axis.set_xlabel("发放金额（万元）")
    axis.set_title(f"各乡镇发放金额（{township['month'][0] if township.height else '—'}）")
    written += _save(figure, out_dir, "township_spending")

    ratios = income_ratios(engine, on or dt.date.today())
    figure, axis = plt.subplots(figsize=(8, 4))
    axis.hist(ratios.clip(0, 3).to_list(), bins=30, color="#72B7B2")
    axis.axvline(1.0, color="#E45756", linestyle="--", label="保障标准")
    axis.axvline(2.0, color="#F58518", linestyle=":", label="2倍标准（渐退上限）")
    axis.set_xlabel("家庭人均收入 ÷ 低保标准（3 倍及以上计入最右一栏）")
    axis.set_ylabel("低保户数")
    axis.set_title("低保家庭人均收入与保障标准")
    axis.legend()
    written += _save(figure, out_dir, "income_against_standard")
    return written
