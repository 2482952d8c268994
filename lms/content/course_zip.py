"""A course's files as a zip and back, read defensively (the zip comes from a browser).

Only the course's own files are taken (course.toml, lessons/, quizzes/, banks/,
references.md, and lesson images in media/), each read with a size cap whatever its
header claims, so a zip bomb stops at the cap; paths that climb out or start at the
root are refused.
"""
from __future__ import annotations

import io
import re
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from flask_babel import gettext as _

from lms.content.course_files import TEXT_FILES, Files, FilesError, items_from_files
from lms.content.reading import SLUG_RE
from lms.core.errors import DomainError

MAX_ZIP_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 1000
MAX_FILE_BYTES = 1024 * 1024
MAX_TOTAL_BYTES = 40 * 1024 * 1024


MEDIA = re.compile(r"^media/([^/]{1,100})$")
MAX_IMAGE_BYTES = 8 * 1024 * 1024


@dataclass
class ReadZip:
    slug: str
    files: Files
    ignored: list[str] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)  # media/<name> → bytes


def zip_of(slug: str, files: Files, media: dict[str, bytes] | None = None) -> bytes:
    """The files under a `<slug>/` folder, as `flask courses export` writes them, and
    the lessons' images under `<slug>/media/`."""
    buffer = io.BytesIO()
    entries = [(path, files[path].encode("utf-8")) for path in sorted(files)]
    entries += [(f"media/{name}", data) for name, data in sorted((media or {}).items())]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in entries:
            info = zipfile.ZipInfo(f"{slug}/{path}", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo,
          limit: int = MAX_FILE_BYTES) -> bytes:
    with archive.open(info) as handle:
        data = handle.read(limit + 1)  # never more, whatever the header claims
    if len(data) > limit:
        raise DomainError(_("%(path)s is larger than %(size)d KiB.", path=info.filename,
                            size=limit // 1024))
    return data


def _check_total(total: int) -> None:
    if total > MAX_TOTAL_BYTES:
        raise DomainError(_("The zip's files add up to more than %(size)d MB.",
                            size=MAX_TOTAL_BYTES // (1024 * 1024)))


def _root(names: list[str]) -> str:
    """The one folder everything sits in (`<slug>/`), or "" when files are at the top."""
    if "course.toml" in names:
        return ""
    tops = {name.split("/", 1)[0] for name in names if "/" in name}
    return tops.pop() + "/" if len(tops) == 1 else ""


def files_from_zip(data: bytes) -> ReadZip:
    if len(data) > MAX_ZIP_BYTES:
        raise DomainError(_("The zip is larger than %(size)d MB.",
                            size=MAX_ZIP_BYTES // (1024 * 1024)))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise DomainError(_("This is not a zip file that can be read.")) from error
    if len(infos) > MAX_ENTRIES:
        raise DomainError(_("The zip holds more than %(count)d files.", count=MAX_ENTRIES))
    for info in infos:
        path = PurePosixPath(info.filename)
        if path.is_absolute() or ".." in path.parts or "\\" in info.filename:
            raise DomainError(_("The zip holds a file outside its folder: %(path)s",
                                path=info.filename[:200]))
    root = _root([i.filename for i in infos])
    read = ReadZip("", {})
    total = 0
    with archive:
        for info in infos:
            relative = info.filename[len(root):] if info.filename.startswith(root) else ""
            if (image := MEDIA.match(relative)) is not None:
                read.media[image[1]] = _read(archive, info, MAX_IMAGE_BYTES)
                total += len(read.media[image[1]])
                _check_total(total)
                continue
            if not TEXT_FILES.match(relative):
                read.ignored.append(info.filename[:200])
                continue
            raw = _read(archive, info)
            total += len(raw)
            _check_total(total)
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise DomainError(_("%(path)s is not UTF-8 text.", path=relative)) from error
            if "\x00" in text:
                raise DomainError(_("%(path)s contains a NUL character.", path=relative))
            read.files[relative] = text.replace("\r\n", "\n")
    if "course.toml" not in read.files:
        raise DomainError(_("The zip has no course.toml: export a course from the studio "
                            "or zip a folder of courses/."))
    read.slug = _slug(read.files["course.toml"], root.rstrip("/"))
    _check_readable(read.files)
    return read


def _check_readable(files: Files) -> None:
    """File names the draft can hold, and text the draft can read (the validators
    judge the rest in the preview)."""
    for path in files:
        stem = PurePosixPath(path).stem
        if "/" in path and (not SLUG_RE.match(stem) or len(stem) > 80):
            raise DomainError(_("%(path)s: a file name must be lower-case letters, digits "
                                "and hyphens, at most 80 characters.", path=path[:120]))
    try:
        items_from_files(files)
    except FilesError as error:
        raise DomainError(_("The zip's files cannot be read: %(problems)s",
                            problems="; ".join(error.problems[:5]))) from error


def _slug(course_toml: str, folder: str) -> str:
    try:
        slug = tomllib.loads(course_toml).get("slug") or folder
    except tomllib.TOMLDecodeError:
        slug = folder
    if not isinstance(slug, str) or not SLUG_RE.match(slug) or len(slug) > 80:
        raise DomainError(_("Name the course's address with `slug = \"…\"` in course.toml "
                            "(lower-case letters, digits and hyphens)."))
    return slug
