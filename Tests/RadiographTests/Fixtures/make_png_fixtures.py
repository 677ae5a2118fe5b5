#!/usr/bin/env python3
"""Writes the tiny image fixtures used by ImageFileTests.swift (run from anywhere; idempotent).

PNGs are built by hand with zlib + struct only, so every byte is known. The two JPEGs need Pillow
(`apt-get install python3-pil`); without it they are left as they are. Pixel values here are
repeated in ImageFileTests.swift: change both together.
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(name, width, height, bit_depth, colour_type, rows, extra_chunks=()):
    """rows: a list of already packed scanlines (bytes, without the filter byte)."""
    raw = b"".join(b"\x00" + row for row in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    for kind, payload in extra_chunks:
        data += chunk(kind, payload)
    data += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def bytes8(*values):
    return bytes(values)


def words16(*values):
    return struct.pack(">%dH" % len(values), *values)


# Colour type 2 (RGB), 8 bits: grays, then primaries and an orange.
png("rgb8.png", 4, 2, 8, 2, [
    bytes8(0, 0, 0, 255, 255, 255, 128, 128, 128, 37, 37, 37),
    bytes8(255, 0, 0, 0, 255, 0, 0, 0, 255, 200, 100, 50),
])

# Colour type 6 (RGBA), 8 bits: opaque gray, transparent gray, half-transparent white, opaque green.
png("rgba8.png", 4, 1, 8, 6, [
    bytes8(90, 90, 90, 255, 90, 90, 90, 0, 255, 255, 255, 128, 10, 200, 30, 255),
])

# Colour type 3 (palette), 2 bits per pixel, four entries: black, dark gray, light gray, red.
palette = bytes8(0, 0, 0, 64, 64, 64, 200, 200, 200, 255, 0, 0)
png("palette2.png", 4, 2, 2, 3, [
    bytes8(0b00011011),  # indices 0 1 2 3
    bytes8(0b11100100),  # indices 3 2 1 0
], extra_chunks=[(b"PLTE", palette)])

# Colour type 4 (gray + alpha), 8 bits: (200, opaque), (200, transparent), (100, half).
png("gray_alpha8.png", 3, 1, 8, 4, [bytes8(200, 255, 200, 0, 100, 128)])

# Colour type 2 (RGB), 16 bits, gray colours only: must come back as exact 16-bit grays.
png("rgb16.png", 2, 2, 16, 2, [
    words16(1000, 1000, 1000, 65535, 65535, 65535),
    words16(0, 0, 0, 40000, 40000, 40000),
])

# 16-bit gray with a gAMA chunk of 1/2.2 (written so by many tools): the stored samples are what a
# radiograph means, so they must come back unchanged.
png("gray16_gamma.png", 4, 1, 16, 0, [words16(0, 1000, 30000, 65535)],
    extra_chunks=[(b"gAMA", struct.pack(">I", 45455))])

# 8-bit gray with gAMA 1.0 (linear): again the samples must come back unchanged.
png("gray8_gamma1.png", 4, 1, 8, 0, [bytes8(0, 64, 128, 255)],
    extra_chunks=[(b"gAMA", struct.pack(">I", 100000))])

try:
    from PIL import Image
except ImportError:
    print("Pillow is missing: JPEG fixtures left unchanged")
else:
    # Gray JPEG 16×8: two flat 8×8 blocks (60 and 190), which JPEG keeps within a level or two.
    gray = Image.new("L", (16, 8))
    gray.paste(60, (0, 0, 8, 8))
    gray.paste(190, (8, 0, 16, 8))
    gray.save(os.path.join(HERE, "gray.jpg"), quality=95)
    # Colour JPEG 32×32: four flat 16×16 blocks (one chroma-subsampled MCU each).
    colour = Image.new("RGB", (32, 32))
    colour.paste((255, 0, 0), (0, 0, 16, 16))
    colour.paste((0, 255, 0), (16, 0, 32, 16))
    colour.paste((0, 0, 255), (0, 16, 16, 32))
    colour.paste((128, 128, 128), (16, 16, 32, 32))
    colour.save(os.path.join(HERE, "colour.jpg"), quality=95)

for name in sorted(os.listdir(HERE)):
    if not name.endswith(".py"):
        size = os.path.getsize(os.path.join(HERE, name))
        assert size < 2048, f"{name} is {size} bytes; fixtures must stay under 2 KB"
        print(f"{name}: {size} bytes")
