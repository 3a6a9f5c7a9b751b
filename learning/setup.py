"""Site skeleton: 课程中心 under the home page."""

from django.db import transaction

from learning.models import CourseIndexPage

INDEX_TITLE = "课程中心"
INDEX_SLUG = "courses"
INDEX_INTRO = "<p>权力观、政绩观、监督观专题课程，以及民主集中制和党的纪律教育。必修课由单位指派，选修课自主选学。</p>"


@transaction.atomic
def course_index() -> CourseIndexPage:
    """The one 课程中心 page, created and published under the home page when missing."""
    from core.setup import home_ensure

    index = CourseIndexPage.objects.first()
    if index is None:
        index = CourseIndexPage(title=INDEX_TITLE, slug=INDEX_SLUG, intro=INDEX_INTRO)
        home_ensure().add_child(instance=index)
        index.save_revision().publish()
    return index


def ensure(*, stdout=None) -> list[str]:
    index = course_index()
    return [f"课程中心：{index.title}（{index.url_path}）"]
