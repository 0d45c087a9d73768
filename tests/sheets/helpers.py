"""Spreadsheets built the way people make them: CSV text and openpyxl workbooks."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

HEADER = [
    "ref",
    "type",
    "title",
    "objective_ref",
    "period",
    "level",
    "team",
    "owner",
    "parent_ref",
    "kind",
    "start",
    "target",
    "status",
]


def rows_as_dicts(rows):
    return [dict(zip(HEADER, row, strict=False)) for row in rows]


def csv_bytes(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, org, name, content):
    url = reverse("sheets:import", args=[org.slug])
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def confirm(client, org, token):
    return client.post(reverse("sheets:import-confirm", args=[org.slug]), {"token": token})


def token_of(response) -> str:
    return response.context["upload"].token


def read_xlsx(content: bytes):
    """The first sheet's rows as lists of values, and the sheet itself."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)], sheet


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
