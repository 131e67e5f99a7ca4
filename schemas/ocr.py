"""Page-level stage outputs: what pagination and OCR write to ``pages/`` and ``ocr/``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

PageSource = Literal["text-layer", "ocr"]
PageStatus = Literal["ok", "blank", "failed"]


class Box(BaseModel):
    """Axis-aligned box in page pixels (x0, y0) top-left, (x1, y1) bottom-right."""

    x0: int
    y0: int
    x1: int
    y1: int


class OcrItem(BaseModel):
    """A recognised word (tesseract) or line (RapidOCR) with its box and confidence 0..1."""

    text: str
    box: Box
    confidence: float = Field(ge=0.0, le=1.0)
    line: int | None = Field(None, description="Reading-order line number on the page.")


class PageOcr(BaseModel):
    """``ocr/<dossier_id>/page-NNNN.json``."""

    schema_version: Literal["1"] = "1"
    dossier_id: str
    page: int = Field(ge=1)
    source: PageSource
    engine: str | None = Field(None, description="Engine name, None for the text layer.")
    engine_version: str | None = None
    status: PageStatus
    error: str | None = None
    rotation: int = Field(0, description="Degrees clockwise the page was turned to read it.")
    skew_degrees: float = 0.0
    blank: bool = False
    width: int = 0
    height: int = 0
    text: str = ""
    items: list[OcrItem] = Field(default_factory=list)
    mean_confidence: float | None = None
    chars: int = 0
    seconds: float = 0.0
    image_key: str | None = None
