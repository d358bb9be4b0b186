"""The web UI. Everything a company owns lives under /c/<code>/ so scoping is explicit."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import company, customers, imports, ledger

company_patterns = [
    path("customers/", customers.CustomerListView.as_view(), name="customer_list"),
    path("customers/new/", customers.CustomerCreateView.as_view(), name="customer_create"),
    path("customers/<int:pk>/", customers.CustomerDetailView.as_view(), name="customer_detail"),
    path(
        "customers/<int:pk>/edit/", customers.CustomerUpdateView.as_view(), name="customer_update"
    ),
    path(
        "customers/<int:pk>/contacts/new/",
        customers.ContactCreateView.as_view(),
        name="contact_create",
    ),
    path("contacts/<int:pk>/edit/", customers.ContactUpdateView.as_view(), name="contact_update"),
    path("invoices/", ledger.InvoiceListView.as_view(), name="invoice_list"),
    path("invoices/new/", ledger.InvoiceCreateView.as_view(), name="invoice_create"),
    path("invoices/<int:pk>/", ledger.InvoiceDetailView.as_view(), name="invoice_detail"),
    path("invoices/<int:pk>/edit/", ledger.InvoiceUpdateView.as_view(), name="invoice_update"),
    path("payments/", ledger.PaymentListView.as_view(), name="payment_list"),
    path("payments/new/", ledger.PaymentCreateView.as_view(), name="payment_create"),
    path("settings/", company.CompanySettingsView.as_view(), name="company_settings"),
    path("imports/", imports.ImportListView.as_view(), name="import_list"),
    path(
        "imports/preview/<str:token>/", imports.ImportPreviewView.as_view(), name="import_preview"
    ),
    path("imports/<int:pk>/", imports.ImportDetailView.as_view(), name="import_detail"),
    path(
        "imports/<int:pk>/progress/", imports.ImportProgressView.as_view(), name="import_progress"
    ),
]

urlpatterns = [
    path("", company.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("c/<slug:code>/", include(company_patterns)),
]
