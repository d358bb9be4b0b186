"""Role cases of the API's pages (tokens, webhooks), added to the web's ROLE_CASES by
relance/web/tests/test_roles.py, whose coverage test checks every page under /c/<code>/."""

from relance.team.models import Role
from relance.web.tests.roles import RoleCase

W, C = Role.READ_ONLY, Role.COLLECTOR


def base(world) -> str:
    return f"/c/{world.company.code}"


def webhook_url(world, suffix: str = "") -> str:
    from relance.api.models import WebhookEndpoint

    if not hasattr(world, "webhook"):
        world.webhook = WebhookEndpoint.objects.create(
            company=world.company,
            url="http://127.0.0.1:9/nobody-listens",  # the test event fails at once
            events=["payment.received"],
            secret="whsec_roles",
        )
    return f"{base(world)}/webhooks/{world.webhook.pk}/{suffix}"


def token_revoke_url(world) -> str:
    from relance.api.tokens import create_token

    token, _secret = create_token(world.user(Role.ADMIN), "ERP")
    return f"{base(world)}/api-tokens/{token.pk}/revoke/"


def endpoint_data(world):
    return {"url": "https://erp.example.fr/hooks", "events": ["payment.received"]}


# API tokens: every member manages their own (read-only too: a token only carries its user's
# rights); webhooks carry the company's data elsewhere: administrators only.
API_ROLE_CASES = [
    RoleCase("api_tokens", lambda w: f"{base(w)}/api-tokens/", allowed=C),
    RoleCase(
        "api_tokens",
        lambda w: f"{base(w)}/api-tokens/",
        "post",
        lambda w: {"name": "ERP", "lifetime": "30"},
        allowed=W,
        expect=200,  # the page that shows the new token, once
    ),
    RoleCase("api_token_revoke", token_revoke_url, reader=None, expect=405),
    RoleCase("api_token_revoke", token_revoke_url, "post", reader=None),
    RoleCase("webhook_list", lambda w: f"{base(w)}/webhooks/", denied=Role.MANAGER),
    RoleCase("webhook_list", lambda w: f"{base(w)}/webhooks/", "post", endpoint_data, denied=W),
    RoleCase("webhook_detail", webhook_url, denied=W),
    RoleCase(
        "webhook_detail",
        webhook_url,
        "post",
        lambda w: dict(endpoint_data(w), is_active="on"),
        denied=Role.MANAGER,
    ),
    RoleCase("webhook_test", lambda w: webhook_url(w, "test/"), denied=W, expect=405),
    RoleCase("webhook_test", lambda w: webhook_url(w, "test/"), "post", denied=Role.MANAGER),
    RoleCase("webhook_secret", lambda w: webhook_url(w, "secret/"), denied=W, expect=405),
    RoleCase("webhook_secret", lambda w: webhook_url(w, "secret/"), "post", denied=W),
    RoleCase("webhook_delete", lambda w: webhook_url(w, "delete/"), denied=W, expect=405),
    RoleCase("webhook_delete", lambda w: webhook_url(w, "delete/"), "post", denied=C),
]
