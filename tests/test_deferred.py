"""``dossier.deferred``: the import binds a stand-in, the first read runs the real
module once, and a submodule imported through the stand-in is not run twice."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
from dossier.deferred import defer, is_deferred
import runs

assert defer("heavy") and not defer("heavy") and not defer("no_such_module_here")
assert not defer("no_such_package_here.sub")
import heavy
assert runs.log == [] and is_deferred("heavy"), runs.log
assert heavy.__name__ == "heavy" and heavy.__spec__.name == "heavy"  # no load for these
assert runs.log == [], runs.log
assert heavy.VALUE == 42 and heavy.twice(4) == 8 and not is_deferred("heavy")
import heavy.part  # the package's __init__ imported it: not run again
from heavy.part import PART
assert PART == "part" and heavy.part is sys.modules["heavy.part"]
assert runs.log == ["heavy", "heavy.part"], runs.log

assert defer("other")
import other.part  # a submodule first: the package loads, each file runs once
assert runs.log[2:] == ["other", "other.part"], runs.log
assert other.part.PART == "other part" and sys.modules["other"].part is other.part

assert defer("third")
import third.part  # its __init__ imports the submodule the statement asks for
assert runs.log[4:] == ["third", "third.part"], runs.log
assert sys.modules["third"].part is sys.modules["third.part"] and third.part.PART == 3
print("ok")
"""


def test_deferred_module_runs_once_when_first_read(tmp_path: Path) -> None:
    files = {
        "runs.py": "log = []\n",
        "heavy/__init__.py": """
            import runs
            runs.log.append("heavy")
            from heavy import part
            VALUE = 42
            def twice(x):
                return 2 * x
        """,
        "heavy/part.py": 'import runs\nruns.log.append("heavy.part")\nPART = "part"\n',
        "third/__init__.py": 'import runs\nruns.log.append("third")\nfrom third import part\n',
        "third/part.py": 'import runs\nruns.log.append("third.part")\nPART = 3\n',
        "other/__init__.py": 'import runs\nruns.log.append("other")\n',
        "other/part.py": 'import runs\nruns.log.append("other.part")\nPART = "other part"\n',
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path)], capture_output=True,
                          text=True, timeout=120, check=False, cwd=Path(__file__).parents[1])
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]
