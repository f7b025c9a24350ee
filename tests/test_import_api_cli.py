"""Client-book import from the command line and the API: same counts, dry run by default, roles, tenancy."""
import base64

import pytest

from salon_web.models import CustomerImport, SalonCustomer
from tests.api_helpers import api_as

BOOK = ("Client,Mobile,Mail,Remarks\n"
        "Aline Uwase,0788 123 456,,Likes tea\n"      # the world's Aline: update (notes)
        "Bea,0788 000 111,bea@example.com,\n"         # create
        "Dede,123,,\n")                               # error (phone)


def _body(**extra):
    return {"fileName": "book.csv", "content": base64.b64encode(BOOK.encode()).decode(), **extra}


def test_cli_dry_run_then_import(app, world, tmp_path):
    path = tmp_path / "book.csv"
    path.write_text(BOOK)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-customers", str(world.salon.id), str(path), "--dry-run",
                                 "--map", "Remarks=notes"])
    assert result.exit_code == 0, result.output
    assert "dry run: create 1, update 1, unchanged 0, skip 0, error 1" in result.output
    assert "row 4: error" in result.output
    assert SalonCustomer.in_salon(world.salon).count() == 1
    result = runner.invoke(args=["import-customers", str(world.salon.id), str(path), "--map", "Remarks=notes"])
    assert result.exit_code == 0, result.output
    assert "create 1, update 1, unchanged 0, skip 0, error 1" in result.output
    assert SalonCustomer.in_salon(world.salon).count() == 2
    assert SalonCustomer.get_by_id(world.customer.id).notes == "Likes tea"


@pytest.mark.parametrize("args, message", [
    (["--map", "Nope=phone"], "no column"),
    (["--map", "Mobile=shoe_size"], "not a field"),
    (["--map", "Mobile"], "COLUMN=field"),
])
def test_cli_refuses_bad_mapping(app, world, tmp_path, args, message):
    path = tmp_path / "book.csv"
    path.write_text(BOOK)
    result = app.test_cli_runner().invoke(args=["import-customers", str(world.salon.id), str(path), "--dry-run", *args])
    assert result.exit_code != 0 and message in result.output


def test_cli_bad_file_and_salon(app, world, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    runner = app.test_cli_runner()
    assert "The file is empty" in runner.invoke(args=["import-customers", str(world.salon.id), str(path)]).output
    assert "no salon" in runner.invoke(args=["import-customers", "999999", str(path)]).output


def test_api_dry_run_by_default_then_commit(app, world):
    api = api_as(app, world, "owner")
    salon = world.salon.id
    response = api.post(f"/salons/{salon}/imports", json=_body(mapping={"Remarks": "notes"}))
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "dry_run" and answer["importId"] is None
    assert answer["mapping"] == ["full_name", "phone", "email", "notes"]
    assert answer["counts"] == {"create": 1, "update": 1, "unchanged": 0, "skip": 0, "error": 1}
    assert [r["action"] for r in answer["rows"]] == ["update", "error"]
    assert SalonCustomer.in_salon(world.salon).count() == 1 and CustomerImport.select().count() == 0
    answer = api.post(f"/salons/{salon}/imports", json=_body(mapping={"Remarks": "notes"}, commit=True)).get_json()
    assert answer["status"] == "done" and answer["processedRows"] == 3 and answer["counts"]["create"] == 1
    assert SalonCustomer.in_salon(world.salon).count() == 2
    progress = api.get(f"/salons/{salon}/imports/{answer['importId']}")
    assert progress.status_code == 200 and progress.get_json()["counts"] == answer["counts"]


def test_api_roles_and_tenancy(app, world):
    assert api_as(app, world, "employee").post(f"/salons/{world.salon.id}/imports", json=_body()).status_code == 403
    other = api_as(app, world, "other_owner")
    assert other.post(f"/salons/{world.salon.id}/imports", json=_body()).status_code == 404
    answer = other.post(f"/salons/{world.other_salon.id}/imports", json=_body(commit=True)).get_json()
    # the other salon (FR) never sees salon A's Aline: its phone 0788… is no French mobile, so that row is refused there
    assert answer["counts"]["update"] == 0
    assert SalonCustomer.get_by_id(world.customer.id).notes == ""
    owner = api_as(app, world, "owner")
    assert owner.get(f"/salons/{world.salon.id}/imports/{answer['importId']}").status_code == 404


@pytest.mark.parametrize("body, status, field", [
    ({"fileName": "x.csv", "content": "not base64!!"}, 422, "content"),
    ({"fileName": "x.csv", "content": base64.b64encode(b"\x00\x01\x02" * 10).decode()}, 422, "content"),
    ({"fileName": "x.csv", "content": base64.b64encode(BOOK.encode()).decode(), "mapping": {"Client": "", "Mobile": "", "Mail": ""}}, 422,
     "mapping"),
])
def test_api_bad_input(app, world, body, status, field):
    response = api_as(app, world, "owner").post(f"/salons/{world.salon.id}/imports", json=body)
    assert response.status_code == status
    assert response.get_json()["errors"][0]["field"] == field
