"""OCR stage domain code: page preparation, engines, the per-page record, CER."""

from tasks.ocr.engines import ENGINE_NAMES, get_engine
from tasks.ocr.metrics import cer
from tasks.ocr.page import ocr_page, text_layer_page

__all__ = ["ENGINE_NAMES", "cer", "get_engine", "ocr_page", "text_layer_page"]
