"""The QR code of an entity's public page, drawn on the server as SVG (no image library, nothing from outside).

Error correction M (15 %): a poster at a venue gets scuffed. The SVG is a single path of the dark
modules with no colour of its own (black); the page puts it on the theme's light background.
"""

from __future__ import annotations

import base64

import qrcode
import qrcode.constants
import qrcode.image.svg

BORDER = 4  # the quiet zone the QR standard asks for, in modules


def public_url(base: str, token: str) -> str:
    """The absolute URL a phone opens: base (WEIJIAN_PUBLIC_BASE_URL, or the request's host) + /public/<token>."""
    return f"{base.rstrip('/')}/public/{token}"


def _code(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=BORDER,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(url)
    code.make(fit=True)
    return code


def svg(url: str) -> str:
    """The code as an SVG document (viewBox in modules, quiet zone included)."""
    return _code(url).make_image().to_string(encoding="unicode")


def data_uri(url: str) -> str:
    """The SVG as a data: URI for an <img>: no inline markup in the page, no extra request."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg(url).encode()).decode("ascii")
