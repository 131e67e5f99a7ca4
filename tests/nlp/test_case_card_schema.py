import json
from pathlib import Path

from schemas.case_card import CaseCard

EXPORT = Path(__file__).resolve().parents[2] / "schemas" / "json" / "case_card.schema.json"


def test_committed_json_schema_matches_the_model():
    """Regenerate with: CaseCard.model_json_schema() → schemas/json/case_card.schema.json."""
    assert json.loads(EXPORT.read_text(encoding="utf-8")) == CaseCard.model_json_schema()
