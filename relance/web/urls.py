"""The web UI. Everything a company owns lives under /c/<code>/ so scoping is explicit."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from relance.evidence.views import CustomerEvidenceView
from relance.forecast.views import CashInView
from relance.notes import views as notes
from relance.plans import views as plan_texts
from relance.scoring import views as scoring
from relance.security.views import LoginView

from .views import (
    agenda,
    banking,
    calls,
    company,
    customers,
    dashboard,
    dunning,
    imports,
    ledger,
    letters,
    plans,
    reconciliation,
)

company_patterns = [
    path("agenda/", agenda.AgendaView.as_view(), name="agenda"),
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("dashboard/report/", dashboard.WeeklyReportView.as_view(), name="dashboard_report"),
    path("forecast/", CashInView.as_view(), name="forecast"),
    path("scoring/", scoring.ScoringListView.as_view(), name="scoring"),
    path("scoring/compute/", scoring.ScoringComputeView.as_view(), name="scoring_compute"),
    path(
        "customers/<int:pk>/profile-suggestion/",
        scoring.ProfileSuggestionView.as_view(),
        name="profile_suggestion",
    ),
    path("risk-alerts/<int:pk>/seen/", scoring.RiskAlertSeenView.as_view(), name="risk_alert_seen"),
    path("calls/<int:pk>/", calls.CallSheetView.as_view(), name="call_sheet"),
    path("follow-ups/<int:pk>/done/", calls.FollowUpDoneView.as_view(), name="follow_up_done"),
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
    path(
        "customers/<int:pk>/dunning/",
        dunning.CustomerDunningView.as_view(),
        name="customer_dunning",
    ),
    path(
        "customers/<int:pk>/timeline/",
        dunning.CustomerTimelineView.as_view(),
        name="customer_timeline",
    ),
    path("customers/<int:pk>/holds/new/", dunning.HoldCreateView.as_view(), name="hold_create"),
    path(
        "customers/<int:pk>/disputes/new/",
        dunning.DisputeCreateView.as_view(),
        name="dispute_create",
    ),
    path(
        "customers/<int:pk>/promises/new/",
        dunning.PromiseCreateView.as_view(),
        name="promise_create",
    ),
    path(
        "customers/<int:pk>/plans/new/",
        plans.PaymentPlanCreateView.as_view(),
        name="plan_create",
    ),
    path("plans/<int:pk>/", plans.PaymentPlanDetailView.as_view(), name="plan_detail"),
    path(
        "plans/<int:pk>/agreement/",
        plans.PaymentPlanAgreementView.as_view(),
        name="plan_agreement",
    ),
    path("plans/<int:pk>/cancel/", plans.PaymentPlanCancelView.as_view(), name="plan_cancel"),
    path("plan-texts/", plan_texts.InstalmentTextListView.as_view(), name="instalment_texts"),
    path(
        "plan-texts/<str:kind>/",
        plan_texts.InstalmentTextView.as_view(),
        name="instalment_text",
    ),
    path(
        "plan-texts/<str:kind>/reset/",
        plan_texts.InstalmentTextResetView.as_view(),
        name="instalment_text_reset",
    ),
    path(
        "plan-texts/<str:kind>/preview/",
        plan_texts.InstalmentTextPreviewView.as_view(),
        name="instalment_text_preview",
    ),
    path("holds/<int:pk>/lift/", dunning.HoldLiftView.as_view(), name="hold_lift"),
    path(
        "disputes/<int:pk>/resolve/", dunning.DisputeResolveView.as_view(), name="dispute_resolve"
    ),
    path("reminders/approvals/", dunning.ApprovalListView.as_view(), name="reminder_approvals"),
    path("reminders/outbox/", dunning.OutboxView.as_view(), name="reminder_outbox"),
    path("reminders/<int:pk>/", dunning.ReminderDetailView.as_view(), name="reminder_detail"),
    path(
        "reminders/<int:pk>/decision/",
        dunning.ReminderDecisionView.as_view(),
        name="reminder_decision",
    ),
    path(
        "reminders/<int:pk>/resolve/",
        dunning.ReminderResolveView.as_view(),
        name="reminder_resolve",
    ),
    path("letters/", letters.LetterQueueView.as_view(), name="letter_queue"),
    path("letters/print/", letters.LetterPrintView.as_view(), name="letter_print"),
    path("letters/post/", letters.LetterPostView.as_view(), name="letter_post"),
    path("letters/<int:pk>/", letters.LetterDetailView.as_view(), name="letter_detail"),
    path("letters/<int:pk>/pdf/", letters.LetterPdfView.as_view(), name="letter_pdf"),
    path("letters/<int:pk>/receipt/", letters.LetterReceiptView.as_view(), name="letter_receipt"),
    path("letters/<int:pk>/send/", letters.LetterSendView.as_view(), name="letter_send"),
    path(
        "customers/<int:pk>/statement/",
        letters.CustomerStatementView.as_view(),
        name="customer_statement",
    ),
    path("customers/<int:pk>/evidence/", CustomerEvidenceView.as_view(), name="customer_evidence"),
    path("customers/<int:pk>/notes/", notes.CustomerNotesView.as_view(), name="customer_notes"),
    path("notes/<int:pk>/", notes.NoteDetailView.as_view(), name="note_detail"),
    path("notes/<int:pk>/seen/", notes.MentionSeenView.as_view(), name="note_seen"),
    path("runs/", dunning.RunListView.as_view(), name="run_list"),
    path("runs/<int:pk>/", dunning.RunDetailView.as_view(), name="run_detail"),
    path("scenarios/", dunning.ScenarioListView.as_view(), name="scenario_list"),
    path("scenarios/<int:pk>/", dunning.ScenarioDetailView.as_view(), name="scenario_detail"),
    path("steps/<int:pk>/template/", dunning.StepTemplateView.as_view(), name="step_template"),
    path("templates/preview/", dunning.TemplatePreviewView.as_view(), name="template_preview"),
    path("imports/", imports.ImportListView.as_view(), name="import_list"),
    path(
        "imports/preview/<str:token>/", imports.ImportPreviewView.as_view(), name="import_preview"
    ),
    path("imports/<int:pk>/", imports.ImportDetailView.as_view(), name="import_detail"),
    path(
        "imports/<int:pk>/progress/", imports.ImportProgressView.as_view(), name="import_progress"
    ),
    path("bank/statements/", banking.BankStatementListView.as_view(), name="bank_statement_list"),
    path("bank/lines/", banking.BankLineListView.as_view(), name="bank_line_list"),
    path("bank/upload/", banking.BankUploadView.as_view(), name="bank_upload"),
    path("einvoices/upload/", banking.EInvoiceUploadView.as_view(), name="einvoice_upload"),
    path(
        "bank/reconciliation/",
        reconciliation.ReconciliationView.as_view(),
        name="bank_reconciliation",
    ),
    path("bank/matching/run/", reconciliation.MatchingRunView.as_view(), name="bank_matching_run"),
    path(
        "bank/proposals/<int:pk>/accept/",
        reconciliation.ProposalView.as_view(),
        name="bank_proposal_accept",
    ),
    path(
        "bank/proposals/<int:pk>/reject/",
        reconciliation.ProposalRejectView.as_view(),
        name="bank_proposal_reject",
    ),
    path(
        "bank/lines/<int:pk>/match/", reconciliation.LineMatchView.as_view(), name="bank_line_match"
    ),
    path(
        "bank/matches/<int:pk>/undo/",
        reconciliation.MatchUndoView.as_view(),
        name="bank_match_undo",
    ),
    path(
        "bank/alerts/<int:pk>/resolve/",
        reconciliation.AlertResolveView.as_view(),
        name="bank_alert_resolve",
    ),
    path("", include("relance.api.urls")),  # API tokens and webhooks
]

urlpatterns = [
    path("", company.home, name="home"),
    path("login/", LoginView.as_view(), name="login"),  # failed logins throttled
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("c/<slug:code>/", include(company_patterns)),
]
