"""Debian packages the pipeline shells out to: tesseract (+ Chinese and OSD data), CJK
fonts for the pages Chromium shows in the UI tests, PostgreSQL, Chromium. (Sample
dossiers are rendered with a font from a Python package, ``dossier.samples.fonts``: the
demo needs none of these.)

Installed with apt-get when missing; ``apt-get update`` runs only when the
package lists are empty or an install fails for want of them.
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from infra.context import ServiceContext
from infra.processes import ServiceError
from infra.services import Service, ServiceStatus

log = logging.getLogger("infra.services")

PACKAGES = (
    "tesseract-ocr",
    "tesseract-ocr-chi-sim",
    "tesseract-ocr-osd",
    "fonts-noto-cjk",
    "postgresql",
    "chromium",
    "chromium-driver",
)
_APT_LISTS = Path("/var/lib/apt/lists")


def is_installed(package: str) -> bool:
    if shutil.which("dpkg-query") is None:
        return False
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and result.stdout.strip().endswith(" installed")


def missing(packages: Sequence[str] = PACKAGES) -> list[str]:
    return [p for p in packages if not is_installed(p)]


def install_command(packages: Sequence[str]) -> str:
    return "sudo apt-get update && sudo apt-get install -y " + " ".join(packages)


def apt_install(packages: Sequence[str]) -> None:
    """Install ``packages`` (root only; otherwise say which command to run)."""
    if not packages:
        return
    if shutil.which("apt-get") is None:
        raise ServiceError(f"no apt-get here: install {' '.join(packages)} by hand")
    if os.geteuid() != 0:
        raise ServiceError(
            f"missing system packages {' '.join(packages)}; as root run:\n  "
            + install_command(packages)
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    if not any(_APT_LISTS.glob("*_Packages*")):
        _run(["apt-get", "update"], env)
    log.info("system: %s", shlex.join(install))
    if subprocess.run(install, env=env, check=False).returncode != 0:
        _run(["apt-get", "update"], env)
        _run(install, env)


def _run(argv: list[str], env: dict[str, str]) -> None:
    log.info("system: %s", shlex.join(argv))
    if subprocess.run(argv, env=env, check=False).returncode != 0:
        raise ServiceError(f"`{shlex.join(argv)}` failed")


def tesseract_summary() -> str:
    """``tesseract 5.3.0, chi_sim yes`` — the version decides OCR quality notes."""
    exe = shutil.which("tesseract")
    if exe is None:
        return "tesseract absent"
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    first = (version.stdout or version.stderr).splitlines()[:1]
    langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, check=False)
    has_chi = "chi_sim" in (langs.stdout + langs.stderr).split()
    return f"{first[0] if first else 'tesseract ?'}, chi_sim {'yes' if has_chi else 'NO'}"


class SystemPackages(Service):
    name = "system"

    def status(self, ctx: ServiceContext, env: dict[str, str]) -> ServiceStatus:
        absent = missing()
        detail = tesseract_summary()
        if absent:
            detail += "; missing: " + " ".join(absent)
        return ServiceStatus(self.name, "down" if absent else "up", None, "apt", detail)

    def start(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        apt_install(missing())

    def stop(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        """Packages stay installed: nothing runs."""

    def down(self, ctx: ServiceContext, env: dict[str, str]) -> ServiceStatus:
        return self.status(ctx, env)


SERVICE = SystemPackages()
