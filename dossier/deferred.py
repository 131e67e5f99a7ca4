"""Deferred imports: a module bound by ``import`` now, executed when first used.

Some libraries import heavy packages at import time for features we never call:
Great Expectations 1.x imports every core expectation when anything of it is
imported, and one of them (the KL-divergence expectation) does ``import altair``
and ``from scipy import stats`` at module level, about a third of GX's import time
(``benchmarks/startup_bench.py``), paid by every flow run that validates. Our suites
(``expectations/``) use no expectation that needs either.

:func:`defer` puts a stand-in module into ``sys.modules``: the ``import`` statement
binds it, and the first attribute read on it imports the real module (then every
read is passed on to it). So nothing is stubbed: a suite that does use a scipy
expectation gets the real scipy the moment it needs it, only later.

Why not ``importlib.util.LazyLoader``: on Python 3.11 the import statement itself
reads ``__spec__`` of a module already in ``sys.modules``, which makes a lazy
module load at once (the very ``import altair`` we want to defer). The stand-in
keeps ``__spec__`` and the other import-system attributes in its own dictionary,
so the import machinery's reads do not load it. A submodule import under a
stand-in (``import altair.vegalite``) reads the stand-in's ``__path__``, which
loads the real package first; :class:`_AlreadyImported` then hands the import
system the submodule that package's own ``__init__`` already imported, instead of
executing its file a second time.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
import types

__all__ = ["defer", "is_deferred"]

_lock = threading.RLock()
_REAL = "_deferred_real_module"


class _Deferred(types.ModuleType):
    """Stands in for a module not yet executed; any attribute read imports it."""

    def __getattr__(self, name: str) -> object:  # only for names not in our __dict__
        return getattr(_load(self), name)

    def __dir__(self) -> list[str]:
        return dir(_load(self))

    def __repr__(self) -> str:
        real = self.__dict__.get(_REAL)
        return repr(real) if real is not None else f"<deferred module {self.__name__!r}>"


def _load(stand_in: _Deferred) -> types.ModuleType:
    """The real module behind ``stand_in``, imported on the first call."""
    real = stand_in.__dict__.get(_REAL)
    if real is not None:
        return real
    with _lock:
        real = stand_in.__dict__.get(_REAL)
        if real is None:
            name = stand_in.__name__
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
            real = importlib.import_module(name)
            stand_in.__dict__[_REAL] = real
        return real


class _AlreadyImported(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Hands the import system a submodule that is already in ``sys.modules``.

    The import system asks finders for ``a.b`` after reading ``a.__path__``; when
    ``a`` is a stand-in that read imports the real ``a``, whose ``__init__`` may
    import ``a.b`` itself. Without this finder ``a.b`` would then be executed again
    (two module objects, two sets of classes).
    """

    def find_spec(self, fullname: str, path: object = None,
                  target: object = None) -> importlib.machinery.ModuleSpec | None:
        module = sys.modules.get(fullname)
        if module is None or isinstance(module, _Deferred) or "." not in fullname:
            return None
        if not any(fullname.startswith(root + ".") for root in _deferred_roots):
            return None
        own = getattr(module, "__spec__", None)
        spec = importlib.util.spec_from_loader(fullname, self,
                                               is_package=hasattr(module, "__path__"))
        if own is not None and spec is not None:  # keep where it came from
            spec.origin = own.origin
            spec.submodule_search_locations = own.submodule_search_locations
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return sys.modules[spec.name]

    def exec_module(self, module: types.ModuleType) -> None:
        """Already executed by its package."""


_deferred_roots: set[str] = set()
_finder = _AlreadyImported()


def defer(name: str) -> bool:
    """Make ``import name`` bind a stand-in until something reads an attribute of it.

    Does nothing when ``name`` is imported already (or cannot be found: the real
    import will then raise where it is used). Returns whether a stand-in was put in.
    For a submodule (``scipy.stats``) its parent package is imported now.
    """
    with _lock:
        if name in sys.modules:
            return False
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:  # its parent package is missing
            return False
        if spec is None:
            return False
        stand_in = _Deferred(name)
        stand_in.__spec__ = spec
        stand_in.__loader__ = spec.loader
        stand_in.__package__ = spec.parent if spec.submodule_search_locations is None else name
        if spec.origin is not None:
            stand_in.__file__ = spec.origin
        sys.modules[name] = stand_in
        _deferred_roots.add(name)
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)
        return True


def is_deferred(name: str) -> bool:
    """Whether ``name`` is still a stand-in (never imported for real in this process)."""
    module = sys.modules.get(name)
    return isinstance(module, _Deferred) and _REAL not in module.__dict__
