"""The formal notice as a person sees it: its PDF rendered to an image by headless
Chromium's PDF viewer (pdftoppm is not on these machines), kept in test-artifacts/."""

from datetime import date

import pytest

from relance.letters.documents import letter_pdf

from .factories import make_letter


@pytest.mark.browser
@pytest.mark.django_db
def test_formal_notice_pdf_renders_to_an_image(world, page, artifacts_dir, tmp_path):
    pdf = tmp_path / "mise-en-demeure.pdf"
    pdf.write_bytes(letter_pdf(make_letter(world.customer, notice=True), date.today()))
    page.set_viewport_size({"width": 1000, "height": 1400})
    page.goto(pdf.as_uri())
    page.wait_for_timeout(1500)  # the viewer draws the page after the load event
    image = artifacts_dir / "formal-notice-pdf.png"
    page.screenshot(path=image)
    assert image.stat().st_size > 20_000  # a drawn page, not a blank viewer
