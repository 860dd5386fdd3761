"""Pages under a language prefix (/en/, /fr/); the API under /api/ in one language-neutral place."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

CAPABILITY_APPS = ["intake", "assessment", "engagement", "envelope"]

urlpatterns = [
    path("api/v1/", include("readmit.core.api")),
    path("api/v1/", include("readmit.accounts.api")),
    *[path("api/v1/", include(f"readmit.{app}.api")) for app in CAPABILITY_APPS],
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns += i18n_patterns(
    path("", include("readmit.core.urls")),
    path("accounts/", include("readmit.accounts.urls")),
    *[path(f"{app}/", include(f"readmit.{app}.urls")) for app in CAPABILITY_APPS],
    prefix_default_language=True,
)
