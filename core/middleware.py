"""Security headers Django does not set by itself."""

from django.conf import settings

from core import mirror

# The public site loads scripts and styles only from itself. The Wagtail admin
# relies on inline scripts and styles, so it gets a policy that allows them.
SITE_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
ADMIN_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefixes = tuple(
            getattr(settings, "CSP_RELAXED_PREFIXES", ("/admin/", "/django-admin/", "/api/v1/docs"))
        )

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = request.path.startswith(self.admin_prefixes)
            response["Content-Security-Policy"] = ADMIN_CSP if relaxed else SITE_CSP
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class CachedSiteMiddleware:
    """Give Wagtail's page view its Site (with the root page's specific instance) from the cache.

    `Site.find_for_request` queries the sites and `route` loads the root page's specific row on
    every request. Both are cached under the global stamp (core.cache), which every Site and Page
    write bumps, and the stamp is the one the page reads anyway. Only Wagtail's page view is
    touched: other views, the API and the bare benchmark view never read the stamp.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.http.request import split_domain_port
        from wagtail import views as wagtail_views
        from wagtail.models import Site

        from core import cache

        if view_func is not wagtail_views.serve or hasattr(request, "_wagtail_site"):
            return None
        hostname = split_domain_port(request._get_raw_host())[0]
        port = request.get_port()
        global_stamp = cache.request_global_stamp(request)

        def find():
            from core.models import snapshot_for_serving

            site = Site._find_for_request(request)
            if site is not None:  # the root's specific page loaded now, so that the cached copy carries it
                site.root_page.specific = snapshot_for_serving(site.root_page)
            return site

        request._wagtail_site = cache.data(("site", hostname, port, global_stamp), find)
        return None


class CachedPageMiddleware:
    """Answer a signed-in user's GET from their cached copy of the page (core.page_cache), before routing.

    Placed after the middleware whose headers every page gets (sessions, CSRF, messages, frame
    options), which still process the cached response on its way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core import page_cache

        return page_cache.cached_response(request) or self.get_response(request)


class StampCookieMiddleware:
    """Let a user's next request see their own writes at once, in whichever process it lands (core.mirror).

    Placed before the session middleware, so that the session read of the request (core.sessions)
    knows the cookie. Does nothing unless the mirror is on.
    """

    def __init__(self, get_response):
        from django.db import connection

        self.get_response = get_response
        self.on = mirror.enabled(connection)

    def __call__(self, request):
        if not self.on:
            return self.get_response(request)
        token = mirror.begin_request(request.COOKIES.get(mirror.COOKIE))
        try:
            response = self.get_response(request)
        finally:
            state = mirror.end_request(token)
        value = mirror.cookie_to_set(state)
        if value == "":
            response.delete_cookie(mirror.COOKIE, samesite=settings.SESSION_COOKIE_SAMESITE)
        elif value is not None:
            response.set_cookie(
                mirror.COOKIE,
                value,
                max_age=settings.SESSION_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite=settings.SESSION_COOKIE_SAMESITE,
            )
        return response
