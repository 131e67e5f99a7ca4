"""Page-kind steps: preparation that only some pages need, each run where its detector fires.

A clean office scan goes straight to orientation, deskew and the engine. A
phone photo needs its page found and straightened, a colour page with a red
seal needs the seal taken out of the text, a fax needs its resolution and
speckles dealt with, a page with handwriting needs its doubtful regions
flagged. Each of these is a registered ``PageStep``: a ``detect`` that looks
at the image (cheaply: it runs on every page) and an ``apply`` that runs only
when ``detect`` found something. Adding a kind of page is adding one module
that calls ``register_step``; ``ocr_page`` does not name any of them.

Steps run at one of two points:

- ``"image"``: before orientation and deskew, on the page image as it arrived;
  they may replace the image and add page features (seals, straightened);
- ``"result"``: after the engine has read the page; they may flag regions
  for review.

What a step did is recorded on the page (``PageOcr.applied`` and its own
fields), so pages.json shows which pages were straightened, de-sealed, upscaled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
from PIL import Image

from schemas.ocr import PageOcr, ReviewRegion, Seal

StepPoint = Literal["image", "result"]


@dataclass
class PageWork:
    """A page on its way through the steps: its current image and what was found."""

    image: Image.Image
    read_text: Callable[[Image.Image], Any] | None = None  # the engine, for seal rims
    applied: list[str] = field(default_factory=list)
    straightened: bool = False
    seals: list[Seal] = field(default_factory=list)
    review: list[ReviewRegion] = field(default_factory=list)
    _gray: np.ndarray | None = None

    @property
    def gray(self) -> np.ndarray:
        """The current image in grey, computed once per image."""
        if self._gray is None:
            self._gray = np.asarray(self.image.convert("L"))
        return self._gray

    def replace_image(self, image: Image.Image) -> None:
        self.image = image
        self._gray = None


class PageStep(Protocol):
    name: str
    point: StepPoint
    order: int  # steps at one point run by ascending order

    def detect(self, work: PageWork, record: PageOcr | None = None) -> Any | None:
        """Evidence that this page needs the step, or None. Must be cheap."""
        ...

    def apply(self, work: PageWork, evidence: Any, record: PageOcr | None = None) -> None:
        """Change ``work`` (and at the result point, ``record``) for this page."""
        ...


_REGISTRY: dict[str, PageStep] = {}


def register_step(step: PageStep) -> PageStep:
    """Add a step; at each point steps run by their ``order``."""
    if step.name in _REGISTRY:
        raise ValueError(f"page step {step.name!r} is already registered")
    _REGISTRY[step.name] = step
    return step


def registered_steps() -> tuple[str, ...]:
    _load_builtin_steps()
    return tuple(_REGISTRY)


def steps_at(point: StepPoint, names: tuple[str, ...] | None = None) -> list[PageStep]:
    """Registered steps for ``point``, limited to ``names`` when given (``()``: none)."""
    _load_builtin_steps()
    if names is not None:
        unknown = set(names) - set(_REGISTRY)
        if unknown:
            raise ValueError(f"unknown page steps {sorted(unknown)}; known: {list(_REGISTRY)}")
    chosen = [s for s in _REGISTRY.values()
              if s.point == point and (names is None or s.name in names)]
    return sorted(chosen, key=lambda s: s.order)


def run_steps(point: StepPoint, work: PageWork, record: PageOcr | None = None,
              names: tuple[str, ...] | None = None) -> None:
    """Run every step at ``point`` whose detector fires; note each one run in ``work``."""
    for step in steps_at(point, names):
        evidence = step.detect(work, record)
        if evidence is None:
            continue
        step.apply(work, evidence, record)
        work.applied.append(step.name)


def _load_builtin_steps() -> None:
    # Imported for their register_step side effect; each says when it runs (a
    # photo is straightened before its seal or speckles are looked at).
    from tasks.ocr.steps import fax, handwriting, photo, seal  # noqa: F401


__all__ = [
    "PageStep",
    "PageWork",
    "register_step",
    "registered_steps",
    "run_steps",
    "steps_at",
]
