"""The critical checks of a suite over many dossiers at once (one GX run, not one each).

Validating each of hundreds of dossiers costs GX's per-run overhead hundreds of times
(~40 ms a suite); the critical checks are all row-wise (each row passes or fails on its
own), so the frames of many dossiers are stacked, validated once with every failing
row listed, and each failing row is given back to its dossier. That is exact for
column-map expectations without ``mostly`` and for the table row-count expectation
(evaluated per frame from its own bounds, since an empty frame adds no row to a stack);
any other critical expectation raises rather than be silently skipped. Warnings are
not evaluated here: several are aggregate (``mostly``) and need the dossier's own frame.

Used to hold the gates to their standard on real judgments (a critical check that
fires on a correct judgment is a bug) and by batch evaluations.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd

from tasks.quality.context import project_dir, validation_definition
from tasks.quality.validate import REF_COLUMN

__all__ = ["critical_failures"]

_KEY_SEPARATOR = "\x1f"  # joins a dossier key and a row ref; never in either
_TABLE_ROW_COUNT = "expect_table_row_count_to_be_between"


def _critical_expectations(suite_name: str) -> list[dict]:
    path = project_dir() / "gx" / "expectations" / f"{suite_name}.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    return [e for e in suite["expectations"] if e["meta"].get("severity") == "critical"]


def _row_count_fails(expectation: dict, rows: int) -> bool:
    low = expectation["kwargs"].get("min_value")
    high = expectation["kwargs"].get("max_value")
    return (low is not None and rows < low) or (high is not None and rows > high)


def critical_failures(
    suite_name: str, frames: Mapping[str, pd.DataFrame]
) -> dict[str, set[str]]:
    """For each key of ``frames`` (a dossier id, a judgment id), the critical checks of
    ``suite_name`` its frame fails; keys that fail none are left out."""
    expectations = _critical_expectations(suite_name)
    failed: dict[str, set[str]] = {}
    row_wise = []
    for expectation in expectations:
        if expectation["type"] == _TABLE_ROW_COUNT:
            for key, frame in frames.items():
                if _row_count_fails(expectation, len(frame)):
                    failed.setdefault(key, set()).add(expectation["meta"]["check"])
        elif "column" in expectation["kwargs"] and "mostly" not in expectation["kwargs"]:
            row_wise.append(expectation["meta"]["check"])
        else:
            raise NotImplementedError(
                f"{expectation['meta']['check']}: not a row-wise check, cannot be batched"
            )
    stacked = [
        frame.assign(**{REF_COLUMN: key + _KEY_SEPARATOR + frame[REF_COLUMN].astype(str)})
        for key, frame in frames.items()
        if len(frame)
    ]
    if not stacked or not row_wise:
        return failed
    df = pd.concat(stacked, ignore_index=True)
    result = validation_definition(suite_name).run(
        batch_parameters={"dataframe": df},
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": [REF_COLUMN],
        },
    )
    for r in result.results:
        meta = r.expectation_config.meta or {}
        check = meta.get("check")
        if r.success or check not in row_wise:
            continue
        if r.exception_info and r.exception_info.get("raised_exception"):
            raise RuntimeError(f"{check} raised: {r.exception_info.get('exception_message')}")
        for row in (r.result or {}).get("unexpected_index_list") or []:
            key = str(row[REF_COLUMN]).split(_KEY_SEPARATOR, 1)[0]
            failed.setdefault(key, set()).add(check)
    return failed
