"""The generated privacy statements, under ``/privacy/statement/`` (before the notices' ``/privacy/<j>/<lang>/``)."""

urlpatterns: list = []
