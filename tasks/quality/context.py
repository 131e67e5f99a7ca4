"""The Great Expectations file context, created once per process.

``import great_expectations`` alone takes seconds, so nothing here imports it at
module level: the first validation pays for the import and the context, later
ones reuse both. The project (suites, datasource, validation definitions) is the
versioned directory ``expectations/``, read-only to a run: GX's run results go
to ``<data_dir>/gx/validations/`` instead of the project's ``uncommitted/``, so
a run writes nothing into the checkout (an installed package may not even be
writable) and leaves no empty result folders behind there.

Every import of GX goes through :func:`import_gx`: GX 1.x imports altair and
``scipy.stats`` at import time (for the KL-divergence expectation, which no suite
of ours uses), about half of its import time; they are deferred until something
reads them (``dossier.deferred``), so an expectation that needs them still gets the
real libraries.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dossier.settings import PROJECT_ROOT, get_settings

if TYPE_CHECKING:
    from types import ModuleType

    from great_expectations.core.validation_definition import ValidationDefinition
    from great_expectations.data_context import FileDataContext

__all__ = [
    "DATASOURCE",
    "DEFAULT_PROJECT_DIR",
    "WHOLE_FRAME",
    "gx_context",
    "import_gx",
    "project_dir",
    "use_project",
    "validation_definition",
]

DEFAULT_PROJECT_DIR = PROJECT_ROOT / "expectations"
DATASOURCE = "dossier_frames"
RESULTS_DIR_VARIABLE = "DOSSIER_GX_RESULTS_DIR"
WHOLE_FRAME = "whole_frame"

_lock = threading.RLock()
_project_dir: Path = DEFAULT_PROJECT_DIR
_context: Any = None
_definitions: dict[str, Any] = {}
# Imported by GX at import time for expectations no suite here uses (see the module note).
GX_DEFERRED = ("altair", "scipy.stats")


def import_gx() -> ModuleType:
    """``great_expectations``, imported with :data:`GX_DEFERRED` deferred: call this
    before any ``from great_expectations... import`` (the package's ``__init__`` is
    what imports them)."""
    if "great_expectations" not in sys.modules:
        from dossier.deferred import defer

        for name in GX_DEFERRED:
            defer(name)
    import great_expectations

    return great_expectations


def use_project(path: Path) -> None:
    """Point this process at another project directory (a test's copy); the next
    call to :func:`gx_context` builds a fresh context there."""
    global _project_dir, _context
    with _lock:
        _project_dir = Path(path)
        _context = None
        _definitions.clear()


def project_dir() -> Path:
    return _project_dir


def gx_context() -> FileDataContext:
    """The process's file context. Analytics off (the environment variable and the
    project config, so no network call is even attempted offline); progress bars
    off in the project config so workers' stderr stays readable."""
    global _context
    with _lock:
        if _context is None:
            os.environ["GX_ANALYTICS_ENABLED"] = "false"
            os.environ[RESULTS_DIR_VARIABLE] = str(results_dir())  # the project's yml reads it
            gx = import_gx()
            _context = gx.get_context(mode="file", project_root_dir=str(_project_dir))
        return _context


def results_dir() -> Path:
    """Where GX keeps run results: under the data folder, never in the project."""
    return get_settings().data_dir / "gx" / "validations"


def validation_definition(suite_name: str) -> ValidationDefinition:
    """The suite's validation definition over a whole dataframe.

    The shipped suites have theirs in the project. A new suite (an agency feed)
    gets a dataframe asset and definition on first use; in file mode GX writes
    them into the project, to be committed with the suite.
    """
    with _lock:
        cached = _definitions.get(suite_name)
        if cached is not None:
            return cached
        context = gx_context()
        from great_expectations.exceptions import DataContextError

        try:
            definition = context.validation_definitions.get(suite_name)
        except DataContextError:
            definition = _add_definition(context, suite_name)
        _definitions[suite_name] = definition
        return definition


def _add_definition(context: FileDataContext, suite_name: str) -> ValidationDefinition:
    gx = import_gx()

    suite = context.suites.get(suite_name)  # an unknown suite raises here, by name
    datasource = context.data_sources.get(DATASOURCE)
    try:
        asset = datasource.get_asset(suite_name)
    except LookupError:
        asset = datasource.add_dataframe_asset(suite_name)
    try:
        batch_definition = asset.get_batch_definition(WHOLE_FRAME)
    except KeyError:
        batch_definition = asset.add_batch_definition_whole_dataframe(WHOLE_FRAME)
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=suite_name, data=batch_definition, suite=suite)
    )
