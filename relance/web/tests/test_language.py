import pytest

pytestmark = pytest.mark.django_db


def test_french_first_whatever_the_browser_says(client, django_user_model):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "fr"
