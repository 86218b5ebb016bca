"""The DPO's generated documents outside the admin's model pages, under ``/dpo/`` (staff with the permission)."""

urlpatterns: list = []
