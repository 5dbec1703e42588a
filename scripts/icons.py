"""Draw the app's icons with Pillow: the coral disc with a cream 1 on ink, plain and maskable."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "pwa" / "static" / "icons"
INK, CORAL, CREAM = "#1C2541", "#E4572E", "#FAF3E6"
FONT = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"


def icon(size: int, maskable: bool) -> Image.Image:
    """One icon; a maskable one keeps its mark inside the central safe circle (80%)."""
    image = Image.new("RGB", (size, size), INK)
    draw = ImageDraw.Draw(image)
    radius = size * (0.30 if maskable else 0.36)
    centre = size / 2
    draw.ellipse((centre - radius, centre - radius, centre + radius, centre + radius), fill=CORAL)
    font = ImageFont.truetype(FONT, int(radius * 1.25))
    draw.text((centre, centre), "1", font=font, fill=CREAM, anchor="mm")
    return image


def main() -> None:
    """Write the PNG icons the manifest names."""
    for size in (192, 512):
        icon(size, False).save(OUT / f"icon-{size}.png", optimize=True)
        icon(size, True).save(OUT / f"maskable-{size}.png", optimize=True)
    icon(180, False).save(OUT / "apple-touch-icon.png", optimize=True)
    print(f"Wrote icons to {OUT}.")


if __name__ == "__main__":
    main()
