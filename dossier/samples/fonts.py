"""The CJK typefaces sample pages are set in, shipped by a Python package.

Noto Serif SC for printed pages (what scans are rendered from) and Noto Sans SC for the
text layer of born-digital PDFs, from the ``pylopdf-fonts-zh-cn`` wheel (the Noto CJK
region subsets, SIL Open Font License 1.1, pinned to one version in pyproject.toml).
Why a wheel rather than Debian's fonts-noto-cjk: ``./run.sh demo`` then needs no root
and no apt, and every machine renders the same samples from the same font bytes (Debian
releases ship different font versions). The faces are the same design as Debian's Noto
CJK SC: pagination is identical and a rendered page differs in about 0.1% of its
pixels (measured when this was chosen).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["FONT_PACKAGE", "FONT_SHA256", "SANS", "SERIF"]

FONT_PACKAGE = "pylopdf_fonts_zh_cn"
SERIF = Path(str(files(FONT_PACKAGE) / "NotoSerifSC-Regular.otf"))
SANS = Path(str(files(FONT_PACKAGE) / "NotoSansSC-Regular.otf"))
# The bytes the samples, tests and benchmarks were calibrated with (checked by a test).
FONT_SHA256 = {
    SERIF.name: "e8f396decc1f0963a016a989c3d8852e863d1350996f573860a80767c83a1cd3",
    SANS.name: "faa6c9df652116dde789d351359f3d7e5d2285a2b2a1f04a2d7244df706d5ea9",
}
