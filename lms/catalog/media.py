"""Course images stored in the database: checked from the bytes, re-encoded, deduplicated."""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from PIL import (  # noqa: F401 (the plugins: registered by their import)
    GifImagePlugin,
    Image,
    ImageCms,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)
from sqlalchemy.orm import Mapped, mapped_column

from lms.catalog.models import Course
from lms.catalog.permissions import can_edit_course
from lms.core.audit import record_event
from lms.core.db import db, insert_ignore, utcnow
from lms.core.errors import DomainError
from lms.core.requests import MAX_ID

CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
# Pillow plugins allowed to parse an upload (JPEG includes MPO, a phone's JPEG with a
# second picture). Nothing else is tried: an EPS, a PDF or an SVG never meets a parser.
READABLE = ("PNG", "JPEG", "WEBP", "GIF")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000  # about 160 MB decoded as RGBA: a bomb stops here
MAX_SIDE = 2000
QUALITY = 85
ALT_MAX = 300
STEM_MAX = 60


class MediaFile(db.Model):
    """An image of a course, re-encoded and stored whole (several hosts, no shared disk)."""

    __tablename__ = "media_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique (course_id, sha256) index leads with course_id: it is the course index.
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    sha256: Mapped[str] = mapped_column(sa.String(64))  # of `data`, as stored and served
    filename: Mapped[str] = mapped_column(sa.String(100))
    content_type: Mapped[str] = mapped_column(sa.String(20))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)  # loaded to serve
    width: Mapped[int]
    height: Mapped[int]
    byte_size: Mapped[int]
    alt_text: Mapped[str] = mapped_column(sa.String(ALT_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.UniqueConstraint("course_id", "sha256"),
        sa.CheckConstraint("content_type IN ('image/png', 'image/jpeg', 'image/webp')",
                           name="content_type"),
        sa.CheckConstraint("alt_text <> ''", name="alt_text"),
    )


@dataclass(frozen=True)
class Encoded:
    data: bytes
    content_type: str
    width: int
    height: int


def _megabytes(size: int) -> str:
    return _("%(number)s MB", number=format_decimal(size / 1_048_576, format="#,##0.#"))


def clean_alt_text(text: str | None) -> str:
    """The alt text on one line, or DomainError: required, short, no control characters."""
    text = " ".join((text or "").split())  # newlines would end the Markdown image
    if any(unicodedata.category(char) == "Cc" for char in text):  # NUL among them
        raise DomainError(_("The description contains invisible control characters. "
                            "Retype it and try again."))
    if not text:
        raise DomainError(_("Describe the image in a few words (alt text) for people "
                            "who cannot see it."))
    if len(text) > ALT_MAX:
        raise DomainError(_("Keep the description to %(max)d characters or fewer.",
                            max=ALT_MAX))
    return text


def _refusal_for_unreadable(data: bytes) -> DomainError:
    """Why bytes no allowed plugin reads were refused, told from their first bytes."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"%pdf", b"<")):  # PDF, SVG, HTML, XML
        return DomainError(_("PDF files, SVG drawings and web pages are not accepted as "
                             "images. Export the picture as PNG or JPEG and upload that."))
    if (head.startswith((b"bm", b"ii*\x00", b"mm\x00*", b"\x00\x00\x01\x00"))
            or head[4:8] == b"ftyp"):  # BMP, TIFF, ICO, HEIC/AVIF
        return DomainError(_("This kind of image is not accepted. Save it as PNG, JPEG or "
                             "WebP and upload it again."))
    return DomainError(_("This file is not an image we can read, whatever its name says. "
                         "Upload a PNG, JPEG, WebP or GIF picture."))


def _decoded(data: bytes, max_pixels: int) -> Image.Image:
    """The first frame, decoded, or DomainError; the size is checked before decoding."""
    too_many = DomainError(_("This image has too many pixels (at most %(limit)s "
                             "megapixels). Make it smaller and upload it again.",
                             limit=format_decimal(max_pixels / 1_000_000, format="#,##0.#")))
    try:
        with Image.open(io.BytesIO(data), formats=READABLE) as probe:
            if probe.width * probe.height > max_pixels:
                raise too_many
            probe.verify()  # structure and checksums, without decoding
        image = Image.open(io.BytesIO(data), formats=READABLE)
        image.draft(None, (MAX_SIDE, MAX_SIDE))  # JPEG: decode at 1/2, 1/4… when large
        image.load()
        return image
    except DomainError:
        raise
    except Image.DecompressionBombError:  # Pillow's own guard (> 2 × MAX_IMAGE_PIXELS)
        raise too_many from None
    except UnidentifiedImageError:
        raise _refusal_for_unreadable(data) from None
    except Exception as error:  # any parser failure on untrusted bytes is a refusal
        current_app.logger.info("image upload refused as damaged: %r", error)
        raise DomainError(_("This image is damaged or incomplete. Save it again and "
                            "upload the new file.")) from None


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block: keep the picture as it is
        return image


def _in_srgb(image: Image.Image) -> Image.Image:
    """Colours converted to sRGB, since the embedded profile is dropped (a phone's
    Display P3 photo would otherwise look dull); 16-bit grey scaled, not clipped."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):
        return image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            embedded = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")  # per call: no handle shared by threads
            return ImageCms.profileToProfile(
                image, embedded, srgb, outputMode="RGBA" if image.mode == "RGBA" else "RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # an unusable profile: take the numbers as they are
    return image


def _flattened(image: Image.Image) -> Image.Image:
    """RGBA when some pixel is see-through, else RGB or L."""
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info:
        image = image.convert("RGBA")
        if image.getchannel("A").getextrema()[0] < 255:
            return image
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


def _encode(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "PNG":
        image.save(out, "PNG", optimize=True)
    elif kind == "JPEG":
        image.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    else:
        image.save(out, "WEBP", quality=QUALITY, method=4)
    return out.getvalue()


def reencode_image(data: bytes, *, max_bytes: int, max_pixels: int) -> Encoded:
    """Decode, turn upright, convert to sRGB, shrink to MAX_SIDE and encode again with
    nothing of the original file kept (EXIF, GPS, profiles, comments, later frames)."""
    decoded = _decoded(data, max_pixels)
    source = decoded.format
    image = _flattened(_in_srgb(_upright(decoded)))
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image owns no `info`, so no encoder can copy metadata from the upload.
    image = Image.frombytes(image.mode, image.size, image.tobytes())
    if image.mode == "RGBA":
        kinds = ["PNG", "WEBP"]  # WebP only if the lossless PNG is over the cap
    elif source in ("JPEG", "MPO"):
        kinds = ["JPEG"]
    elif source == "WEBP":
        kinds = ["WEBP"]
    elif source == "PNG":
        kinds = ["PNG+JPEG"]  # a diagram stays a sharp PNG, a photo saved as PNG is a JPEG
    else:
        kinds = ["PNG"]  # GIF: its first frame
    for kind in kinds:
        if kind == "PNG+JPEG":
            kind, encoded = min((("PNG", _encode(image, "PNG")),
                                 ("JPEG", _encode(image, "JPEG"))), key=lambda c: len(c[1]))
        else:
            encoded = _encode(image, kind)
        if len(encoded) <= max_bytes:
            return Encoded(encoded, CONTENT_TYPES[kind], image.width, image.height)
    raise DomainError(_("Even after resizing, this image is larger than %(size)s. Upload a "
                        "simpler or smaller image.", size=_megabytes(max_bytes)))


def safe_filename(original: str | None, content_type: str, sha256: str) -> str:
    """Letters, digits and hyphens of the uploaded name (any script), a short hash that
    makes the address unguessable, and the extension of what is stored."""
    stem = re.split(r"[/\\]", original or "")[-1].rsplit(".", 1)[0]
    stem = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", stem).lower())
    stem = "".join(c if unicodedata.category(c)[0] in "LMN" else "-" for c in stem)
    stem = re.sub(r"-{2,}", "-", stem).strip("-")[:STEM_MAX].strip("-") or "image"
    return f"{stem}-{sha256[:8]}{EXTENSIONS[content_type]}"


def ascii_filename(filename: str) -> str:
    """The filename as plain ASCII, for the `filename=` of Content-Disposition."""
    stem, dot, extension = filename.rpartition(".")
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "", ascii_stem)).strip("-")
    tail = stem.rsplit("-", 1)[-1]
    if not ascii_stem or ascii_stem == tail:
        ascii_stem = f"image-{tail}"
    return f"{ascii_stem}{dot}{extension}"


def _find(course_id: int, sha256: str) -> MediaFile | None:
    return db.session.scalar(sa.select(MediaFile).where(
        MediaFile.course_id == course_id, MediaFile.sha256 == sha256))


def store_image(course_id: int, data: bytes, alt_text: str, filename: str,
                actor_id: int | None) -> MediaFile:
    """Check, re-encode and store an uploaded image of a course; the same picture twice
    in one course gives back the row stored the first time. Flushes, never commits."""
    config = current_app.config
    max_bytes = int(config.get("MEDIA_MAX_BYTES", DEFAULT_MAX_BYTES))
    max_pixels = int(config.get("MEDIA_MAX_PIXELS", DEFAULT_MAX_PIXELS))
    if not data:
        raise DomainError(_("The file is empty. Choose an image to upload."))
    if len(data) > max_bytes:
        raise DomainError(_("The file is larger than %(size)s. Upload a smaller image.",
                            size=_megabytes(max_bytes)))
    alt = clean_alt_text(alt_text)
    if db.session.get(Course, course_id) is None:
        raise DomainError(_("This course does not exist."))
    encoded = reencode_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    digest = hashlib.sha256(encoded.data).hexdigest()
    existing = _find(course_id, digest)
    if existing is not None:
        return existing
    name = safe_filename(filename, encoded.content_type, digest)
    # Two uploads of one picture at once (a double click): the unique index decides.
    inserted = insert_ignore(MediaFile, {
        "course_id": course_id, "sha256": digest, "filename": name,
        "content_type": encoded.content_type, "data": encoded.data, "width": encoded.width,
        "height": encoded.height, "byte_size": len(encoded.data), "alt_text": alt,
        "created_at": utcnow(), "created_by_id": actor_id})
    media = _find(course_id, digest)
    assert media is not None
    if inserted:
        record_event("media.uploaded", actor_id=actor_id, target_type="media_file",
                     target_id=media.id, data={
                         "course_id": course_id, "filename": name, "sha256": digest,
                         "content_type": encoded.content_type, "byte_size": len(encoded.data),
                         "width": encoded.width, "height": encoded.height})
    db.session.flush()
    return media


def can_view_media(user: Any, course: Course) -> bool:
    """A live course's images are as public as its outline; an archived course's only
    for those who may edit it."""
    return course.archived_at is None or can_edit_course(user, course)


def media_url(media: MediaFile) -> str:
    return f"/media/{media.id}/{media.filename}"


# Every ASCII character Markdown gives a meaning inside an image's alt text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&~|!])")


def markdown_for(media: MediaFile) -> str:
    """`![alt](/media/<id>/<filename>)`, the alt text escaped so it renders as typed."""
    alt = _MARKDOWN_SPECIAL.sub(r"\\\1", media.alt_text)
    return f"![{alt}]({media_url(media)})"


_parser = MarkdownIt("commonmark", {"html": False}).enable("table")
_MEDIA_PATH = re.compile(r"^(?:https?://[^/?#]+)?/media/(\d{1,10})/[^/?#]+(?:[?#].*)?$")


def media_ids_in(markdown: str) -> set[int]:
    """Ids of the media a Markdown text shows or links to, as the renderer resolves them
    (reference links included; code spans and blocks are text, not references)."""
    ids = set()
    for block in _parser.parse(markdown or ""):
        for token in block.children or ():
            url = token.attrGet("src") if token.type == "image" else (
                token.attrGet("href") if token.type == "link_open" else None)
            match = _MEDIA_PATH.match(str(url or ""))
            if match and int(match[1]) <= MAX_ID:
                ids.add(int(match[1]))
    return ids
