"""The consent REST API; the project includes it under ``/api/v1/``."""

from django.urls import path

from consent import api

# What staff record in the ledger: /subjects/<public id>/consents/<purpose>/<action>/, named api-consent-<action>.
_RECORDS = {"grant": api.ConsentGrantApi, "request": api.ConsentRequestApi, "withdraw": api.ConsentWithdrawApi}

urlpatterns = [
    path("purposes/", api.PurposeListApi.as_view(), name="api-purpose-list"),
    path("subjects/<uuid:public_id>/consents/", api.SubjectConsentListApi.as_view(), name="api-subject-consents"),
    *(
        path(
            f"subjects/<uuid:public_id>/consents/<slug:purpose_code>/{action}/",
            view.as_view(),
            name=f"api-consent-{action}",
        )
        for action, view in _RECORDS.items()
    ),
]
