"""The agent inbox pages; the project includes them at ``/inbox/``."""

from django.urls import path

from conversations import views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox_index, name="index"),
    path("c/<int:conversation_id>/", views.inbox_conversation, name="conversation"),
    path("login/", views.InboxLoginView.as_view(), name="login"),
    path("logout/", views.InboxLogoutView.as_view(), name="logout"),
]
