"""Builds the Microsoft Teams app package (manifest.json + two icons, zipped) for `make teams-package`.

The manifest is bot/teams/manifest.template.json filled from the environment; the icons are drawn here
(a white cross on the accent colour, 192×192; a white cross outline on transparency, 32×32), so no binary
file lives in the repository. Upload the zip in Teams (Apps → Manage your apps → Upload an app).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "bot" / "teams" / "manifest.template.json"
DEFAULT_OUT = ROOT / "var" / "teams" / "guichet-teams.zip"
ACCENT = (0x1F, 0x4E, 0x79)
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

Pixel = tuple[int, int, int, int]


def png(size: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An RGBA PNG of size×size whose pixels come from pixel(x, y)."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(size)) for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def in_cross(x: float, y: float, size: int, arm: float, reach: float) -> bool:
    c = size / 2
    return (abs(x - c) <= arm and abs(y - c) <= reach) or (abs(y - c) <= arm and abs(x - c) <= reach)


def color_icon() -> bytes:
    white, accent = (255, 255, 255, 255), (*ACCENT, 255)
    return png(192, lambda x, y: white if in_cross(x + 0.5, y + 0.5, 192, 20, 62) else accent)


def outline_icon() -> bytes:
    """White outline of the cross on a transparent background, as Teams requires for the 32×32 icon."""

    def pixel(x: int, y: int) -> Pixel:
        px, py = x + 0.5, y + 0.5
        edge = in_cross(px, py, 32, 5, 13) and not in_cross(px, py, 32, 3.5, 11.5)
        return (255, 255, 255, 255) if edge else (0, 0, 0, 0)

    return png(32, pixel)


def manifest(env: Mapping[str, str]) -> dict:
    """The manifest from the environment; SystemExit with a clear message when a setting is missing or wrong."""
    app_id = env.get("TEAMS_APP_ID", "").strip()
    public = env.get("GUICHET_PUBLIC_URL", "").strip().rstrip("/")
    if not GUID.match(app_id):
        raise SystemExit("TEAMS_APP_ID must be the bot's Microsoft App ID (a GUID, from the Azure Bot resource)")
    parts = urlsplit(public)
    if parts.scheme != "https" or not parts.hostname:
        raise SystemExit("GUICHET_PUBLIC_URL must be the public https address of Guichet (e.g. https://guichet.example.fr)")
    values = {
        "app_id": app_id,
        "version": env.get("TEAMS_APP_VERSION", "1.0.0"),
        "developer": env.get("TEAMS_DEVELOPER_NAME", "Guichet santé numérique"),
        "website_url": public + "/",
        "privacy_url": env.get("TEAMS_PRIVACY_URL", public + "/"),
        "terms_url": env.get("TEAMS_TERMS_URL", public + "/"),
        "public_host": parts.hostname,
    }
    escaped = {k: json.dumps(v)[1:-1] for k, v in values.items()}
    return json.loads(Template(TEMPLATE.read_text(encoding="utf-8")).substitute(escaped))


def build(out: Path, env: Mapping[str, str]) -> Path:
    data = json.dumps(manifest(env), ensure_ascii=False, indent=2).encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", data)
        z.writestr("color.png", color_icon())
        z.writestr("outline.png", outline_icon())
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    path = build(args.out, os.environ)
    sys.stdout.write(f"Teams app package written to {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
