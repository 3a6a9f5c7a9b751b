"""Rollup arithmetic: counters read by the unit report equal a brute-force count over the source rows."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts import factories as af
from accounts.models import CadreProfile, OrgUnit, TrainingTargets
from accounts.roles import Rank
from learning.models import CourseIndexPage, CourseKind, CoursePage, CreditLedger, Enrolment, Topic
from reports import counters, selectors

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 6, 1)
UNITS = ["省/甲市/A县/局1", "省/甲市/A县/局2", "省/甲市/B县/局1", "省/乙市/C县/局1", "省/乙市", "省/甲市/A县"]
DUES = [None, date(2026, 3, 31), date(2026, 12, 31)]

cadre_st = st.tuples(
    st.sampled_from(range(len(UNITS))),
    st.sampled_from(Rank.values),
    st.lists(
        st.tuples(st.integers(0, 2), st.sampled_from(range(len(DUES))), st.booleans(), st.sampled_from([2025, 2026])),
        max_size=3,
        unique_by=lambda t: (t[0], t[3]),
    ),
)


class RollupTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        from core.models import HomePage

        index = CourseIndexPage(title="课程中心", slug="courses")
        HomePage.objects.get(depth=2).add_child(instance=index)
        topic, _created = Topic.objects.get_or_create(name="权力观")
        cls.course_ids = []
        for i, kind in enumerate([CourseKind.REQUIRED, CourseKind.REQUIRED, CourseKind.ELECTIVE]):
            course = CoursePage(
                title=f"课程{i}",
                slug=f"c{i}",
                topic=topic,
                kind=kind,
                credit_hours=Decimal("1.5"),
                introduction="<p>x</p>",
            )
            index.add_child(instance=course)
            cls.course_ids.append(course.pk)
        for path in UNITS:
            af.org_unit(path)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        cadres=st.lists(cadre_st, max_size=8),
        rank=st.sampled_from([None, *Rank.values]),
        year=st.sampled_from([2025, 2026]),
    )
    def test_unit_rows_equal_brute_force(self, cadres, rank, year):
        for unit_index, cadre_rank, enrolments in cadres:
            user = af.cadre(unit=UNITS[unit_index], rank=cadre_rank)
            for course_index, due_index, done, enrol_year in enrolments:
                course = CoursePage.objects.get(pk=self.course_ids[course_index])
                when = datetime(enrol_year, 2, 1, 10, tzinfo=TZ) if done else None
                e = Enrolment.objects.create(
                    user=user,
                    course=course,
                    year=enrol_year,
                    source="assigned" if DUES[due_index] else "self",
                    due_date=DUES[due_index],
                    completed_at=when,
                )
                if done:
                    CreditLedger.objects.create(
                        user=user, course=course, year=enrol_year, hours=course.credit_hours, enrolment=e
                    )
        # A cadre moves and one enrolment disappears: the counters must follow.
        profile = CadreProfile.objects.order_by("pk").first()
        if profile:
            profile.org_unit = af.org_unit(UNITS[-1])
            profile.save()
            Enrolment.objects.filter(user=profile.user, credits__isnull=True).delete()

        filters = selectors.Filters(year=year, rank=rank)
        units = list(OrgUnit.objects.all())
        rows = selectors.unit_rows(units, filters, today=TODAY)
        targets = TrainingTargets.load()
        for unit in units:
            profiles = CadreProfile.objects.filter(org_unit__path__startswith=unit.path)
            if rank:
                profiles = profiles.filter(rank=rank)
            users = list(profiles.values_list("user_id", flat=True))
            es = Enrolment.objects.filter(user_id__in=users, year=year)
            expected = {
                "cadres": len(users),
                "enrolled": es.count(),
                "assigned": es.filter(due_date__isnull=False).count(),
                "completed": es.filter(completed_at__isnull=False).count(),
                "assigned_completed": es.filter(due_date__isnull=False, completed_at__isnull=False).count(),
                "self_enrolled": es.filter(due_date__isnull=True).count(),
                "self_completed": es.filter(due_date__isnull=True, completed_at__isnull=False).count(),
                "overdue": es.filter(completed_at__isnull=True, due_date__lt=TODAY).count(),
                "hours": sum(
                    CreditLedger.objects.filter(user_id__in=users, year=year).values_list("hours", flat=True),
                    Decimal(0),
                ),
                "target": sum((Decimal(targets.target_for(p.rank)) for p in profiles), Decimal(0)),
            }
            got = rows[unit.pk]
            actual = {name: getattr(got, name) for name in expected}
            assert actual == expected, (unit.full_path, actual, expected)
            # The rate is made of the two counts shown beside it: 指派完成 ÷ 指派.
            if expected["assigned"]:
                assert got.completion_rate == round(expected["assigned_completed"] / expected["assigned"] * 100, 1)
            else:
                assert got.completion_rate is None
        assert counters.check() == []
        # The root equals the sum of its children plus its own cadres.
        root = OrgUnit.objects.get(full_path="省")
        report = selectors.unit_report(user=af.staff("系统管理员"), unit=root, filters=filters, today=TODAY)
        assert report.total.completed == sum(r.completed for r in report.rows)
        assert report.total.cadres == sum(r.cadres for r in report.rows)
