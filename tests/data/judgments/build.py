"""Copy the real judgment texts of ``../shared/data/cases`` into ``judgments.jsonl.gz``.

The quality gates and the review rules are held to real texts in tests that must run
where ``../shared/data`` is absent (a CI clone), so the texts travel with the repo.
One JSON object a line: ``source`` (dataset), ``id`` (its id), ``text`` (the judgment
as the dataset gives it). Run from the repository root:

    .venv/bin/python tests/data/judgments/build.py
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE.parents[3] / "shared" / "data" / "cases"
OUT = HERE / "judgments.jsonl.gz"

# (file, source name, id field, text field)
SOURCES = (
    ("judge_dev.jsonl", "JuDGE", "text_id", "fd"),
    ("lecardv2_test_query.jsonl", "LeCaRDv2-test", "id", "query"),
    ("lecardv2_controversial_query.jsonl", "LeCaRDv2-controversial", "id", "query"),
    ("lecardv2_procedural_query.jsonl", "LeCaRDv2-procedural", "id", "query"),
    ("lecard_query.jsonl", "LeCaRD", "ridx", "q"),
)


def main() -> None:
    rows = []
    for name, source, id_field, text_field in SOURCES:
        for line in (CASES / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            rows.append({"source": source, "id": str(record[id_field]), "text": record[text_field]})
    # mtime=0: the same input gives the same bytes
    with gzip.GzipFile(OUT, "wb", mtime=0) as handle:
        for row in rows:
            handle.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"{len(rows)} texts -> {OUT.name}")


if __name__ == "__main__":
    main()
