"""The app's writes and file jobs — import, export, compare — each one call into its owning package, with the
caller's area and an access-log line. Pages and the JSON API both call these."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from doudi.ingest.errors import ImportRejected
from doudi.ingest.export import KINDS, export_ledger
from doudi.ingest.importer import import_roster
from doudi.linkage.categories import CATEGORIES
from doudi.linkage.service import CompareRequest, run_comparison
from doudi.policy.profile import profile_for
from doudi.web.auth import CurrentUser, record
from doudi.web.uploads import UploadRejected, save_upload

log = logging.getLogger(__name__)

IMPORT_SOURCES = {"dibao": "低保台账", "poor": "建档立卡台账", "tekun": "特困台账", "disabled": "残疾人台账"}
EXPORT_NAMES = {"registry": "全部家庭台账", "dibao": "低保台账", "poor": "建档立卡台账"}


class ActionRejected(ValueError):
    """Bad input to an action; the message is for the user (Chinese) and nothing was written."""


def _audit(sessions: sessionmaker[Session], user: CurrentUser, action: str, target: str, detail: str) -> None:
    with sessions.begin() as session:
        record(session, user.username, action, target, detail)


def run_import(
    engine: Engine,
    sessions: sessionmaker[Session],
    user: CurrentUser,
    source: str,
    file_name: str | None,
    content: bytes,
    folder: Path,
) -> dict[str, Any]:
    if source not in IMPORT_SOURCES:
        raise ActionRejected(f"请选择台账类型（{'、'.join(IMPORT_SOURCES.values())}）")
    try:
        path = save_upload(file_name, content, folder)
        # Rows without a village code are placed in the importing user's county.
        result = import_roster(
            engine, path, source, error_report=folder / f"{path.stem}-错误报告.xlsx", region_code=user.area_code[:6]
        )
    except (UploadRejected, ImportRejected) as error:
        raise ActionRejected(str(error)) from error
    except Exception as error:  # an unreadable workbook: the user gets a sentence, the log gets the trace
        log.exception("import of %s failed", file_name)
        raise ActionRejected(f"无法读取“{file_name}”：文件已损坏或不是有效的电子表格") from error
    _audit(
        sessions,
        user,
        "import",
        source,
        f"{result.file_name}: {result.rows_stored} stored, {result.rows_rejected} rejected",
    )
    return {
        "batch_id": result.batch_id,
        "source": source,
        "source_name": IMPORT_SOURCES[source],
        "file_name": result.file_name,
        "rows_read": result.rows_read,
        "rows_stored": result.rows_stored,
        "rows_rejected": result.rows_rejected,
        "rows_changed": result.rows_changed,
        "households_added": result.households_added,
        "members_added": result.members_added,
        "errors": result.errors.head(200).to_dicts(),
        "error_report": result.error_report.name if result.error_report else None,
    }


def run_export(
    engine: Engine, sessions: sessionmaker[Session], user: CurrentUser, kind: str, folder: Path
) -> tuple[Path, str]:
    if kind not in KINDS:
        raise ActionRejected(f"未知的导出类型“{kind}”，应为：{'、'.join(EXPORT_NAMES.values())}")
    folder.mkdir(parents=True, exist_ok=True)
    download = f"{EXPORT_NAMES[kind]}-{user.area_code}-{dt.date.today():%Y%m%d}.xlsx"
    out = folder / f"export-{user.session_id[:8]}-{download}"
    rows = export_ledger(engine, kind, out, region_prefix=user.area_code)
    _audit(sessions, user, "export", kind, f"{rows} rows")
    return out, download


def run_compare(
    engine: Engine,
    sessions: sessionmaker[Session],
    user: CurrentUser,
    uploads: dict[str, tuple[str | None, bytes]],
    on: dt.date,
    folder: Path,
) -> dict[str, Any]:
    """Compare the uploaded rosters (at least the dibao and the registered-poor ones) for the user's county,
    under the county's profile on `on` (ValueError when it has none)."""
    profile = profile_for(user.area_code[:6], on).id
    files: dict[str, Path] = {}
    try:
        for source, (file_name, content) in uploads.items():
            if content:
                files[source] = save_upload(file_name, content, folder)
        if not {"dibao", "poor"} <= files.keys():
            raise ActionRejected("请同时上传低保名单和建档立卡名单")
        out = folder / f"比对结果-{dt.datetime.now():%Y%m%d%H%M%S%f}.xlsx"
        request = CompareRequest(files=files, profile=profile, on=on, out=out, region_code=user.area_code[:6])
        outcome = run_comparison(engine, request)
    except (UploadRejected, ImportRejected) as error:
        raise ActionRejected(str(error)) from error
    except ActionRejected:
        raise
    except Exception as error:
        log.exception("comparison failed")
        raise ActionRejected("比对失败：名单文件无法读取，请检查文件格式和列名") from error
    report = comparison_report(folder, outcome.run.run_id)
    outcome.report.rename(report)
    _audit(sessions, user, "compare", str(outcome.run.run_id), ", ".join(f"{s}={p.name}" for s, p in files.items()))
    return {
        "run_id": outcome.run.run_id,
        "counts": outcome.result.counts(),
        "by_township": by_township(outcome.result.findings),
        "warnings": outcome.result.warnings,
        "report": report.name,
    }


def comparison_report(folder: Path, run_id: int) -> Path:
    """Where run_compare keeps a run's result workbook."""
    return folder / f"比对结果-第{run_id}次.xlsx"


def by_township(findings: pl.DataFrame) -> list[dict[str, Any]]:
    """Households per category and township (the table county offices send out to the townships)."""
    if findings.is_empty():
        return []
    table = (
        findings.with_columns(pl.col("township").fill_null("（未知乡镇）"))
        .group_by("township", "category")
        .agg(pl.col("item_key").n_unique().alias("households"))
        .sort("township")
    )
    rows: dict[str, dict[str, Any]] = {}
    for township, category, households in table.iter_rows():
        rows.setdefault(township, {"township": township, **dict.fromkeys(CATEGORIES, 0)})[category] = households
    return list(rows.values())
