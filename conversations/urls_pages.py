"""The agent inbox pages; the project includes them at ``/inbox/``."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from conversations import views, views_reports

# The inbox's JavaScript strings (locale/*/LC_MESSAGES/djangojs.po), in the language the request resolved to.
# Not cached: the language comes from the agent's session as well as from Accept-Language.
javascript_catalog = JavaScriptCatalog.as_view(domain="djangojs")

app_name = "inbox"

urlpatterns = [
    path("", views.inbox_index, name="index"),
    path("c/<int:conversation_id>/", views.inbox_conversation, name="conversation"),
    path("login/", views.InboxLoginView.as_view(), name="login"),
    path("logout/", views.InboxLogoutView.as_view(), name="logout"),
    path("reports/", views_reports.inbox_reports, name="reports"),
    path("profile/", views.inbox_profile, name="profile"),
    path("jsi18n/", javascript_catalog, name="jsi18n"),
]
