"""The repository's copy of real judgment texts (JuDGE, LeCaRD, LeCaRDv2; MIT licence).

``tests/data/real_texts/texts.jsonl.xz`` holds every real text of ``../shared/data/cases``
(see the README beside it), so tests and the classifier build need nothing outside the
repository. The texts carry names as published: fixtures, never log output.
"""

from __future__ import annotations

import json
import lzma
from dataclasses import dataclass
from functools import lru_cache

from dossier.settings import PROJECT_ROOT

__all__ = ["REAL_TEXTS", "RealText", "judgment_lines", "load_real_texts"]

REAL_TEXTS = PROJECT_ROOT / "tests" / "data" / "real_texts" / "texts.jsonl.xz"


@dataclass(frozen=True)
class RealText:
    source: str  # judge, lecard, lecardv2_test, lecardv2_controversial, lecardv2_procedural
    id: str
    field: str
    text: str

    @property
    def label(self) -> str:
        """How a test names the text: its data set and id, never its content."""
        return f"{self.source}:{self.id}:{self.field}"


@lru_cache(maxsize=1)
def _all() -> tuple[RealText, ...]:
    payload = lzma.decompress(REAL_TEXTS.read_bytes()).decode("utf-8")
    return tuple(RealText(**json.loads(line)) for line in payload.splitlines() if line)


def load_real_texts(*sources: str) -> list[RealText]:
    """The texts of the given sources (all when none is given), in file order."""
    texts = _all()
    return [t for t in texts if not sources or t.source in sources]


def judgment_lines() -> list[str]:
    """The 200 JuDGE judgments as the legal library imports them: JSON lines with
    ``text_id`` and ``fd`` (the full document), in file order."""
    return [json.dumps({"text_id": t.id, "fd": t.text}, ensure_ascii=False)
            for t in load_real_texts("judge")]
