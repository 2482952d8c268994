"""Course images: judged from their bytes, re-encoded without metadata, served inert."""
from __future__ import annotations

import io
import os
import struct
import zlib
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from markdown_it import MarkdownIt
from PIL import Image, ImageCms
from werkzeug.datastructures import FileStorage, MultiDict

from lms.catalog import media as media_module
from lms.catalog.media import MediaFile, markdown_for, media_ids_in, store_image
from lms.catalog.media_forms import ImageUploadForm
from lms.catalog.models import Course
from lms.core.audit import AuditEvent
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from tests.fixtures.users import login

ALT = "A map of the route from the border to the city"


def encoded(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def photo(size=(300, 200), mode="RGB") -> Image.Image:
    """Noise: like a photograph, it compresses badly without loss."""
    return Image.frombytes(mode, size, os.urandom(size[0] * size[1] * len(mode)))


def diagram(size=(300, 200)) -> Image.Image:
    image = Image.new("RGB", size, "white")
    image.paste((200, 30, 30), (20, 20, 120, 120))
    return image


def png_claiming(width: int, height: int) -> bytes:
    """A valid-looking PNG whose header claims a huge picture: a decompression bomb."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


def rendered_images(html: str) -> list[dict]:
    """The attributes of every <img> in an HTML text, unescaped."""
    parser, found = HTMLParser(), []
    parser.handle_starttag = lambda tag, attrs: found.append(dict(attrs)) if tag == "img" else 0
    parser.feed(html)
    return found


def stored(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def media_rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(MediaFile))


def upload_events() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "media.uploaded"))


def refused(course_id: int, data: bytes, alt: str = ALT, name: str = "picture.png") -> str:
    with pytest.raises(DomainError) as caught:
        store_image(course_id, data, alt, name, actor_id=None)
    db.session.rollback()  # as the request would
    assert media_rows() == 0 and upload_events() == 0
    return caught.value.message


# -- what is stored ---------------------------------------------------------------------
def test_jpeg_is_turned_upright_and_loses_its_exif(tiny_course, instructor):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
    exif[0x010F] = "SpyCam Make"
    exif[0x8825] = {2: (13.0, 45.0, 0.0)}  # GPS latitude
    data = encoded(photo((300, 200)), "JPEG", exif=exif.tobytes(), quality=95,
                   comment=b"secret comment")
    media = store_image(tiny_course.id, data, ALT, "holiday.JPG", actor_id=instructor.id)
    db.session.commit()
    output = stored(media.data)
    assert media.content_type == "image/jpeg" and output.format == "JPEG"
    assert (media.width, media.height) == (200, 300) == output.size
    assert not output.getexif() and "exif" not in output.info and "comment" not in output.info
    assert not any(part in media.data for part in (b"Exif", b"SpyCam", b"secret comment"))
    assert media.byte_size == len(media.data)
    assert media.created_by_id == instructor.id and media.alt_text == ALT
    assert media.filename.startswith("holiday-") and media.filename.endswith(".jpg")


def test_png_with_transparency_stays_png(tiny_course):
    image = Image.new("RGBA", (120, 80), (0, 0, 0, 0))
    image.paste((0, 90, 200, 255), (10, 10, 60, 60))
    info = Image.Exif()
    info[0x010F] = "SpyCam Make"
    media = store_image(tiny_course.id, encoded(image, "PNG", exif=info.tobytes()), ALT,
                        "logo.png", actor_id=None)
    output = stored(media.data)
    assert media.content_type == "image/png" and output.mode == "RGBA"
    assert output.getpixel((0, 0))[3] == 0 and output.getpixel((20, 20)) == (0, 90, 200, 255)
    assert not output.getexif() and b"SpyCam" not in media.data


def test_opaque_png_becomes_the_smaller_of_png_and_jpeg(tiny_course):
    flat = store_image(tiny_course.id, encoded(diagram(), "PNG"), ALT, "d.png", actor_id=None)
    noisy = store_image(tiny_course.id, encoded(photo(), "PNG"), ALT, "p.png", actor_id=None)
    assert flat.content_type == "image/png"  # a diagram stays sharp
    assert noisy.content_type == "image/jpeg"  # a photograph saved as PNG shrinks
    see_through = Image.new("RGBA", (50, 50), (10, 20, 30, 255))  # alpha, all opaque
    solid = store_image(tiny_course.id, encoded(see_through, "PNG"), ALT, "s.png",
                        actor_id=None)
    assert stored(solid.data).mode == "RGB"


def test_webp_stays_webp_and_a_gif_gives_its_first_frame_as_png(tiny_course):
    webp = store_image(tiny_course.id, encoded(photo(), "WEBP"), ALT, "a.webp", actor_id=None)
    assert webp.content_type == "image/webp" and stored(webp.data).format == "WEBP"
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "lime", "blue")]
    animated = io.BytesIO()
    frames[0].save(animated, "GIF", save_all=True, append_images=frames[1:], duration=100)
    gif = store_image(tiny_course.id, animated.getvalue(), ALT, "moving.gif", actor_id=None)
    output = stored(gif.data)
    assert gif.content_type == "image/png" and output.format == "PNG"
    assert getattr(output, "n_frames", 1) == 1 and output.getpixel((5, 5))[:3] == (255, 0, 0)
    assert gif.filename.endswith(".png")


def test_a_big_image_is_shrunk_to_2000_pixels_on_its_long_side(tiny_course):
    smooth = Image.radial_gradient("L").resize((4200, 2100)).convert("RGB")
    media = store_image(tiny_course.id, encoded(smooth, "JPEG"), ALT, "w.jpg", actor_id=None)
    assert (media.width, media.height) == (2000, 1000) == stored(media.data).size
    tall = store_image(tiny_course.id, encoded(diagram((500, 3000)), "PNG"), ALT, "t.png",
                       actor_id=None)
    assert (tall.width, tall.height) == (333, 2000)


def test_the_filename_is_derived_and_safe(tiny_course):
    evil = store_image(tiny_course.id, encoded(diagram(), "PNG"), ALT,
                       '../../etc/"pass wd"<script>.svg', actor_id=None)
    assert evil.filename == f"pass-wd-script-{evil.sha256[:8]}.png"
    thai = store_image(tiny_course.id, encoded(photo(), "JPEG"), ALT, "แผนที่ เส้นทาง.PNG",
                       actor_id=None)
    assert thai.filename == f"แผนที่-เส้นทาง-{thai.sha256[:8]}.jpg"
    nameless = store_image(tiny_course.id, encoded(photo(), "WEBP"), ALT, "", actor_id=None)
    assert nameless.filename == f"image-{nameless.sha256[:8]}.webp"


def test_colour_profiles_and_odd_modes_come_out_as_plain_srgb(tiny_course):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    tagged = store_image(tiny_course.id, encoded(photo(), "JPEG", icc_profile=srgb), ALT,
                         "tagged.jpg", actor_id=None)
    assert "icc_profile" not in stored(tagged.data).info
    cmyk = store_image(tiny_course.id, encoded(photo(mode="CMYK"), "JPEG"), ALT, "print.jpg",
                       actor_id=None)
    assert stored(cmyk.data).mode == "RGB"
    grey16 = Image.new("I;16", (60, 40), 32768)  # half of 65,535: mid grey, not white
    grey = store_image(tiny_course.id, encoded(grey16, "PNG"), ALT, "scan.png", actor_id=None)
    assert 120 <= stored(grey.data).convert("L").getpixel((1, 1)) <= 135


# -- the same picture twice ---------------------------------------------------------------
def test_the_same_picture_twice_in_a_course_is_stored_once(tiny_course, instructor):
    data = encoded(photo(), "JPEG")
    first = store_image(tiny_course.id, data, ALT, "one.jpg", actor_id=instructor.id)
    db.session.commit()
    again = store_image(tiny_course.id, data, "Another description", "two.jpg",
                        actor_id=instructor.id)
    db.session.commit()
    assert again.id == first.id and again.alt_text == ALT
    assert media_rows() == 1 and upload_events() == 1
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "media.uploaded"))
    assert event.actor_id == instructor.id and event.target_id == first.id
    assert event.data["course_id"] == tiny_course.id and event.data["sha256"] == first.sha256


def test_only_metadata_apart_is_the_same_picture(tiny_course):
    picture = photo()
    exif = Image.Exif()
    exif[0x010F] = "Camera A"
    plain = store_image(tiny_course.id, encoded(picture, "PNG"), ALT, "a.png", actor_id=None)
    tagged = store_image(tiny_course.id, encoded(picture, "PNG", exif=exif.tobytes()), ALT,
                         "b.png", actor_id=None)
    assert plain.id == tagged.id and media_rows() == 1


def test_another_course_keeps_its_own_copy(tiny_course):
    other = Course(slug="other-course", title="Other", cpd_hours=1, content_hash="0" * 64)
    db.session.add(other)
    db.session.flush()
    data = encoded(diagram(), "PNG")
    mine = store_image(tiny_course.id, data, ALT, "a.png", actor_id=None)
    theirs = store_image(other.id, data, ALT, "a.png", actor_id=None)
    assert mine.id != theirs.id and mine.sha256 == theirs.sha256 and media_rows() == 2


def test_a_lost_race_returns_the_winner_without_a_second_event(tiny_course, monkeypatch):
    data = encoded(diagram(), "PNG")
    winner = store_image(tiny_course.id, data, ALT, "a.png", actor_id=None)
    db.session.commit()
    real_find, calls = media_module._find, []

    def find_late(course_id, sha256):  # the other request committed after our look
        calls.append(1)
        return None if len(calls) == 1 else real_find(course_id, sha256)

    monkeypatch.setattr(media_module, "_find", find_late)
    loser = store_image(tiny_course.id, data, ALT, "a.png", actor_id=None)
    db.session.commit()
    assert loser.id == winner.id and media_rows() == 1 and upload_events() == 1


# -- what is refused, with nothing written --------------------------------------------------
def _half_a_png() -> bytes:
    data = encoded(photo((200, 200)), "PNG")
    return data[: len(data) // 2]


@pytest.mark.parametrize(("content", "expected"), [
    (lambda: b"", "empty"),
    (lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "not accepted as images"),
    (lambda: b"<!doctype html><script>alert(document.cookie)</script>", "not accepted as images"),
    (lambda: b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>'
     b"alert(1)</script></svg>", "not accepted as images"),
    (lambda: b'\xef\xbb\xbf  <svg onload="alert(1)"/>', "not accepted as images"),
    (lambda: encoded(diagram(), "BMP"), "kind of image is not accepted"),
    (lambda: encoded(diagram(), "TIFF"), "kind of image is not accepted"),
    (lambda: os.urandom(2048), "not an image"),
    (_half_a_png, "damaged"),
], ids=["empty", "pdf", "html", "svg", "svg-with-bom", "bmp", "tiff", "noise", "truncated"])
def test_what_is_not_a_usable_image_is_refused_whatever_its_name(tiny_course, content,
                                                                    expected):
    assert expected in refused(tiny_course.id, content(), name="photo.png")


def test_a_file_over_the_cap_is_refused(app, tiny_course, monkeypatch):
    data = encoded(photo((200, 200)), "PNG")
    monkeypatch.setitem(app.config, "MEDIA_MAX_BYTES", len(data) - 1)
    assert "larger than" in refused(tiny_course.id, data)


@pytest.mark.parametrize("size", [(100_000, 100_000), (8000, 6000)],
                         ids=["pillow-bomb-guard", "over-40-megapixels"])
def test_a_decompression_bomb_is_refused_before_decoding(tiny_course, size):
    bomb = png_claiming(*size)
    assert len(bomb) < 200
    assert "too many pixels" in refused(tiny_course.id, bomb)


def test_the_pixel_limit_follows_the_configuration(app, tiny_course, monkeypatch):
    monkeypatch.setitem(app.config, "MEDIA_MAX_PIXELS", 300 * 200 - 1)
    assert "too many pixels" in refused(tiny_course.id, encoded(diagram((300, 200)), "PNG"))


@pytest.mark.parametrize(("alt", "expected"), [
    ("", "Describe the image"), ("   \n\t ", "Describe the image"),
    ("x" * 301, "300 characters"), ("a map\x00", "control characters"),
    ("a\x07bell", "control characters"),
])
def test_alt_text_is_required_short_and_clean(tiny_course, alt, expected):
    assert expected in refused(tiny_course.id, encoded(diagram(), "PNG"), alt=alt)


def test_alt_text_is_kept_on_one_line(tiny_course):
    media = store_image(tiny_course.id, encoded(diagram(), "PNG"), "  a map\n of\tthe route ",
                        "a.png", actor_id=None)
    assert media.alt_text == "a map of the route"
    long_thai = "ก" * 300
    assert store_image(tiny_course.id, encoded(photo(), "PNG"), long_thai, "b.png",
                       actor_id=None).alt_text == long_thai


# -- Markdown -------------------------------------------------------------------------------
def test_markdown_for_escapes_the_alt_text_and_names_the_address(tiny_course):
    alt = r"Figure [1]: *not* emphasis, `code`, <b>bold</b> & \ backslash ![x](y)"
    media = store_image(tiny_course.id, encoded(diagram(), "PNG"), alt, "fig.png",
                        actor_id=None)
    snippet = markdown_for(media)
    assert snippet.endswith(f"](/media/{media.id}/{media.filename})")
    images = rendered_images(MarkdownIt("commonmark").render(snippet))
    assert images == [{"src": f"/media/{media.id}/{media.filename}", "alt": alt}]
    assert media_ids_in(snippet) == {media.id}


def test_media_ids_in_finds_what_the_renderer_shows():
    text = "\n".join([
        "![a](/media/3/a-1234abcd.png) and [the full picture](/media/4/b.jpg)",
        "![ref][pic]", "", "[pic]: /media/5/c.webp", "",
        "`![in code](/media/6/d.png)`", "", "    ![indented code](/media/7/e.png)", "",
        "![elsewhere](/static/8/f.png) ![far](/media/99999999999/g.png)",
        "![absolute](https://lms.example.org/media/9/h.png)",
        "| a | b |", "|---|---|", "| ![cell](/media/10/i.png) | x |",
    ])
    assert media_ids_in(text) == {3, 4, 5, 9, 10}
    assert media_ids_in("") == set()


# -- serving --------------------------------------------------------------------------------
@pytest.fixture
def picture(tiny_course):
    media = store_image(tiny_course.id, encoded(photo(), "JPEG"), ALT, "route map.jpg",
                        actor_id=None)
    db.session.commit()
    return media


def test_an_image_is_served_inert_to_anyone_and_a_repeat_visit_gets_a_304(client, picture):
    url = f"/media/{picture.id}/{picture.filename}"
    response = client.get(url)
    assert response.status_code == 200 and response.data == picture.data
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == f'inline; filename="{picture.filename}"'
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["ETag"] == f'"{picture.sha256}"'
    assert "Set-Cookie" not in response.headers
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == response.headers["ETag"]
    assert "immutable" in again.headers["Cache-Control"]
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_non_ascii_name_is_given_both_ways(client, tiny_course):
    media = store_image(tiny_course.id, encoded(diagram(), "PNG"), ALT, "แผนที่.png",
                        actor_id=None)
    db.session.commit()
    disposition = client.get(f"/media/{media.id}/{media.filename}").headers[
        "Content-Disposition"]
    assert disposition.startswith(f'inline; filename="image-{media.sha256[:8]}.png"; ')
    assert "filename*=UTF-8''%E0%B9%81%E0%B8%9C" in disposition  # แผ…
    assert disposition.isascii()


def test_a_wrong_filename_or_unknown_id_is_404(client, picture):
    for url in (f"/media/{picture.id}/other.jpg", f"/media/{picture.id}/",
                f"/media/{picture.id}/{picture.filename.upper()}",
                f"/media/{picture.id + 1}/{picture.filename}",
                f"/media/9999999999/{picture.filename}"):
        assert client.get(url).status_code == 404, url


def test_an_archived_course_shows_its_images_to_its_editors_only(app, client, picture,
                                                                  tiny_course, admin, learner):
    tiny_course.archived_at = utcnow()  # e.g. a studio course not yet published
    db.session.commit()
    url = f"/media/{picture.id}/{picture.filename}"
    assert client.get(url).status_code == 404
    login(client, learner)
    assert client.get(url).status_code == 404
    editor = app.test_client()
    login(editor, admin)
    response = editor.get(url)
    assert response.status_code == 200 and response.data == picture.data
    assert response.headers["Cache-Control"] == "private, no-cache"


# -- the form -------------------------------------------------------------------------------
def _form(app, **data):
    with app.test_request_context(method="POST"):
        form = ImageUploadForm(formdata=MultiDict(data), meta={"csrf": False})
        return form.validate(), form.errors


def test_the_upload_form_needs_a_file_and_a_short_description(app):
    def file():
        return FileStorage(io.BytesIO(b"x"), filename="a.png")

    assert _form(app, image=file(), alt_text="  A map  ") == (True, {})
    assert list(_form(app, alt_text="A map")[1]) == ["image"]
    assert list(_form(app, image=file(), alt_text="   ")[1]) == ["alt_text"]
    assert "300 characters" in _form(app, image=file(), alt_text="x" * 301)[1]["alt_text"][0]


def test_refusals_speak_thai(app, tiny_course, monkeypatch):
    from flask_babel import force_locale

    monkeypatch.setitem(app.config, "MEDIA_MAX_BYTES", 1024 * 1024 // 2)
    with app.test_request_context(), force_locale("th"):
        with pytest.raises(DomainError) as empty:
            store_image(tiny_course.id, b"", ALT, "a.png", actor_id=None)
        with pytest.raises(DomainError) as large:
            store_image(tiny_course.id, b"x" * 600_000, ALT, "a.png", actor_id=None)
    assert empty.value.message == "ไฟล์นี้ว่างเปล่า กรุณาเลือกรูปภาพที่จะอัปโหลด"
    assert large.value.message == "ไฟล์มีขนาดใหญ่กว่า 0.5 MB กรุณาอัปโหลดรูปภาพที่เล็กกว่านี้"
