"""Issue 5's acceptance in headless Chromium: the agenda, a call sheet and a formal notice as
people see them. Each is rendered, kept as a PNG in test-artifacts/ (gitignored, never in
git) and checked for what would make it look wrong: a blank or near-blank image, a key
element missing or cut off, a page wider than the phone or desktop window it is shown in,
the debtor's address outside the window of the envelope."""

from __future__ import annotations

import io
from datetime import date
from functools import cache
from pathlib import Path

import numpy
import pytest
from django.utils import timezone
from PIL import Image, ImageFont, ImageStat
from pypdf import PdfReader

from relance.letters.documents import letter_pdf, recipient_lines
from relance.letters.tests.factories import addressed, letterhead, make_letter
from relance.team.models import Role

from .factories import World, make_call
from .test_agenda import make_work

WIDTHS = (390, 1280)  # a phone held upright, a laptop


def log_in(page, live_server, user) -> None:
    user.set_password("secret-pass-1")
    user.save()
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "secret-pass-1")
    page.click(".login-form button[type=submit]")
    page.wait_for_load_state()


def assert_drawn(path) -> None:
    """Not blank: enough contrast and enough different colours for text and tables."""
    image = Image.open(path).convert("RGB")
    spread = ImageStat.Stat(image.convert("L")).stddev[0]
    colours = image.getcolors(maxcolors=1 << 18)
    assert spread > 20, f"{path.name}: almost uniform (grey-level spread {spread:.1f})"
    assert colours is None or len(colours) > 64, f"{path.name}: only {len(colours)} colours"


def assert_fits(page, width: int) -> None:
    """Nothing wider than the window: no sideways scrolling of the whole page."""
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} at {width}px: the page is {scroll}px wide"


def assert_shown(page, selector: str, width: int) -> None:
    """The element is there, has a size and is not cut off by the window's right edge."""
    box = page.locator(selector).first.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0, f"{selector}: not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, f"{selector}: cut off {box}"


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_the_agenda_and_a_call_sheet_look_right(
    page, artifacts_dir, live_server, transactional_db, width
):
    world = World()
    world.contact.phone = "01 23 45 67 89"
    world.contact.save()
    make_work(world.customer)
    call = make_call(world.customer, "3450.50", 32)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, world.user(Role.COLLECTOR))

    page.goto(live_server.url + "/c/acme/agenda/")
    for selector in ("h1", ".agenda-kinds a[data-kind=calls]", "table.agenda tbody tr"):
        assert_shown(page, selector, width)
    assert_shown(page, f"a[href='/c/acme/calls/{call.pk}/']", width)
    assert_fits(page, width)
    image = artifacts_dir / f"agenda-{width}.png"
    page.screenshot(path=str(image), full_page=True)
    assert_drawn(image)

    page.goto(live_server.url + f"/c/acme/calls/{call.pk}/")
    for selector in ("h1", "a[href='tel:0123456789']", "form.call-outcome button[type=submit]"):
        assert_shown(page, selector, width)
    assert_fits(page, width)
    image = artifacts_dir / f"call-sheet-{width}.png"
    page.screenshot(path=str(image), full_page=True)
    assert_drawn(image)


# --- The formal notice on paper -----------------------------------------------------------------

MM_PER_POINT = 25.4 / 72
A4 = (210, 297)  # mm
# What relance/letters/templates/letters/base.html claims: the window of a DL envelope on the
# folded sheet (x 90-190 mm, y 50-95 mm from the top-left corner) and the block 5 mm inside it.
WINDOW = (90, 50, 190, 95)
INSIDE = (95, 55, 185, 90)
FONTS = Path("/usr/share/fonts/truetype/dejavu")  # the letters' font (DejaVu Sans)


@cache
def font(bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / f"DejaVuSans{'-Bold' if bold else ''}.ttf"), 1000)


def text_boxes(pdf: bytes) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each line of text of the first page with its box in mm from the top-left corner: where
    pypdf says it starts (its baseline), as wide and as tall as the font draws it."""
    boxes = []

    def visit(text, cm, tm, font_dict, size):
        if not text.strip():
            return
        x = (cm[0] * tm[4] + cm[2] * tm[5] + cm[4]) * MM_PER_POINT
        baseline = A4[1] - (cm[1] * tm[4] + cm[3] * tm[5] + cm[5]) * MM_PER_POINT
        points = size * abs(cm[3] * tm[3])  # WeasyPrint draws in CSS px scaled to points
        face = font("Bold" in str((font_dict or {}).get("/BaseFont", "")))
        ascent, descent = (metric / 1000 * points * MM_PER_POINT for metric in face.getmetrics())
        width = face.getlength(text.strip()) / 1000 * points * MM_PER_POINT
        boxes.append((text.strip(), (x, baseline - ascent, x + width, baseline + descent)))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return boxes


def lines_of(block: str, boxes):
    """The consecutive lines of text that make up `block` (spaces aside), or []."""
    for start in range(len(boxes)):
        text = ""
        for end in range(start, len(boxes)):
            text = " ".join(f"{text} {boxes[end][0]}".split())
            if text == block:
                return boxes[start : end + 1]
            if not block.startswith(text):
                break
    return []


def inside(box, zone, tolerance: float = 0.05) -> bool:
    """`box` within `zone` (mm), to rounding: the PDF's points are not whole millimetres."""
    x0, y0, x1, y1 = (zone[0] - tolerance, zone[1] - tolerance, zone[2] + tolerance,
                      zone[3] + tolerance)  # fmt: skip
    return x0 <= box[0] and y0 <= box[1] and box[2] <= x1 and box[3] <= y1


def overlaps(box, zone) -> bool:
    return box[0] < zone[2] and zone[0] < box[2] and box[1] < zone[3] and zone[1] < box[3]


def notice_world(**address) -> tuple[World, bytes]:
    world = World()
    letterhead(world.company)
    addressed(world.customer, **address)
    world.hold.lifted_at = timezone.now()  # the world's customer is on hold
    world.hold.save()
    return world, letter_pdf(make_letter(world.customer, notice=True), date.today())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address",
    [
        {},
        {  # a long name wraps on two lines, still inside
            "name": "Société Coopérative Agricole des Producteurs de Fruits du Val de Loire",
            "address": "Zone artisanale des Grands Champs, bâtiment B",
        },
    ],
)
def test_the_debtors_address_shows_through_the_envelope_window(address):
    world, pdf = notice_world(**address)
    customer = world.customer
    expected = [customer.name, "À l'attention de Jeanne Dupont", *recipient_lines(customer)]
    block = " ".join(" ".join(expected).split())
    boxes = text_boxes(pdf)
    found = lines_of(block, boxes)
    assert found, f"the address {block!r} is not printed as one block"
    for text, box in found:
        assert inside(box, INSIDE), f"{text!r} at {[round(v, 1) for v in box]} mm"
    for text, box in boxes:
        if (text, box) not in found:
            assert not overlaps(box, WINDOW), f"{text!r} shows through the window"


@pytest.mark.browser
@pytest.mark.django_db
def test_the_formal_notice_pdf_renders_to_an_image_with_the_address_in_the_window(
    page, artifacts_dir, tmp_path, settings
):
    """Rendered by Chromium's own PDF viewer (pdftoppm is not on these machines; the letter's
    HTML in Chromium would not be the PDF WeasyPrint made), then the page is found on the
    screenshot and the window zone is checked for ink."""
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    _world, pdf = notice_world()
    path = tmp_path / "mise-en-demeure.pdf"
    path.write_bytes(pdf)
    page.set_viewport_size({"width": 1000, "height": 1400})
    page.goto(path.as_uri() + "#toolbar=0")
    page.wait_for_timeout(1500)  # the viewer draws the page after the load event
    image = artifacts_dir / "formal-notice-page-1.png"
    page.screenshot(path=str(image))
    assert_drawn(image)
    pixels = numpy.asarray(Image.open(image).convert("L"))
    left, top, scale = sheet_on(pixels)
    window = ink(pixels, left, top, scale, WINDOW)
    name = ink(pixels, left, top, scale, (95, 55, 125, 60))  # "Dupont Bâtiment", in bold
    beside = ink(pixels, left, top, scale, (20, 50, 85, 95))  # left of the window: blank
    assert window > 0.01 and name > 0.05 and beside < 0.001, (window, name, beside)


def sheet_on(pixels) -> tuple[int, int, float]:
    """Where the first page is drawn on the screenshot: the widest run of white columns of
    its first white rows; returns its left and top pixels and pixels per mm."""
    white = pixels >= 250
    rows = numpy.flatnonzero(white.mean(axis=1) > 0.3)
    assert rows.size, "no page on the screenshot"
    top = int(rows[0])
    columns = numpy.flatnonzero(white[top : top + 20].all(axis=0))
    left, right = int(columns[0]), int(columns[-1])
    return left, top, (right - left + 1) / A4[0]


def ink(pixels, left: int, top: int, scale: float, zone) -> float:
    """The share of dark pixels in a zone of the sheet given in mm."""
    x0, y0, x1, y1 = (round(v * scale) for v in zone)
    area = pixels[top + y0 : top + y1, left + x0 : left + x1]
    return float((area < 128).mean())
