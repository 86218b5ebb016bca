"""The shared admin site: the DPO's home."""

from django.contrib import admin


class ContactCenterAdminSite(admin.AdminSite):
    site_header = "Contact center — privacy and operations"
    site_title = "Contact center admin"
    index_title = "Data protection dashboard"
