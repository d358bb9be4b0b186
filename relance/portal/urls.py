"""The portal's addresses: the debtor's pages (/p/...), the provider's webhook (/hooks/...)
and the company's pages (/c/<code>/...); included by relance/urls.py."""

from django.urls import path

from .views import company, debtor, hooks

debtor_patterns = [
    # Before /p/<token>/...: where the payment provider sends the debtor back (no token).
    path(
        "p/checkout/paid/",
        debtor.CheckoutReturnView.as_view(paid=True),
        name="portal_checkout_paid",
    ),
    path(
        "p/checkout/cancelled/",
        debtor.CheckoutReturnView.as_view(paid=False),
        name="portal_checkout_cancelled",
    ),
    path("p/<str:token>/", debtor.PageView.as_view(), name="portal_page"),
    path("p/<str:token>/promise/", debtor.PromiseView.as_view(), name="portal_promise"),
    path("p/<str:token>/claim/", debtor.ClaimView.as_view(), name="portal_claim"),
    path("p/<str:token>/dispute/", debtor.DisputeView.as_view(), name="portal_dispute"),
    path("p/<str:token>/plan/", debtor.PlanView.as_view(), name="portal_plan"),
    path("p/<str:token>/pay/", debtor.PayOnlineView.as_view(), name="portal_pay"),
    path("p/<str:token>/statement/", debtor.StatementPdfView.as_view(), name="portal_statement"),
    path(
        "p/<str:token>/invoices/<int:pk>/",
        debtor.InvoicePdfView.as_view(),
        name="portal_invoice_pdf",
    ),
]

hook_patterns = [
    path("hooks/payments/stripe/", hooks.stripe_webhook, name="payment_webhook_stripe"),
]

company_patterns = [
    path(
        "customers/<int:pk>/portal/",
        company.CustomerPortalView.as_view(),
        name="portal_customer",
    ),
    path(
        "customers/<int:pk>/portal/revoke/",
        company.RevokeLinksView.as_view(),
        name="portal_revoke",
    ),
    path("portal/actions/<int:pk>/", company.DebtorActionView.as_view(), name="portal_action"),
    path(
        "portal/requests/<int:pk>/accept/",
        company.PlanDecisionView.as_view(accept=True),
        name="portal_plan_accept",
    ),
    path(
        "portal/requests/<int:pk>/refuse/",
        company.PlanDecisionView.as_view(accept=False),
        name="portal_plan_refuse",
    ),
    path("portal/uploads/<int:pk>/", company.UploadView.as_view(), name="portal_upload"),
    path("portal/settings/", company.PolicyView.as_view(), name="portal_policy"),
]
