from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from cases import selectors, services
from cases.models import read_threshold_seconds

router = Router(tags=["案例"])


class ReadIn(Schema):
    seconds: int = Field(0, ge=0, le=3600, description="上次心跳以来页面处于可见状态的秒数")
    pause: bool = Field(False, description="页面转入后台：本次之后暂停计时，其他课时或案例可以开始计时")


class ReadOut(Schema):
    seconds_visible: int
    is_read: bool
    threshold: int


@router.post("/cases/{case_id}/read", response=ReadOut, summary="记录案例阅读时长（仅页面可见时发送）")
def case_read(request, case_id: int, payload: ReadIn):
    case = get_object_or_404(selectors.case_list_visible_to(request.user, request=request), pk=case_id)
    read = services.case_read_record(user=request.user, case=case, seconds=payload.seconds, pause=payload.pause)
    return {"seconds_visible": read.seconds_visible, "is_read": read.is_read, "threshold": read_threshold_seconds()}
