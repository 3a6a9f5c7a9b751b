"""Access rules shared by the site's page types."""

from django.contrib.auth.views import redirect_to_login


class SignedInPageMixin:
    """A Wagtail page only signed-in users may open: anonymous visitors are sent to log in.

    Training content (cases, courses, lessons) is internal to the organisation; the only public
    page is a certificate's verification page (/verify/<code>/). Put this before `Page` in the bases.
    """

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)
