"""What the Wagtail page edit form was asked to do, for forms that gate review and publishing."""

from django.utils.html import strip_tags

# Buttons of the page action menu that send a page to review or live (Wagtail's POST keys).
GATED_ACTIONS = ("action-submit", "action-publish", "action-restart-workflow")


def wants_to_go_live(data) -> bool:
    """True when the posted page form submits to review, publishes, restarts review or approves a review step.

    A plain 保存草稿 is False: drafts may be incomplete.
    """
    approving = bool(data.get("action-workflow-action")) and data.get("workflow-action-name") == "approve"
    return approving or any(data.get(action) for action in GATED_ACTIONS)


def block_has_content(value) -> bool:
    """Whether a block's value says something: rich text or text with words in it, or a chosen object.

    An empty paragraph (`<p></p>`, spaces, `&nbsp;`) is not content; a chosen image, document or a table is.
    """
    if value is None:
        return False
    if hasattr(value, "source"):  # RichText
        return bool(strip_tags(value.source).replace("&nbsp;", "").strip())
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict) or hasattr(value, "items"):  # StructValue / table data
        if "data" in value:  # TableBlock
            return any(str(cell or "").strip() for row in value.get("data") or [] for cell in row)
        return any(block_has_content(child) for child in value.values())
    if isinstance(value, (list, tuple)) or hasattr(value, "__iter__"):
        return any(block_has_content(getattr(child, "value", child)) for child in value)
    return True
