"""The API's pages under /c/<code>/ (included by relance.web.urls): the member's tokens and
the company's webhooks."""

from django.urls import path

from . import views

urlpatterns = [
    path("api-tokens/", views.TokenListView.as_view(), name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="api_token_revoke"),
    path("webhooks/", views.WebhookListView.as_view(), name="webhook_list"),
    path("webhooks/<int:pk>/", views.WebhookDetailView.as_view(), name="webhook_detail"),
    path("webhooks/<int:pk>/test/", views.WebhookTestView.as_view(), name="webhook_test"),
    path("webhooks/<int:pk>/secret/", views.WebhookSecretView.as_view(), name="webhook_secret"),
    path("webhooks/<int:pk>/delete/", views.WebhookDeleteView.as_view(), name="webhook_delete"),
]
