"""A province's roster fits the upload limits: ROSTER_MAX_ROWS rows are accepted by size, not refused
as too large before the row limit is reached (issue 20: 100,000 cadres in one file)."""

from django.conf import settings

from accounts.services import roster_parse

HEADER = "工号,姓名,单位,职级,职务,主要负责人,手机,邮箱"
# A long but ordinary row: a four-level unit path, a long position and every optional column filled.
ROW = "GZ20260001234,欧阳晓明,某省/某某自治州/某某自治县/某某自治县农业农村局,县处级,办公室副主任兼党支部书记,否,13912345678,ouyang.xiaoming@nongye.example.gov.cn"


def test_the_largest_allowed_roster_is_not_too_large_to_upload():
    size = len(HEADER.encode()) + settings.ROSTER_MAX_ROWS * (len(ROW.encode()) + 1)
    assert size <= settings.ROSTER_MAX_UPLOAD_BYTES, (size, settings.ROSTER_MAX_UPLOAD_BYTES)


def test_the_sample_row_is_a_valid_roster_row():
    rows = roster_parse(data=f"{HEADER}\n{ROW}\n".encode(), filename="roster.csv")
    assert len(rows) == 1 and rows[0].unit_path == "某省/某某自治州/某某自治县/某某自治县农业农村局"
