"""Great Expectations Data Docs for one dossier's validation, as static HTML.

The site is built into a directory of its own (the orchestration uploads it to
the store), from the results the report names: GX's own renderers, so a reviewer
gets the familiar per-expectation pages. A report read back from
``validation.json`` on another worker still builds, because the raw GX results
travel inside it and are put back into the results store first. Once rendered
they are removed from that store again.
"""

from __future__ import annotations

from pathlib import Path

from tasks.quality.context import gx_context, import_gx
from tasks.quality.report import QualityReport, SuiteResult

__all__ = ["build_data_docs"]


def build_data_docs(report: QualityReport | list[SuiteResult], out_dir: Path) -> Path:
    """Build the HTML site into ``out_dir``; returns the path of its ``index.html``."""
    import_gx()
    from great_expectations.core.expectation_validation_result import (
        expectationSuiteValidationResultSchema,
    )
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )
    from great_expectations.render.renderer.site_builder import SiteBuilder

    results = report.suites if isinstance(report, QualityReport) else list(report)
    context = gx_context()
    store = context.validation_results_store
    identifiers: list = []
    for suite_result in results:
        if suite_result.gx_key is None or suite_result.gx_result is None:
            continue
        key = ValidationResultIdentifier.from_tuple(tuple(suite_result.gx_key))
        if not store.has_key(key):
            store.set(key, expectationSuiteValidationResultSchema.load(suite_result.gx_result))
        identifiers += [key, ExpectationSuiteIdentifier(name=suite_result.suite)]
    if not identifiers:
        raise ValueError("no stored GX results in the report: nothing to render")
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    builder = SiteBuilder(
        data_context=context,
        store_backend={"class_name": "TupleFilesystemStoreBackend", "base_directory": str(out_dir)},
        site_name="dossier quality",
        show_how_to_buttons=False,
        site_section_builders={"profiling": "None"},
    )
    builder.build(resource_identifiers=identifiers)
    # The report is the record; GX's local store is only the renderer's source, and
    # left alone it would grow by three results per dossier for good.
    for identifier in identifiers:
        if isinstance(identifier, ValidationResultIdentifier) and store.has_key(identifier):
            store.remove_key(identifier)
    index = out_dir / "index.html"
    if not index.exists():
        raise RuntimeError(f"Data Docs build wrote no index.html into {out_dir}")
    return index
