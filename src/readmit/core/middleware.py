"""Every page needs a signed-in user; the API answers for itself.

Django's LoginRequiredMiddleware redirects anonymous requests to the sign-in page.
Under /api/ Django REST framework authenticates (session or token) and refuses with
401/403, which is what an API client expects instead of a redirect.
"""

from django.contrib.auth.middleware import LoginRequiredMiddleware


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
