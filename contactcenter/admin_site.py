"""The shared admin site: the DPO's home."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class ContactCenterAdminSite(admin.AdminSite):
    site_header = _("Contact center — privacy and operations")
    site_title = _("Contact center admin")
    index_title = _("Data protection dashboard")
