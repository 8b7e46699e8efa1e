"""Demo images drawn with Pillow: no downloads, no fonts needed."""

import colorsys
import io
import random

from PIL import Image, ImageDraw


def draw_poster(*, seed, size=(1200, 675)):
    """A flat, poster-like picture: a gradient, a safety stripe and a few shapes. Returns PNG bytes."""
    rng = random.Random(seed)
    width, height = size
    hue = rng.random()
    top = tuple(int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.55, 0.85))
    bottom = tuple(int(c * 255) for c in colorsys.hsv_to_rgb((hue + 0.08) % 1, 0.75, 0.45))
    image = Image.new("RGB", size, top)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    stripe = height // 10
    for x in range(-height, width, stripe * 2):
        draw.polygon(
            [(x, height - stripe), (x + stripe, height - stripe), (x + 2 * stripe, height), (x + stripe, height)],
            fill=(250, 204, 21),
        )
    for _ in range(6):
        r = rng.randint(height // 12, height // 4)
        cx, cy = rng.randint(0, width), rng.randint(0, height - stripe)
        shade = rng.choice([(255, 255, 255), (255, 240, 200), (40, 40, 40)])
        if rng.random() < 0.5:
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=shade, width=max(4, r // 8))
        else:
            draw.regular_polygon((cx, cy, r), n_sides=3, outline=shade, width=max(4, r // 8))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
