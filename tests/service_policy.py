"""Whether a missing service fails a test or skips it (CI and ``./run.sh test`` fail).

A module of its own, not a ``conftest`` name: several test folders have a
``conftest.py``, and ``from conftest import ...`` picks whichever was imported last.
"""

from __future__ import annotations

import os


def services_required() -> bool:
    return (
        os.environ.get("DOSSIER_REQUIRE_SERVICES") == "1"
        or os.environ.get("CI", "").lower() == "true"
    )
