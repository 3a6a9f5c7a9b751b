"""Wagtail hooks of the core app: the permission check in front of every document download."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from wagtail import hooks

from core.private_files import document_visible_to


@hooks.register("before_serve_document")
def check_document_permission(document, request):
    """Documents (case attachments, lesson videos) are private: core.private_files.document_visible_to."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not document_visible_to(request, document):
        raise Http404
    return None
