from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from relance.api import api
from relance.dunning import hooks
from relance.portal import urls as portal
from relance.security.forms import ThrottledAdminAuthenticationForm

admin.site.login_form = ThrottledAdminAuthenticationForm  # failed logins throttled there too

urlpatterns = [
    path("admin/", admin.site.urls),
    # Providers' callbacks: signed by the provider, outside the company pages.
    path("hooks/sms/twilio/<int:pk>/", hooks.twilio_status, name="sms_status_twilio"),
    *portal.hook_patterns,
    # The debtor's self-service pages: no login, a link's token instead.
    *portal.debtor_patterns,
    path("c/<slug:code>/", include(portal.company_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls()),
    path("", include("relance.web.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
