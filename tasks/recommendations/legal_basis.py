"""The provisions a 检察建议书 rests on, as data with their sources.

Two kinds, two files in ``data/``:

* ``statutes.json`` — articles quoted from statute texts in ``../shared/data/laws``
  (人民检察院组织法 第二十一条, 人民检察院刑事诉讼规则 第五百五十二条, 社区矫正法
  第六十二条), derived by ``python -m tasks.recommendations.legal_basis``; a test
  checks the committed copy still matches the texts when they are present.
* ``regulation.yaml`` — articles of the 人民检察院检察建议工作规定 (2019), which is not
  among the shared texts: transcribed by hand, its source and caveat in the file.

The supervision model's own legal basis (the law the agency did not apply) comes
from the model's declaration, not from here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cn2an
import yaml

from tasks.supervision.law_tables import LAWS_DIR, parse_articles

DATA_DIR = Path(__file__).resolve().parent / "data"
STATUTES_FILE = DATA_DIR / "statutes.json"
REGULATION_FILE = DATA_DIR / "regulation.yaml"

# key -> (law, file under shared/data/laws, article number)
STATUTE_SOURCES: dict[str, tuple[str, str, int]] = {
    "organization_law_21": (
        "中华人民共和国人民检察院组织法", "peoples_procuratorate_organization_law_2018.md", 21),
    "criminal_procedure_rules_552": (
        "人民检察院刑事诉讼规则", "procuratorate_criminal_procedure_rules_2019.md", 552),
    "community_correction_law_62": (
        "中华人民共和国社区矫正法", "community_correction_law_2019.md", 62),
}


@dataclass(frozen=True)
class Provision:
    law: str
    article: str  # 第二十一条
    text: str

    @property
    def citation(self) -> str:
        return f"《{self.law}》{self.article}"


def article_name(number: int) -> str:
    """21 → 第二十一条."""
    return f"第{cn2an.an2cn(number)}条"


def derive_statutes(laws_dir: Path = LAWS_DIR) -> dict[str, Any]:
    """The quoted articles, read from the statute texts (paragraphs joined by newlines)."""
    provisions = {}
    for key, (law, filename, number) in STATUTE_SOURCES.items():
        articles = parse_articles((laws_dir / filename).read_text(encoding="utf-8"))
        (article,) = [a for a in articles if a.article == number and a.sub is None]
        provisions[key] = {"law": law, "article": article_name(number),
                           "text": "\n".join(article.paragraphs),
                           "source": f"shared/data/laws/{filename}"}
    return {"source": "derived from ../shared/data/laws by "
                      "python -m tasks.recommendations.legal_basis; do not edit by hand",
            "provisions": provisions}


@lru_cache(maxsize=1)
def statutes() -> dict[str, Provision]:
    data = json.loads(STATUTES_FILE.read_text(encoding="utf-8"))
    return {key: Provision(p["law"], p["article"], p["text"])
            for key, p in data["provisions"].items()}


@lru_cache(maxsize=1)
def regulation() -> dict[str, Any]:
    return yaml.safe_load(REGULATION_FILE.read_text(encoding="utf-8"))


def regulation_article(article: str) -> Provision:
    data = regulation()
    return Provision(data["law"], article, data["articles"][article]["text"])


def reply_months() -> int:
    """The reply period the regulation sets (第十九条): two months from receipt."""
    return int(regulation()["articles"]["第十九条"]["reply_months"])


def write_statutes(path: Path = STATUTES_FILE) -> None:
    text = json.dumps(derive_statutes(), ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")


def squeeze(text: str) -> str:
    """Chinese text folded from YAML: no spaces where lines were joined."""
    return re.sub(r"\s+", "", text)


if __name__ == "__main__":
    write_statutes()
    print(f"wrote {STATUTES_FILE}")
