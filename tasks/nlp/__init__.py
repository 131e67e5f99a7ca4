"""NLP structuring: from (OCR) text to the case card."""
