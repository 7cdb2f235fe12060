"""Uploaded spreadsheets: checked before any importer sees them (type, size, content), saved to a temp file."""

from __future__ import annotations

import secrets
from pathlib import Path

MAX_UPLOAD_BYTES = 30 * 1024 * 1024  # a county ledger of ~200,000 rows
ALLOWED = {".xlsx": b"PK\x03\x04", ".xls": b"\xd0\xcf\x11\xe0", ".csv": None}


class UploadRejected(ValueError):
    """The message is for the user (Chinese)."""


def save_upload(file_name: str | None, content: bytes, folder: Path) -> Path:
    """The upload as a file in `folder` once it looks like a spreadsheet; UploadRejected otherwise."""
    name = Path(file_name or "").name
    if not name:
        raise UploadRejected("请选择要上传的文件")
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        raise UploadRejected(f"“{name}”不是电子表格：只接受 .xlsx、.xls 或 .csv 文件")
    if not content:
        raise UploadRejected(f"“{name}”是空文件")
    if len(content) > MAX_UPLOAD_BYTES:
        size = f"{len(content) / 1048576:.1f}"
        raise UploadRejected(f"“{name}”太大（{size} MB），上限为 {MAX_UPLOAD_BYTES // 1048576} MB")
    magic = ALLOWED[suffix]
    if magic is not None and not content.startswith(magic):
        raise UploadRejected(f"“{name}”的内容不是 {suffix} 格式的电子表格，请用 Excel 或 WPS 另存后再上传")
    if magic is None and b"\x00" in content[:4096]:
        raise UploadRejected(f"“{name}”不是文本格式的 CSV 文件")
    folder.mkdir(parents=True, exist_ok=True)
    # A random prefix keeps uploads apart; the user's file name stays (the importer records it).
    target = folder / f"upload-{secrets.token_hex(6)}-{name}"
    target.write_bytes(content)
    return target
