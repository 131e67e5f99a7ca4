"""GX imported with altair and scipy.stats deferred (``tasks.quality.context.import_gx``):
the dossier gates and their Data Docs never load them, and an expectation that needs
scipy still gets the real library. Each check runs in a fresh interpreter: the test
session may have imported scipy or altair already (the deferral then does nothing)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_SCRIPT = """
import json, sys
from pathlib import Path
import pandas as pd
from quality.conftest import make_card, make_documents, make_pages
from dossier.deferred import is_deferred
from tasks.quality import context
from tasks.quality.docs import build_data_docs
from tasks.quality.validate import validate_dossier

seen = {}
context.use_project(Path(sys.argv[1]))
report = validate_dossier(make_pages(), make_documents(), make_card(), 4)
index = build_data_docs(report, Path(sys.argv[2]))
seen["gates"] = {"verdict": report.verdict, "docs": index.exists(),
                 "gx": "great_expectations" in sys.modules,
                 "deferred": {n: is_deferred(n) for n in context.GX_DEFERRED},
                 "loaded": sorted(m for m in ("scipy.stats._stats_py", "altair.vegalite")
                                  if m in sys.modules)}

gx = context.import_gx()
import great_expectations.expectations as gxe
context.gx_context().suites.add(gx.ExpectationSuite(name="kl_test", expectations=[
    gxe.ExpectColumnKLDivergenceToBeLessThan(
        column="x", partition_object={"bins": [0, 1, 2], "weights": [0.5, 0.5]},
        threshold=0.1)]))
definition = context.validation_definition("kl_test")
same = definition.run(batch_parameters={"dataframe": pd.DataFrame({"x": [0.5] * 5 + [1.5] * 5})})
skewed = definition.run(batch_parameters={"dataframe": pd.DataFrame({"x": [0.5] * 9 + [1.5]})})
seen["kl"] = {"same": same.success, "skewed": skewed.success,
              "observed": skewed.results[0].result["observed_value"],
              "module": type(sys.modules["scipy.stats"]).__name__,
              "after": {n: is_deferred(n) for n in context.GX_DEFERRED}}
print(json.dumps(seen))
"""


def _run(script: str, tmp_path: Path) -> dict:
    project = tmp_path / "expectations"
    shutil.copytree(REPO / "expectations", project, ignore=shutil.ignore_patterns("uncommitted"))
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")]),
                        "DOSSIER_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", script, str(project), str(tmp_path / "docs")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_gx_defers_what_the_gates_never_use_and_loads_it_when_needed(tmp_path: Path) -> None:
    """One fresh interpreter (GX's import is the cost measured): the three dossier
    suites and their Data Docs leave altair and scipy.stats unloaded; then the
    KL-divergence expectation, which computes with scipy.stats, gets the real module
    when it reads it, with the right verdict both ways."""
    seen = _run(_SCRIPT, tmp_path)
    gates, kl = seen["gates"], seen["kl"]
    assert gates["verdict"] == "pass" and gates["docs"] and gates["gx"], gates
    assert gates["deferred"] == {"altair": True, "scipy.stats": True}, gates
    assert gates["loaded"] == [], gates
    assert kl["same"] is True and kl["skewed"] is False, kl
    assert kl["observed"] > 0.1 and kl["module"] == "module", kl
    assert kl["after"]["scipy.stats"] is False, kl
