"""A TrueType font with Chinese glyphs for PDFs and charts (Debian: fonts-wqy-zenhei or fonts-noto-cjk)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
PDF_FONT = "DoudiCJK"


class FontMissing(RuntimeError):
    pass


@cache
def cjk_font_path() -> Path:
    """$DOUDI_CJK_FONT, else the first installed candidate."""
    configured = os.environ.get("DOUDI_CJK_FONT")
    for candidate in ([configured] if configured else []) + list(CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "找不到中文字体，无法生成 PDF 或图表：请安装 fonts-wqy-zenhei（apt-get install fonts-wqy-zenhei），"
        "或用环境变量 DOUDI_CJK_FONT 指定 .ttf/.ttc 字体文件"
    )


@cache
def register_pdf_font() -> str:
    """Register the font with reportlab once; returns its name for paragraph styles."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = cjk_font_path()
    options = {"subfontIndex": 0} if path.suffix == ".ttc" else {}
    pdfmetrics.registerFont(TTFont(PDF_FONT, str(path), **options))
    return PDF_FONT


@cache
def chart_font_family() -> str:
    """Add the font to matplotlib once; returns the family name to use."""
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()
