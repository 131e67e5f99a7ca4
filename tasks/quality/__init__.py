"""Data quality gates (质量校验) with Great Expectations: suites in ``expectations/``,
frames built from stage outputs, a report that routes the dossier."""
