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


class Seal(BaseModel):
    """A seal (印章) found on the page: a page feature, its words kept out of the body text.

    ``box`` is in the coordinates of the page image as it arrived (before any
    turn or straightening); ``text`` is what could be read around its rim
    ("" when nothing was legible), for gates and the case card: which office
    stamped which document.
    """

    text: str = ""
    box: Box
    confidence: float | None = Field(None, ge=0.0, le=1.0)


class ReviewRegion(BaseModel):
    """A region a person should check: read with low confidence, perhaps handwriting."""

    box: Box
    text: str
    confidence: float = Field(ge=0.0, le=1.0)
    reason: Literal["handwriting", "low-confidence"]


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
    applied: list[str] = Field(
        default_factory=list,
        description="Page-kind steps run on this page, in order (photo, seal, fax, ...).",
    )
    straightened: bool = Field(
        False, description="A photographed page was found and its perspective undone."
    )
    seals: list[Seal] = Field(default_factory=list)
    review: list[ReviewRegion] = Field(
        default_factory=list, description="Regions flagged for a person to check."
    )
