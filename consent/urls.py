from django.urls import path

from consent import api

urlpatterns = [
    path("purposes/", api.PurposeListApi.as_view(), name="api-purpose-list"),
    path("subjects/<uuid:public_id>/consents/", api.SubjectConsentListApi.as_view(), name="api-subject-consents"),
    path(
        "subjects/<uuid:public_id>/consents/<slug:purpose_code>/grant/",
        api.ConsentGrantApi.as_view(),
        name="api-consent-grant",
    ),
    path(
        "subjects/<uuid:public_id>/consents/<slug:purpose_code>/request/",
        api.ConsentRequestApi.as_view(),
        name="api-consent-request",
    ),
    path(
        "subjects/<uuid:public_id>/consents/<slug:purpose_code>/withdraw/",
        api.ConsentWithdrawApi.as_view(),
        name="api-consent-withdraw",
    ),
]
