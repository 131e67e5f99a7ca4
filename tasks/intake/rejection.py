"""Why an upload is refused: a small closed set of reason codes.

The codes end up in reason files under ``quarantine/``, in the dossier row and
in ``index.jsonl``; a closed set lets people count and filter rejections, and
the human message carries the particulars.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from dossier.privacy import mask_text

ReasonCode = Literal[
    "empty",
    "too_large",
    "unsupported_format",
    "truncated",
    "encrypted",
    "zip_traversal",
    "zip_nested",
    "zip_bomb",
    "too_many_pages",
    "image_too_large",
    "unreadable",
    "not_regular_file",
]
REASON_CODES: frozenset[str] = frozenset(get_args(ReasonCode))

# What the code means, in Chinese for the clerk who reads the reason file.
REASON_LABELS: dict[str, str] = {
    "empty": "空文件",
    "too_large": "文件超过大小上限",
    "unsupported_format": "不支持的文件格式",
    "truncated": "文件不完整（被截断）",
    "encrypted": "文件已加密",
    "zip_traversal": "压缩包含越界路径",
    "zip_nested": "压缩包内嵌套压缩包",
    "zip_bomb": "压缩包解压后过大（疑似压缩炸弹）",
    "too_many_pages": "页数超过上限",
    "image_too_large": "页面图像像素超过上限",
    "unreadable": "文件无法读取",
    "not_regular_file": "不是普通文件（链接、管道或设备）",
}


class RejectedInput(Exception):
    """An upload the pipeline refuses; it goes to ``quarantine/`` with ``reason``.

    ``message`` says what was wrong for a person; it never quotes page content,
    so it cannot leak names from the dossier.
    """

    def __init__(self, reason: ReasonCode, message: str) -> None:
        if reason not in REASON_CODES:
            raise ValueError(f"unknown rejection reason {reason!r}")
        super().__init__(f"{reason}: {message}")
        self.reason: ReasonCode = reason
        self.message = message


_HANZI_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")


def masked_filename(name: str) -> str:
    """A file name fit for messages and logs: 张三讯问笔录.jpg → 张*****.jpg.

    Clerks name files after people, so every run of two or more 汉字 keeps only
    its first character, and ID numbers are masked; 第10页.png stays readable.
    """
    name = mask_text(name)
    return _HANZI_RUN.sub(lambda run: run.group(0)[0] + "*" * (len(run.group(0)) - 1), name)
