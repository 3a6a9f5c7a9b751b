"""One check for every image that enters the site (admin upload form, images inside imported files):
the pixel cap of WAGTAILIMAGES_MAX_IMAGE_PIXELS and a full decode, so a truncated or corrupt file is
refused with a Chinese message instead of failing later when a rendition is made."""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm


def image_problem(data: bytes) -> str | None:
    """Why these bytes are not an acceptable raster image, or None. SVG is left to Wagtail's own checks."""
    from PIL import Image as PILImage

    max_pixels = getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", 128_000_000)
    max_bytes = getattr(settings, "WAGTAILIMAGES_MAX_UPLOAD_SIZE", 10 * 1024 * 1024)
    if max_bytes and len(data) > max_bytes:
        return _("图片过大：最大 %(m)d MB。") % {"m": max_bytes // 2**20}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as probe:
                width, height = probe.size
                frames = getattr(probe, "n_frames", 1)
                if max_pixels and width * height * frames > max_pixels:
                    return _("图片像素过多（%(w)d×%(h)d），最多 %(max)d 像素。") % {
                        "w": width,
                        "h": height,
                        "max": max_pixels,
                    }
                probe.load()
    except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError):
        return _("图片像素过多，最多 %(max)d 像素。") % {"max": max_pixels}
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for damaged files
        return _("图片文件已损坏或不完整，无法读取。")
    return None


class CheckedImageField(WagtailImageField):
    """Wagtail's image field, with `image_problem` run on the upload before Wagtail (and Willow) open it:
    Willow decodes the whole image and lets Pillow's OSError for a truncated file escape as a 500."""

    def to_python(self, data):
        if data is not None and hasattr(data, "read") and not str(getattr(data, "name", "")).lower().endswith(".svg"):
            data.seek(0)
            problem = image_problem(data.read())
            data.seek(0)
            if problem:
                raise ValidationError(problem, code="invalid_image")
        return super().to_python(data)


class CheckedImageForm(BaseImageForm):
    """WAGTAILIMAGES_IMAGE_FORM_BASE: Wagtail's image form with the checked file field."""

    file = CheckedImageField(label=_lazy("文件"))
