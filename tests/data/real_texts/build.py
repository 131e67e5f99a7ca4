"""Rebuilds ``texts.jsonl.xz``, the repository's copy of the real judgment texts, from
``../shared/data/cases`` (JuDGE, LeCaRD, LeCaRDv2: MIT licence; see README.md).

    .venv/bin/python tests/data/real_texts/build.py

The output is committed; tests and the classifier build read the copy, never
``../shared/data``. xz at a fixed preset has no timestamp, so the same input gives the
same bytes.
"""

from __future__ import annotations

import json
import lzma
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[3] / "shared" / "data" / "cases"
OUT = HERE / "texts.jsonl.xz"

# (file, source name, id field, text fields): what each data set holds of a judgment.
SOURCES = (
    ("judge_dev.jsonl", "judge", "text_id", ("fd",)),
    ("lecard_query.jsonl", "lecard", "ridx", ("q",)),
    ("lecardv2_test_query.jsonl", "lecardv2_test", "id", ("query", "fact")),
    ("lecardv2_controversial_query.jsonl", "lecardv2_controversial", "id", ("query", "fact")),
    ("lecardv2_procedural_query.jsonl", "lecardv2_procedural", "id", ("query", "fact")),
)


def rows() -> list[dict[str, str]]:
    out = []
    for file, source, id_field, fields in SOURCES:
        with (SHARED / file).open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                for field in fields:
                    out.append(
                        {
                            "source": source,
                            "id": str(record[id_field]),
                            "field": field,
                            "text": record[field],
                        }
                    )
    return out


def main() -> None:
    payload = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows())
    OUT.write_bytes(lzma.compress(payload.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))
    print(f"{OUT.name}: {payload.count(chr(10))} texts, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
