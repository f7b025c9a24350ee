"""The import pages' forms: the uploaded file and the column mapping, as typed values."""
from salon_web.services.import_mapping import check_mapping


def uploaded_file(files):
    """Return (file name, bytes) of the `file` field, or (None, None) when nothing was chosen."""
    upload = files.get("file")
    if upload is None or not upload.filename:
        return None, None
    try:
        return upload.filename, upload.read()
    finally:
        upload.close()  # a large upload is spooled to a temporary file


def mapping_from(form, headers):
    """Return (fields, errors): one field (or "") per column from `column-<i>` selects."""
    fields = [(form.get(f"column-{i}") or "").strip() for i in range(len(headers))]
    try:
        return check_mapping(fields, headers), {}
    except ValueError as error:
        return fields, {"mapping": str(error)}
