"""Where a bulk enrollment's photos come from: a zip archive (the API) or a folder (the CLI), in one of
two layouts.

- ``mapping.csv`` at the root, one row per photo: ``file,person_type,person_id,name,class_name``
  (``name`` and ``class_name`` optional, an empty or missing ``person_type`` means the batch's
  default). Only the files it lists are enrolled: the CSV is the operator's explicit list.
- no CSV: folders named by person id, ``S-001/a.jpg`` (the batch's default person type) or
  ``students/S-001/a.jpg`` and ``teachers/T-1/b.jpg``. One folder wrapping everything (what zipping a
  folder gives) is looked through.

Without a CSV every file is tried and reported, never skipped by its name: a photo in the wrong place
or in a format we do not decode (HEIC, a PDF) is then a ``failed`` line the operator sees, not a person
silently left out, and a photo with the "wrong" extension (a WebP named .jpg) still works. Only what
operating systems add on their own (hidden files such as ``.DS_Store``, ``__MACOSX/``, ``Thumbs.db``)
is ignored, in both layouts.

Nothing is read until its item's turn, and then into memory only, bounded by ``max_image_bytes``:
archives are never extracted to disk, and a member named ``../x`` or ``/x`` is refused, never read.
A bad row or file is a ``RejectedItem`` in its place; only what makes the whole batch meaningless (not a
zip, no ``file``/``person_id`` header, no photos, too many) raises. Imports no database and no web.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO

from facerec.config import Settings
from facerec.domain import PersonRef, PersonType
from facerec.errors import CorruptImage, FacerecError, ImageTooLarge, InvalidInput
from facerec.service import faces

MAPPING_FILE = PurePosixPath("mapping.csv")
PERSON_TYPE_FOLDERS = {"students": PersonType.STUDENT, "teachers": PersonType.TEACHER}
SYSTEM_FILES = {"__MACOSX", "Thumbs.db", "desktop.ini"}
# What every zip tool writes; anything else is refused per item rather than trusted to a decompressor.
ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}


@dataclass(frozen=True)
class BatchItem:
    """One photo to enrol. ``read(limit)`` gives at most ``limit`` bytes and raises a ``FacerecError``
    when the file cannot be had; it is called only when the item's turn comes (one photo in memory at
    a time). The items of one archive share its open zip file: read them from one thread, in turn."""

    source: str  # the path inside the archive or folder
    ref: PersonRef
    name: str | None
    class_name: str | None
    size: int  # as declared by the archive, or on disk
    read: Callable[[int], bytes]

    def image(self, *, max_bytes: int) -> bytes:
        """The photo's bytes; a declared size over the limit is refused before anything is inflated."""
        if self.size > max_bytes:
            raise ImageTooLarge(
                f"{self.source} is {self.size} bytes, over the limit of {max_bytes}"
            )
        data = self.read(max_bytes + 1)
        if len(data) > max_bytes:  # a file on disk that grew since it was listed
            raise ImageTooLarge(f"{self.source} is over the limit of {max_bytes} bytes")
        return data


@dataclass(frozen=True)
class RejectedItem:
    """A photo or CSV row refused before enrollment (bad person_type or id, file not in the archive,
    not in a person folder); reported in its place, with the values as given."""

    source: str
    person_type: str
    person_id: str
    error: FacerecError


PlannedItem = BatchItem | RejectedItem


@dataclass(frozen=True)
class _File:
    path: PurePosixPath  # relative, '/'-separated
    source: str  # as named by the archive or folder
    size: int
    read: Callable[[int], bytes]


def items_from_zip(
    archive: IO[bytes], *, default_person_type: str, settings: Settings
) -> list[PlannedItem]:
    """Plan the enrollment of a zip archive (a seekable binary file, e.g. the spooled upload).

    Refused as a whole (nothing enrolled): an archive over ``max_batch_bytes``, a file that is not a
    zip, a bad ``mapping.csv`` header, no photos, more than ``max_batch_files``."""
    default = faces.person_type_of(default_person_type)
    size = archive.seek(0, io.SEEK_END)
    if size > settings.max_batch_bytes:
        raise ImageTooLarge(f"the archive is over the limit of {settings.max_batch_bytes} bytes")
    archive.seek(0)
    try:
        zf = zipfile.ZipFile(archive)  # over a file object: closed with it, nothing to release here
    # ValueError: bad offsets or names; NotImplementedError: a zip version the zipfile module lacks.
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
        raise InvalidInput("the upload is not a zip archive, or the archive is damaged") from exc
    files = [
        _File(_posix(info.filename), info.filename, info.file_size, partial(_read_member, zf, info))
        for info in zf.infolist()
        if not info.is_dir()
    ]
    return _plan(files, default=default, settings=settings)


def items_from_directory(
    directory: Path, *, default_person_type: str, settings: Settings
) -> list[PlannedItem]:
    """Plan the enrollment of a folder on disk, laid out like an archive (see the module docstring)."""
    default = faces.person_type_of(default_person_type)
    if not directory.is_dir():
        raise InvalidInput(f"{directory} is not a folder")
    files = []
    for path in sorted(directory.rglob("*")):
        relative = PurePosixPath(path.relative_to(directory).as_posix())
        if not _ignored(relative) and path.is_file():
            read = partial(_read_path, path)
            files.append(_File(relative, str(relative), path.stat().st_size, read))
    return _plan(files, default=default, settings=settings)


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.flag_bits & 0x1:
        raise InvalidInput(f"{info.filename} is encrypted in the archive")
    if info.compress_type not in ZIP_METHODS:
        raise InvalidInput(
            f"{info.filename} is compressed with zip method {info.compress_type}; use deflate"
        )
    try:
        with zf.open(info) as handle:
            return handle.read(limit)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:  # bad CRC, bad offsets
        raise CorruptImage(f"{info.filename} is damaged in the archive ({exc})") from exc
    except NotImplementedError as exc:  # a zip feature or version the zipfile module lacks
        raise InvalidInput(f"{info.filename} cannot be read from the archive ({exc})") from exc


def _read_path(path: Path, limit: int) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(limit)
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from exc


def _posix(name: str) -> PurePosixPath:
    return PurePosixPath(name.replace("\\", "/"))  # some Windows tools write backslashes


def _ignored(path: PurePosixPath) -> bool:
    return any(part.startswith(".") or part in SYSTEM_FILES for part in path.parts)


def _unsafe(path: PurePosixPath) -> bool:
    return path.is_absolute() or ".." in path.parts


def _plan(files: list[_File], *, default: PersonType, settings: Settings) -> list[PlannedItem]:
    unsafe = [
        RejectedItem(f.source, "", "", InvalidInput(f"{f.source}: an absolute path or '..'"))
        for f in files
        if _unsafe(f.path)
    ]
    files = _unwrapped([f for f in files if not _unsafe(f.path) and not _ignored(f.path)])
    mapping = next((f for f in files if f.path == MAPPING_FILE), None)
    if mapping is not None:
        planned = _from_mapping(mapping, files, default=default, settings=settings)
    else:
        planned = _from_folders(files, default=default)
    items = planned + unsafe
    if not items:
        raise InvalidInput(
            "no photos found: put them in folders named by person id (S-001/a.jpg, "
            "students/S-001/a.jpg, teachers/T-1/b.jpg) or list them in mapping.csv"
        )
    if len(items) > settings.max_batch_files:
        raise InvalidInput(
            f"{len(items)} photos, over the limit of {settings.max_batch_files} in one batch"
        )
    return items


def _unwrapped(files: list[_File]) -> list[_File]:
    """Look through one folder that holds everything, unless it is ``students``/``teachers`` or a
    person's folder (photos directly in it, and no mapping.csv)."""
    tops = {f.path.parts[0] for f in files if len(f.path.parts) > 1}
    if len(tops) != 1 or any(len(f.path.parts) == 1 for f in files):
        return files
    top = tops.pop()
    has_mapping = any(f.path.parts[1:] == MAPPING_FILE.parts for f in files)
    holds_photos = any(len(f.path.parts) == 2 for f in files)
    if top.lower() in PERSON_TYPE_FOLDERS or (holds_photos and not has_mapping):
        return files
    return [replace(f, path=PurePosixPath(*f.path.parts[1:])) for f in files]


def _from_folders(files: list[_File], *, default: PersonType) -> list[PlannedItem]:
    items: list[PlannedItem] = []
    for file in sorted(files, key=lambda f: f.path):
        parts = file.path.parts
        if len(parts) == 3 and parts[0].lower() in PERSON_TYPE_FOLDERS:
            items.append(_item(file, PERSON_TYPE_FOLDERS[parts[0].lower()].value, parts[1]))
        elif len(parts) == 2:
            items.append(_item(file, default.value, parts[0]))
        else:
            message = (
                f"{file.source} is not in a folder named by a person id (S-001/a.jpg, "
                "students/S-001/a.jpg or teachers/T-1/b.jpg)"
            )
            items.append(RejectedItem(file.source, "", "", InvalidInput(message)))
    return items


def _from_mapping(
    mapping: _File, files: list[_File], *, default: PersonType, settings: Settings
) -> list[PlannedItem]:
    text = _mapping_text(mapping, settings.max_image_bytes)
    header = text.partition("\n")[0]
    # Excel writes ';' where ',' is the decimal separator; take what the header uses.
    reader = csv.DictReader(io.StringIO(text), delimiter=max(",;\t", key=header.count))
    try:
        return _mapping_rows(reader, files, default=default)
    except csv.Error as exc:  # a stray quote, a field over the csv module's size limit
        line = reader.reader.line_num  # the DictReader's own counts only the rows it completed
        raise InvalidInput(f"mapping.csv line {line} is not valid CSV: {exc}") from exc


def _mapping_rows(
    reader: csv.DictReader[str], files: list[_File], *, default: PersonType
) -> list[PlannedItem]:
    reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if not {"file", "person_id"} <= set(reader.fieldnames):
        raise InvalidInput(
            "mapping.csv needs a header row with file and person_id "
            "(and optionally person_type, name, class_name)"
        )
    by_path = {f.path: f for f in files}
    items: list[PlannedItem] = []
    for row in reader:
        values = {k: v.strip() for k, v in row.items() if isinstance(k, str) and v is not None}
        if not any(values.values()):
            continue
        listed, person_id = values.get("file", ""), values.get("person_id", "")
        person_type = values.get("person_type") or default.value
        file = by_path.get(_posix(listed)) if listed else None
        if file is None:
            problem = f"{listed} is not in the archive" if listed else "no file given"
            error = InvalidInput(f"mapping.csv line {reader.line_num}: {problem}")
            source = listed or f"mapping.csv line {reader.line_num}"
            items.append(RejectedItem(source, person_type, person_id, error))
            continue
        name, class_name = values.get("name") or None, values.get("class_name") or None
        items.append(_item(file, person_type, person_id, name=name, class_name=class_name))
    return items


def _mapping_text(mapping: _File, max_bytes: int) -> str:
    if mapping.size > max_bytes:
        raise InvalidInput(f"mapping.csv is over the limit of {max_bytes} bytes")
    try:
        return mapping.read(max_bytes).decode("utf-8-sig")  # Excel writes a BOM
    except UnicodeDecodeError as exc:
        raise InvalidInput("mapping.csv is not UTF-8 text") from exc
    except FacerecError as exc:
        raise InvalidInput(f"mapping.csv cannot be read: {exc.message}") from exc


def _item(
    file: _File,
    person_type: str,
    person_id: str,
    *,
    name: str | None = None,
    class_name: str | None = None,
) -> PlannedItem:
    try:
        ref = faces.person_ref(person_type, person_id)
    except InvalidInput as exc:
        return RejectedItem(file.source, person_type, person_id, exc)
    return BatchItem(file.source, ref, name, class_name, file.size, file.read)
