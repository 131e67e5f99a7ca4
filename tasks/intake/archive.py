"""ZIP uploads: page images in natural order, read without trusting the archive.

Nothing is extracted to disk, so a hostile name cannot write anywhere; names
that try to leave the archive (``../``, absolute, drive letters, symlinks) are
refused anyway, because they mark an archive nobody should process. Sizes are
checked twice: from the central directory before reading, and by counting the
bytes actually inflated, since a directory entry can lie.
"""

from __future__ import annotations

import functools
import re
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from natsort import natsort_keygen, ns
from PIL import Image

from dossier.settings import Settings
from tasks.intake.detect import IMAGE_FORMATS, describe_unknown, sniff
from tasks.intake.images import (
    count_frames,
    iter_frames,
    iter_single,
    load_frame,
    open_image,
    read_single,
)
from tasks.intake.rejection import RejectedInput, masked_filename

CHUNK = 1024 * 1024
SPOOL_IN_MEMORY = 32 * 1024 * 1024
# Tiny members compress absurdly well without being bombs; the ratio applies above this.
RATIO_FLOOR_BYTES = 1024 * 1024
JUNK_NAMES = frozenset({"thumbs.db", "desktop.ini", "__macosx"})
ARCHIVE_SUFFIXES = frozenset(
    {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".cab", ".iso", ".jar"}
)
_DRIVE = re.compile(r"^[A-Za-z]:")
_NATURAL = natsort_keygen(alg=ns.PATH | ns.IGNORECASE)


@dataclass(frozen=True)
class ZipMember:
    info: zipfile.ZipInfo
    name: str  # decoded, for ordering

    @property
    def label(self) -> str:
        """The name as messages show it (names of people masked)."""
        return masked_filename(self.name)


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """Windows archivers write GBK names without the UTF-8 flag; zipfile reads them as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.orig_filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _is_junk(parts: tuple[str, ...]) -> bool:
    """macOS resource forks, hidden files, Windows thumbnails: never pages."""
    return any(part.startswith(".") or part.casefold() in JUNK_NAMES for part in parts)


def _check_name(name: str, info: zipfile.ZipInfo) -> None:
    normalised = name.replace("\\", "/")
    label = masked_filename(name)
    if normalised.startswith("/") or _DRIVE.match(normalised):
        raise RejectedInput("zip_traversal", f"absolute member path {label!r}")
    if ".." in PurePosixPath(normalised).parts:
        raise RejectedInput("zip_traversal", f"member path leaves the archive: {label!r}")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise RejectedInput("zip_traversal", f"symbolic link member {label!r}")


def _check_directory(infos: list[zipfile.ZipInfo], settings: Settings) -> None:
    """Limits the central directory can answer before anything is inflated."""
    if len(infos) > settings.max_zip_members:
        raise RejectedInput(
            "zip_bomb", f"{len(infos)} members, limit {settings.max_zip_members}"
        )
    total = sum(info.file_size for info in infos)
    if total > settings.max_zip_total_bytes:
        raise RejectedInput(
            "zip_bomb",
            f"members inflate to {total:,} bytes, limit {settings.max_zip_total_bytes:,}",
        )
    for info in infos:
        if info.file_size > RATIO_FLOOR_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > settings.max_zip_ratio:
                raise RejectedInput(
                    "zip_bomb",
                    f"member {masked_filename(_decoded_name(info))!r} compressed {ratio:.0f}:1, "
                    f"limit {settings.max_zip_ratio:.0f}:1",
                )


def declared_members(path: Path) -> int | None:
    """The member count the end record declares (zip64 included), read without parsing
    the central directory; None when there is no end record to read."""
    with open(path, "rb") as fh:
        try:
            end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]  # stable since 2.6
        except (OSError, struct.error):
            return None
    return None if end is None else int(end[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]


def open_zip(path: Path, settings: Settings | None = None) -> zipfile.ZipFile:
    """Open, after the declared member count passed the limit: ``zipfile`` parses every
    entry of the central directory up front (seconds for 100,000 members)."""
    if settings is not None:
        declared = declared_members(path)
        if declared is not None and declared > settings.max_zip_members:
            raise RejectedInput(
                "zip_bomb", f"{declared} members declared, limit {settings.max_zip_members}"
            )
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        # The magic bytes said ZIP, so a missing central directory means a cut-off upload.
        raise RejectedInput("truncated", f"the ZIP has no central directory: {exc}") from exc


def page_members(archive: zipfile.ZipFile, settings: Settings) -> list[ZipMember]:
    """Members that are pages, in natural order, after every check the directory allows."""
    infos = archive.infolist()
    _check_directory(infos, settings)
    members: list[ZipMember] = []
    for info in infos:
        name = _decoded_name(info)
        _check_name(name, info)
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if info.is_dir() or not parts or _is_junk(parts):
            continue
        label = masked_filename(name)
        if info.flag_bits & 0x1:
            raise RejectedInput("encrypted", f"member {label!r} is password-protected")
        if PurePosixPath(parts[-1]).suffix.lower() in ARCHIVE_SUFFIXES:
            raise RejectedInput("zip_nested", f"archive inside the archive: {label!r}")
        members.append(ZipMember(info=info, name=name))
    members.sort(key=lambda member: _NATURAL(member.name))
    if not members:
        raise RejectedInput("empty", "the ZIP holds no page images")
    if len(members) > settings.max_pages:
        raise RejectedInput(
            "too_many_pages", f"{len(members)} page files, limit {settings.max_pages}"
        )
    return members


class _Budget:
    """Bytes inflated so far, against the archive-wide limit."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.total = 0


def _inflate(
    archive: zipfile.ZipFile, member: ZipMember, budget: _Budget
) -> tempfile.SpooledTemporaryFile[bytes]:
    """Copy one member out, counting every inflated byte against the limits."""
    info = member.info
    settings = budget.settings
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    written = 0
    try:
        with archive.open(info) as stream:
            for chunk in iter(lambda: stream.read(CHUNK), b""):
                written += len(chunk)
                budget.total += len(chunk)
                if written > info.file_size:
                    raise RejectedInput(
                        "zip_bomb", f"member {member.label!r} inflates beyond its declared size"
                    )
                if budget.total > settings.max_zip_total_bytes:
                    raise RejectedInput("zip_bomb", "members inflate beyond the size limit")
                if (
                    written > RATIO_FLOOR_BYTES
                    and written / max(info.compress_size, 1) > settings.max_zip_ratio
                ):
                    raise RejectedInput(
                        "zip_bomb", f"member {member.label!r} inflates beyond the ratio limit"
                    )
                spool.write(chunk)
    except RejectedInput:
        spool.close()
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        spool.close()
        raise RejectedInput("unreadable", f"member {member.label!r}: {exc}") from exc
    spool.seek(0)
    return spool  # type: ignore[return-value]


def _check_member_content(member: ZipMember, stream: BinaryIO) -> str:
    """Decide by content, not by name: images and TIFFs pass, archives and the rest do not."""
    head = stream.read(1024)
    stream.seek(0)
    kind = sniff(head)
    if kind == "zip" or "archive" in describe_unknown(head):
        raise RejectedInput("zip_nested", f"archive inside the archive: {member.label!r}")
    if kind not in IMAGE_FORMATS and kind != "tiff":
        found = "a PDF" if kind == "pdf" else describe_unknown(head) if head else "empty"
        raise RejectedInput(
            "unsupported_format", f"member {member.label!r} is not a page image ({found})"
        )
    return kind


def count_zip_pages(path: Path, settings: Settings) -> int:
    """Pages in the archive, from each member's image header (see :func:`_page_map_of`)."""
    return len(_zip_page_map(path, settings))


def iter_zip_pages(path: Path, settings: Settings) -> Iterator[tuple[Image.Image, int | None]]:
    """``(page image, dpi)`` per page; one member is held (spooled) at a time."""
    produced = 0
    with open_zip(path, settings) as archive:
        budget = _Budget(settings)
        for member in page_members(archive, settings):
            with _inflate(archive, member, budget) as spool:
                if _check_member_content(member, spool) == "tiff":
                    produced += yield from iter_frames(
                        spool, settings, member.label, max_frames=settings.max_pages - produced
                    )
                else:
                    produced += yield from iter_single(spool, settings, member.label)


def _zip_page_map(path: Path, settings: Settings) -> tuple[tuple[int, int], ...]:
    """(member index, frame) of every page, cached per file version and limits."""
    st = path.stat()
    return _page_map_of(path, st.st_mtime_ns, st.st_size, settings.model_dump_json())


@functools.lru_cache(maxsize=32)
def _page_map_of(path: Path, mtime_ns: int, size: int, settings_json: str) -> tuple[
    tuple[int, int], ...
]:
    """Read from member headers only; the key's file version and limits make it safe to keep.

    Members are not inflated whole: reading stops at the size the directory
    declares (zipfile enforces it, then checks the CRC), and the directory was
    checked against the limits first. Every page's pixel count is checked here,
    from its header, so an oversized member is refused before any page task.
    """
    settings = Settings.model_validate_json(settings_json)
    pages: list[tuple[int, int]] = []
    with open_zip(path, settings) as archive:
        for index, member in enumerate(page_members(archive, settings)):
            try:
                with archive.open(member.info) as stream:
                    if _check_member_content(member, stream) == "tiff":
                        frames = count_frames(
                            stream, settings, member.label,
                            max_frames=settings.max_pages - len(pages),
                        )
                    else:
                        open_image(stream, settings, member.label).close()
                        frames = 1
            except (zipfile.BadZipFile, zlib.error, NotImplementedError) as exc:
                raise RejectedInput("unreadable", f"member {member.label!r}: {exc}") from exc
            pages += [(index, frame) for frame in range(frames)]
    return tuple(pages)


def load_zip_page(path: Path, page: int, settings: Settings) -> tuple[Image.Image, int | None]:
    """Page ``page`` (1-based) alone: only its member is inflated, under the bomb limits."""
    page_map = _zip_page_map(path, settings)
    if not 1 <= page <= len(page_map):
        raise IndexError(f"page {page} of {len(page_map)}")
    member_index, frame = page_map[page - 1]
    with open_zip(path, settings) as archive:
        member = page_members(archive, settings)[member_index]
        with _inflate(archive, member, _Budget(settings)) as spool:
            if _check_member_content(member, spool) == "tiff":
                return load_frame(spool, frame, settings, member.label)
            return read_single(spool, settings, member.label)
