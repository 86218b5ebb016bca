from django.apps import apps
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from contactcenter import health, home, views

urlpatterns = [
    path("", home.home, name="home"),  # each role to its home; a landing page for everyone else
    path("favicon.ico", home.favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("retention.urls")),  # /privacy/download/<token>/, /dpo/requests/<reference>/export/
    path("privacy/", include("retention.urls_privacy")),  # the self-service page, its code step, request status
    path("privacy/statement/", include("contactcenter.urls_statement")),  # generated statements, every version
    path("dpo/", include("contactcenter.urls_dpo")),  # records of processing, the contact snippet
    path("privacy/notices/<int:notice_id>/", views.privacy_notice, name="privacy-notice"),
    path("privacy/<str:jurisdiction>/<str:language>/", views.privacy_notice_current, name="privacy-notice-current"),
    path("api/v1/", include("consent.urls")),
    path("api/v1/", include("conversations.urls_api")),
    path("api/v1/", include("retention.urls_api")),
    path("webhooks/", include("conversations.urls_webhooks")),
    path("inbox/", include("conversations.urls_pages")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# Outside the API views (a path no view matches, a failure before a view ran): still the API's error model.
handler400 = "contactcenter.views.bad_request"
handler403 = "contactcenter.views.permission_denied"
handler404 = "contactcenter.views.not_found"
handler500 = "contactcenter.views.server_error"

if apps.is_installed("devtools"):
    # The demo shop page (development only; see settings.DEVTOOLS).
    urlpatterns.append(path("webchat/", include("devtools.urls")))
