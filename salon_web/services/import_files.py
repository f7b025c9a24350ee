"""Reading a client book: CSV (any delimiter, any common encoding), XLSX and vCard, as a header and text rows.

XLSX is read with python-calamine: a Rust reader, read-only, several times faster than openpyxl on a
50,000-row sheet, and it never evaluates a formula: a formula cell gives the value the spreadsheet last
computed (what the owner saw), never the formula text, so nothing in the file runs here.
vCard (a phone's contacts) is parsed by hand: only FN, N, TEL, EMAIL, BDAY, NOTE and CATEGORIES matter.
Every cell comes out as text (dates as ISO text), so the row rules in import_rows see one kind of input.
"""
import codecs
import csv
import dataclasses
import datetime
import io

from salon_web.services.field_errors import FieldErrors
from salon_web.texts import _l

MAX_ROWS = 100_000
SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
NOT_A_BOOK = _l("This file is not a CSV, Excel (.xlsx) or vCard (.vcf) file.")
VCARD_HEADERS = ["Name", "First name", "Last name", "Phone", "Email", "Birthday", "Notes", "Tags"]


@dataclasses.dataclass
class Table:
    """A client book as read: its format, its column headers, its rows (lists of text, as long as the header)."""

    file_format: str
    headers: list
    rows: list


def refuse(message):
    """Raise the one error an unreadable file gives (shown beside the file field)."""
    raise FieldErrors({"file": message})


def read_table(data, file_name=""):
    """Return the Table in an uploaded file's bytes; raise FieldErrors({"file": ...}) when it cannot be read."""
    if not data or not data.strip():
        refuse(_l("The file is empty."))
    name = (file_name or "").lower()
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        table = _read_xlsx(data)
    elif name.endswith((".vcf", ".vcard")) or data.lstrip()[:11].upper().startswith(b"BEGIN:VCARD"):
        table = Table("vcf", list(VCARD_HEADERS), _read_vcard(decode(data)))
    else:
        table = _read_csv(data)
    headers = [" ".join(str(h or "").split()) for h in table.headers]
    if not any(headers):
        refuse(_l("The first row should name the columns (for example Name, Phone, Email)."))
    if not table.rows:
        refuse(_l("The file has a header row but no clients under it."))
    if len(table.rows) > MAX_ROWS:
        refuse(_l("The file has %(rows)s rows; import at most %(max)s at a time.", rows=format(len(table.rows), ","),
                   max=format(MAX_ROWS, ",")))
    width = len(headers)
    table.headers = [h or f"Column {i + 1}" for i, h in enumerate(headers)]
    table.rows = [(row + [""] * width)[:width] for row in table.rows]
    return table


def decode(data):
    """Return the text of CSV or vCard bytes: UTF-8 (with or without BOM), else what charset-normalizer finds."""
    if b"\x00" in data[:SAMPLE_BYTES] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        refuse(NOT_A_BOOK)
    try:
        return _no_nul(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # Only the encodings spreadsheets in our markets write: with wider choice a short French file
    # was taken for Mac Roman or Central European ("É" read as "…").
    best = from_bytes(data[:SAMPLE_BYTES * 4], cp_isolation=["cp1252", "latin_1", "utf_16"]).best()
    encoding = best.encoding if best is not None else "cp1252"
    try:
        return _no_nul(data.decode(encoding))
    except (UnicodeDecodeError, LookupError):
        return _no_nul(data.decode("latin-1"))  # every byte is a Latin-1 character: never fails


def _no_nul(text):
    """Refuse text with NUL characters: no client book has them (and PostgreSQL cannot store them)."""
    if "\x00" in text:
        refuse(NOT_A_BOOK)
    return text


def _read_csv(data):
    text = decode(data)
    if sum(1 for ch in text[:SAMPLE_BYTES] if not ch.isprintable() and ch not in "\r\n\t") > 16:
        refuse(NOT_A_BOOK)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text[:SAMPLE_BYTES]))
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error:
        refuse(_l("This CSV file is damaged (a quote is never closed)."))
    if not rows:
        refuse(_l("The file is empty."))
    return Table("csv", rows[0], rows[1:])


def sniff_delimiter(sample):
    """Return the sample's delimiter: csv.Sniffer's guess, else the most frequent candidate in the first line."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first_line = sample.split("\n", 1)[0]
        counts = {d: first_line.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _read_xlsx(data):
    from python_calamine import CalamineError, load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows = [[_cell_text(cell) for cell in row] for row in sheet.iter_rows()]
    except (CalamineError, ValueError, OSError, IndexError):
        refuse(_l("This Excel file cannot be read (save it again as .xlsx, or as CSV)."))
    except Exception as error:  # calamine raises its own zip/xml errors, not all derived from CalamineError
        if type(error).__module__.startswith("python_calamine"):
            refuse(_l("This Excel file cannot be read (save it again as .xlsx, or as CSV)."))
        raise
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        refuse(_l("The spreadsheet's first sheet is empty."))
    return Table("xlsx", rows[0], rows[1:])


def _cell_text(value):
    """A spreadsheet cell as text: integral numbers without ".0" (phone numbers), dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).replace("\x00", "")


# --- vCard ------------------------------------------------------------------------------------------------

def _read_vcard(text):
    """Return one row per BEGIN:VCARD..END:VCARD block, in VCARD_HEADERS order."""
    rows, card = [], None
    for line in _unfolded(text):
        name, params, value = _property(line)
        if name == "BEGIN" and value.upper() == "VCARD":
            card = {}
        elif name == "END" and card is not None:
            rows.append([card.get(h, "") for h in VCARD_HEADERS])
            card = None
        elif card is not None:
            _take(card, name, params, value)
    if not rows:
        refuse(_l("This vCard file holds no contacts."))
    return rows


def _unfolded(text):
    """Yield logical lines: a line starting with a space or tab continues the previous one (RFC 6350 §3.2)."""
    current = None
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and current is not None:
            current += raw[1:]
            continue
        if current is not None:
            yield current
        current = raw
    if current is not None:
        yield current


def _property(line):
    """Split `item1.TEL;TYPE=CELL:+250...` into ("TEL", "TYPE=CELL", "+250...")."""
    head, _, value = line.partition(":")
    name, _, params = head.partition(";")
    return name.rsplit(".", 1)[-1].strip().upper(), params.upper(), value.strip()


def _unescape(value):
    return value.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def _take(card, name, params, value):
    """Put one vCard property into the card's columns (the first phone and e-mail win, a mobile over others)."""
    if name == "FN":
        card["Name"] = _unescape(value)
    elif name == "N":
        parts = value.split(";") + ["", ""]
        card["Last name"], card["First name"] = _unescape(parts[0]), _unescape(parts[1])
    elif name == "TEL" and value and ("Phone" not in card or "CELL" in params and not card.get("_cell")):
        card["Phone"] = value.removeprefix("tel:")
        card["_cell"] = "CELL" in params
    elif name == "EMAIL" and value and "Email" not in card:
        card["Email"] = value
    elif name == "BDAY":
        card["Birthday"] = value
    elif name == "NOTE":
        card["Notes"] = _unescape(value)
    elif name == "CATEGORIES":
        card["Tags"] = _unescape(value)
