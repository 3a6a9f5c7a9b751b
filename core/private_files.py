"""Serving private files: one function that hands a file to the web server after the caller's permission
check, and the one rule for Wagtail documents (attachments, lesson videos).

Behind nginx (`SENDFILE_BACKEND = "django_sendfile.backends.nginx"`) the response carries only an
`X-Accel-Redirect` to the internal location `/_protected/`: nginx sends the bytes, answers Range requests
with 206 and holds no application thread. In development and tests the file streams from Django.
"""

from pathlib import Path

from django_sendfile import sendfile


def serve_private_file(request, path: str | Path, *, download_name: str | None = None, attachment: bool = True):
    """A response that sends `path` (under PRIVATE_MEDIA_ROOT). Call only after the permission check."""
    response = sendfile(request, str(path), attachment=attachment, attachment_filename=download_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _page_visible(request, page) -> bool:
    """A live page the user may see: its Wagtail view restrictions pass and, where the page type has its own
    rule (`user_can_view(user)`, e.g. a case's 最低可见职级), that rule passes too."""
    if not page.live:
        return False
    if any(not restriction.accept_request(request) for restriction in page.get_view_restrictions()):
        return False
    rule = getattr(page, "user_can_view", None)
    return rule is None or rule(request.user)


def document_visible_to(request, document) -> bool:
    """The one rule for Wagtail documents.

    People who manage documents (add/change/choose permission on a collection: editors, administrators)
    may open any. Everybody else needs a signed-in session and a live page using the document, and must be
    allowed to see every live page using it (a document attached to a rank-restricted
    case stays restricted even if another page links it). Pages are found in Wagtail's reference index.
    """
    from wagtail.documents import get_document_model
    from wagtail.models import Page, ReferenceIndex
    from wagtail.permissions import policy_registry

    user = request.user
    if not user.is_authenticated:
        return False
    if policy_registry.get_by_type(get_document_model()).user_has_any_permission(user, ["add", "change", "choose"]):
        return True
    references = ReferenceIndex.get_references_to(document)
    page_ids = {
        ref.object_id
        for ref in references
        if ref.base_content_type.model_class() is not None and issubclass(ref.base_content_type.model_class(), Page)
    }
    if not page_ids:
        return False
    pages = [p.specific for p in Page.objects.live().filter(pk__in=[int(i) for i in page_ids])]
    return bool(pages) and all(_page_visible(request, page) for page in pages)
