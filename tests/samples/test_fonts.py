"""Sample pages are set in fonts from a Python package: no system font is needed, so
``./run.sh demo`` works on a machine without Debian's fonts-noto-cjk."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.samples import fonts, render

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_FONTS = Path("/usr/share/fonts")


def test_the_fonts_are_the_pinned_bytes() -> None:
    """The samples, OCR tests and benchmarks were calibrated with these exact faces."""
    for path in (fonts.SERIF, fonts.SANS):
        assert path.is_file()
        assert not path.is_relative_to(SYSTEM_FONTS)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == fonts.FONT_SHA256[path.name]
    assert render.DEFAULT_FONT == fonts.SERIF


# Renders a sample page and writes a born-digital PDF of it, then reads the PDF's text
# back: everything the demo's sample making needs from fonts.
_PROBE = r"""
import tempfile
from pathlib import Path
import pypdfium2 as pdfium
from dossier.samples.dossier import TEXT_PDF_FONT_SIZE
from dossier.samples.formats import write_text_pdf
from dossier.samples.render import render_text_page

title, body = "刑事判决书", "被告人张某犯盗窃罪，判处有期徒刑一年，并处罚金人民币二千元。"
image = render_text_page(body, title=title)
assert image.getextrema()[0] == 0  # ink on the page: the glyphs were drawn
with tempfile.TemporaryDirectory() as folder:
    pages = [f"{title}\n{body}"]
    path = write_text_pdf(pages, Path(folder) / "t.pdf", font_size=TEXT_PDF_FONT_SIZE)
    pdf = pdfium.PdfDocument(str(path))
    text = pdf[0].get_textpage().get_text_bounded()
    assert "".join(text.split()) == title + body, text
print("rendered without system fonts")
"""


def test_samples_render_with_the_system_fonts_hidden() -> None:
    """In a private mount namespace with an empty ``/usr/share/fonts`` (the machine keeps
    its fonts; nothing is uninstalled) a sample page renders and its text PDF reads back."""
    if shutil.which("unshare") is None:
        pytest.skip("needs util-linux unshare (root) to hide the system fonts")
    hide = f"mount -t tmpfs none {SYSTEM_FONTS} && ls -A {SYSTEM_FONTS} | wc -l"
    check = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", hide],
        capture_output=True, text=True, check=False,
    )
    if check.returncode != 0:
        pytest.skip(f"cannot make a mount namespace here: {check.stderr.strip()[:200]}")
    assert check.stdout.strip() == "0"
    result = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c",
         f'mount -t tmpfs none {SYSTEM_FONTS} && exec "$0" -c "$1"', sys.executable, _PROBE],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "rendered without system fonts" in result.stdout
