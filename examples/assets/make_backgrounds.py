#!/usr/bin/env python3
"""Draws the demo school's certificate backgrounds and pictures.

Run once (needs python3-pil); the outputs are committed, this script is
kept so a school can see how they were made and adapt them.
  swim-background.jpg          A4 landscape, 150 dpi: water, waves, border, emblem
  first-aid-background.jpg     A4 portrait, 150 dpi: clean border, green cross band
  encouragement-background.jpg US Letter landscape, 150 dpi: warm sky and stars
  star-badge.png               small badge with alpha (PNG pass of the renderer)
  signature.png                a teacher's signature with alpha
"""
import math
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

DPI = 150
PT = DPI / 72.0
SERIF_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def lerp(a, b, t):
    return tuple(int(round(a[i] + (b[i] - a[i]) * t)) for i in range(3))


def vertical_gradient(size, top, bottom):
    w, h = size
    img = Image.new("RGB", size)
    d = ImageDraw.Draw(img)
    for y in range(h):
        d.line([(0, y), (w, y)], fill=lerp(top, bottom, y / (h - 1)))
    return img


def double_border(d, w, h, inset, color, width=6):
    d.rectangle([inset, inset, w - inset, h - inset], outline=color, width=width)
    i2 = inset + 14
    d.rectangle([i2, i2, w - i2, h - i2], outline=color, width=2)


def corner_ornaments(d, w, h, inset, color):
    for cx, cy in [(inset, inset), (w - inset, inset), (inset, h - inset), (w - inset, h - inset)]:
        d.ellipse([cx - 16, cy - 16, cx + 16, cy + 16], fill=color)
        d.ellipse([cx - 8, cy - 8, cx + 8, cy + 8], fill=(255, 255, 255))


def wave_band(img, base_y, amplitude, wavelength, color, phase):
    w, h = img.size
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    points = [(0, h)]
    for x in range(0, w + 8, 8):
        y = base_y + amplitude * math.sin(2 * math.pi * x / wavelength + phase)
        y += amplitude * 0.35 * math.sin(2 * math.pi * x / (wavelength * 0.43) + phase * 1.7)
        points.append((x, y))
    points.append((w, h))
    d.polygon(points, fill=color)
    img.paste(layer, (0, 0), layer)


def emblem(d, cx, cy, r, navy, aqua):
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(255, 255, 255), outline=navy, width=6)
    d.ellipse([cx - r + 14, cy - r + 14, cx + r - 14, cy + r - 14], outline=aqua, width=3)
    for k, dy in enumerate((-10, 14, 38)):
        pts = []
        for x in range(-r + 30, r - 29, 4):
            pts.append((cx + x, cy + dy + 8 * math.sin(x / 12.0 + k)))
        d.line(pts, fill=aqua if k % 2 else navy, width=7, joint="curve")
    font = ImageFont.truetype(SANS_BOLD, 19)
    d.text((cx, cy - r * 0.45), "RIVERSIDE", font=font, fill=navy, anchor="mm")


def swim_background():
    w, h = int(841.89 * PT), int(595.276 * PT)
    img = vertical_gradient((w, h), (252, 254, 255), (214, 240, 250))
    # Sunlight caustics: soft light streaks under the surface.
    light = Image.new("RGBA", img.size, (255, 255, 255, 0))
    ld = ImageDraw.Draw(light)
    rnd = random.Random(3)
    for _ in range(70):
        x = rnd.randint(0, w)
        y = rnd.randint(int(h * 0.55), h)
        ld.ellipse([x - 60, y - 10, x + 60, y + 10], fill=(255, 255, 255, 90))
    light = light.filter(ImageFilter.GaussianBlur(6))
    wave_band(img, h * 0.80, 16, 520, (120, 205, 235, 150), 0.0)
    wave_band(img, h * 0.84, 14, 430, (60, 170, 220, 170), 1.3)
    wave_band(img, h * 0.89, 12, 360, (25, 120, 190, 200), 2.1)
    wave_band(img, h * 0.94, 10, 300, (14, 74, 140, 230), 0.4)
    img.paste(light, (0, 0), light)
    d = ImageDraw.Draw(img)
    navy, aqua = (18, 52, 99), (32, 150, 200)
    double_border(d, w, h, int(22 * PT), navy)
    corner_ornaments(d, w, h, int(22 * PT), navy)
    # Lane rope along the top.
    y = int(58 * PT)
    for i, x in enumerate(range(int(150 * PT), int(w - 150 * PT), 26)):
        color = (214, 40, 57) if (i // 6) % 2 == 0 else (255, 255, 255)
        d.ellipse([x - 9, y - 9, x + 9, y + 9], fill=color, outline=(180, 190, 200))
    emblem(d, w // 2, int(112 * PT), 92, navy, aqua)
    return img


def first_aid_background():
    w, h = int(595.276 * PT), int(841.89 * PT)
    img = vertical_gradient((w, h), (255, 255, 253), (244, 248, 244))
    d = ImageDraw.Draw(img)
    green, dark = (0, 122, 77), (22, 60, 45)
    band = int(120 * PT)
    d.rectangle([0, 0, w, band], fill=green)
    for i in range(0, w, 6):
        d.line([(i, band), (i + 40, band + 10)], fill=(0, 100, 64), width=1)
    d.rectangle([0, band, w, band + 8], fill=(255, 196, 0))
    cx, cy, s = w // 2, band // 2, 46
    d.rounded_rectangle([cx - s * 1.5, cy - s * 1.5, cx + s * 1.5, cy + s * 1.5], radius=24, fill=(255, 255, 255))
    d.rectangle([cx - s * 0.45, cy - s * 1.15, cx + s * 0.45, cy + s * 1.15], fill=green)
    d.rectangle([cx - s * 1.15, cy - s * 0.45, cx + s * 1.15, cy + s * 0.45], fill=green)
    # Faint cross watermark in the middle of the page.
    mark = Image.new("RGBA", img.size, (0, 122, 77, 0))
    md = ImageDraw.Draw(mark)
    cx, cy, s = w // 2, int(h * 0.58), 260
    md.rectangle([cx - s * 0.35, cy - s, cx + s * 0.35, cy + s], fill=(0, 122, 77, 14))
    md.rectangle([cx - s, cy - s * 0.35, cx + s, cy + s * 0.35], fill=(0, 122, 77, 14))
    img.paste(mark, (0, 0), mark)
    d = ImageDraw.Draw(img)
    d.rectangle([int(24 * PT), band + int(20 * PT), w - int(24 * PT), h - int(24 * PT)], outline=dark, width=3)
    d.rectangle([0, h - int(14 * PT), w, h], fill=green)
    return img


def star(d, cx, cy, r, color, points=5, inner=0.45, rotation=-math.pi / 2):
    pts = []
    for k in range(points * 2):
        rr = r if k % 2 == 0 else r * inner
        a = rotation + k * math.pi / points
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    d.polygon(pts, fill=color)


def encouragement_background():
    w, h = int(792 * PT), int(612 * PT)
    img = vertical_gradient((w, h), (255, 249, 236), (255, 232, 214))
    d = ImageDraw.Draw(img)
    rnd = random.Random(11)
    palette = [(255, 183, 3), (251, 133, 0), (142, 202, 230), (33, 158, 188), (239, 71, 111)]
    for _ in range(90):
        x, y = rnd.randint(0, w), rnd.randint(0, h)
        if int(70 * PT) < x < w - int(70 * PT) and int(70 * PT) < y < h - int(70 * PT):
            continue
        star(d, x, y, rnd.randint(8, 26), rnd.choice(palette), rotation=rnd.random() * math.pi)
    for _ in range(140):
        x, y = rnd.randint(0, w), rnd.randint(0, h)
        if int(70 * PT) < x < w - int(70 * PT) and int(70 * PT) < y < h - int(70 * PT):
            continue
        d.ellipse([x - 4, y - 4, x + 4, y + 4], fill=rnd.choice(palette))
    inset = int(40 * PT)
    d.rounded_rectangle([inset, inset, w - inset, h - inset], radius=40, outline=(251, 133, 0), width=8)
    d.rounded_rectangle([inset + 16, inset + 16, w - inset - 16, h - inset - 16], radius=30,
                        outline=(255, 183, 3), width=3)
    # Ribbon banner behind the title.
    ry, rh = int(128 * PT), int(48 * PT)
    d.polygon([(w * 0.18, ry), (w * 0.82, ry), (w * 0.80, ry + rh / 2), (w * 0.82, ry + rh),
               (w * 0.18, ry + rh), (w * 0.20, ry + rh / 2)], fill=(239, 71, 111))
    return img


def star_badge():
    s = 4
    size = 180 * s
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    c = size // 2
    for k in range(24):
        a = k * math.pi / 12
        d.polygon([(c, c), (c + c * math.cos(a - 0.09), c + c * math.sin(a - 0.09)),
                   (c + c * math.cos(a + 0.09), c + c * math.sin(a + 0.09))], fill=(255, 183, 3, 255))
    d.ellipse([c * 0.18, c * 0.18, size - c * 0.18, size - c * 0.18], fill=(251, 133, 0, 255))
    d.ellipse([c * 0.28, c * 0.28, size - c * 0.28, size - c * 0.28], fill=(255, 255, 255, 255))
    star(d, c, c * 1.04, c * 0.58, (255, 183, 3, 255))
    return img.resize((180, 180), Image.LANCZOS)


def signature():
    s = 4
    w, h = 260 * s, 90 * s
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    pts = []
    for i in range(400):
        t = i / 399.0
        x = 20 * s + t * (w - 50 * s)
        y = h * 0.55 - 22 * s * math.sin(t * 13.0) * (1 - t * 0.6) - 10 * s * math.sin(t * 31.0) * t
        pts.append((x, y))
    d.line(pts, fill=(20, 40, 90, 255), width=3 * s, joint="curve")
    d.line([(30 * s, h * 0.8), (w - 40 * s, h * 0.74)], fill=(20, 40, 90, 255), width=2 * s)
    return img.resize((260, 90), Image.LANCZOS)


if __name__ == "__main__":
    swim_background().save("swim-background.jpg", quality=80, optimize=True, dpi=(DPI, DPI))
    first_aid_background().save("first-aid-background.jpg", quality=80, optimize=True, dpi=(DPI, DPI))
    encouragement_background().save("encouragement-background.jpg", quality=80, optimize=True, dpi=(DPI, DPI))
    star_badge().save("star-badge.png", optimize=True)
    signature().save("signature.png", optimize=True)
