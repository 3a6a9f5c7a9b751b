"""Checks every upload goes through before a parser sees it."""

import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

XLSX_MAX_UNCOMPRESSED = 100 * 1024 * 1024
XLSX_MAX_RATIO = 200


def check_size(fileobj, max_bytes: int) -> None:
    size = getattr(fileobj, "size", None)
    if size is None:
        pos = fileobj.tell()
        fileobj.seek(0, 2)
        size = fileobj.tell()
        fileobj.seek(pos)
    if size > max_bytes:
        raise ValidationError(
            _("文件过大：%(size).1f MB，上限 %(max).1f MB。") % {"size": size / 1048576, "max": max_bytes / 1048576}
        )
    if size == 0:
        raise ValidationError(_("文件为空。"))


def check_xlsx_archive(fileobj) -> None:
    """Refuse files that are not zip archives and zip bombs (an .xlsx is a zip of XML parts)."""
    pos = fileobj.tell()
    try:
        if not zipfile.is_zipfile(fileobj):
            raise ValidationError(_("不是有效的 Excel（.xlsx）文件。"))
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > XLSX_MAX_UNCOMPRESSED or total / packed > XLSX_MAX_RATIO:
                raise ValidationError(_("Excel 文件解压后过大，已拒绝（疑似压缩炸弹）。"))
            if "[Content_Types].xml" not in archive.namelist():
                raise ValidationError(_("不是有效的 Excel（.xlsx）文件。"))
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("不是有效的 Excel（.xlsx）文件。")) from exc
    finally:
        fileobj.seek(pos)


def decode_text(data: bytes) -> str:
    """Text files from Chinese offices come as UTF-8 (with or without BOM) or GB18030 (Excel's "CSV")."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("无法识别文件编码，请保存为 UTF-8 或 GBK 编码。"))
