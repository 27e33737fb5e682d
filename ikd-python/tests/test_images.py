"""Reading QR codes from image bytes (ikd.scan), then verifying what was read."""

import json
import struct
import zlib

import ikd
import pytest

from conftest import CASES, CASES_DIR, now_of

IMAGE_CASES = [c for c in CASES if c["input"].get("png")]


def test_there_are_image_cases():
    assert IMAGE_CASES


@pytest.mark.parametrize("c", IMAGE_CASES, ids=[c["name"] for c in IMAGE_CASES])
def test_image_vector(c):
    png = (CASES_DIR / c["input"]["png"]).read_bytes()
    codes = ikd.scan(png)
    assert [x["text"] for x in codes] == [c["input"]["qr_text"]]
    assert codes[0]["is_ikd"] and codes[0]["bytes"] == c["input"]["qr_text"].encode()
    view = ikd.Verifier(json.dumps(c["trust_store"])).verify(codes[0]["text"], now_of(c))
    assert (view["verdict"], view["code"]) == (c["expected"]["verdict"], c["expected"]["code"])


def blank_png(width=64, height=64):
    """A white grayscale PNG, made without an image library."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def test_an_image_without_a_code_is_no_qr_found():
    with pytest.raises(ikd.IkdError) as e:
        ikd.scan(blank_png())
    assert e.value.code == "no_qr_found"


def test_bytes_that_are_no_image_are_image_unsupported_format():
    with pytest.raises(ikd.IkdError) as e:
        ikd.scan(b"this is not an image")
    assert e.value.code == "image_unsupported_format"


def test_a_cut_png_is_image_corrupt():
    png = (CASES_DIR / IMAGE_CASES[0]["input"]["png"]).read_bytes()
    with pytest.raises(ikd.IkdError) as e:
        ikd.scan(png[: len(png) // 2])
    assert e.value.code == "image_corrupt"


def test_an_image_too_wide_is_refused_before_decoding():
    with pytest.raises(ikd.IkdError) as e:
        ikd.scan(blank_png(9000, 1))
    assert e.value.code == "image_dimensions_too_large"


def test_messages_follow_lang():
    with pytest.raises(ikd.IkdError) as id_:
        ikd.scan(b"x")
    with pytest.raises(ikd.IkdError) as en:
        ikd.scan(b"x", lang="en")
    assert id_.value.message != en.value.message
    assert str(en.value) == en.value.message
