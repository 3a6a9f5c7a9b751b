"""Site skeleton: the 警示教育案例库 under the home page, with its 案例审核 workflow."""

from cases import services

INDEX_TITLE = "警示教育案例库"
INDEX_SLUG = "cases"
INDEX_INTRO = "以案为鉴、以案促改。按领域、违纪违法类型、监督问题和职级查找与您岗位相近的案例。"


def case_index():
    """The case library, created (published, with its workflow) when missing."""
    from core.setup import home_ensure

    return services.case_index_ensure(parent=home_ensure(), title=INDEX_TITLE, slug=INDEX_SLUG, intro=INDEX_INTRO)


def ensure(*, stdout=None) -> list[str]:
    index = case_index()
    return [f"案例库：{index.title}（{index.url_path}），审核流程：{services.WORKFLOW_NAME}"]
