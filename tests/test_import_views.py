"""Client-book import pages: upload, mapping, dry run, confirm, progress, rejected rows, undo; sizes and roles."""

from salon_web.models import AuditEvent, CustomerImport, SalonCustomer

BOOK = "Nom;Téléphone;Courriel;Étiquettes\nBea Mukamana;0788 000 111;bea@example.com;VIP\nDede;12;;\n"


def _upload(client, salon, data=BOOK.encode("cp1252"), name="clients.csv"):
    """POST the file as a browser does (the body built here: the test client would spool a large one to disk)."""
    boundary = "----salonwebtestboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(f"/salons/{salon.id}/imports", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_upload_map_dry_run_confirm_undo(client, world, login_as):
    login_as("owner")
    salon = world.salon
    assert "Import clients" in client.get(f"/salons/{salon.id}/customers").get_data(as_text=True)
    response = _upload(client, salon)
    assert response.status_code == 303
    page_url = response.headers["Location"]
    page = client.get(page_url).get_data(as_text=True)
    assert "Which column holds what?" in page and 'value="phone" selected' in page
    customer_import = CustomerImport.select().where(CustomerImport.salon == salon).get()
    before = SalonCustomer.in_salon(salon).count()
    form = {"column-0": "full_name", "column-1": "phone", "column-2": "email", "column-3": "tags"}
    assert client.post(f"{page_url}/preview", data=form).status_code == 303
    assert SalonCustomer.in_salon(salon).count() == before  # the dry run wrote no card
    previewed = CustomerImport.get_by_id(customer_import.id)
    assert (previewed.status, previewed.processed_rows) == ("previewed", 2)  # the dry-run job ran, chunk by chunk
    assert "Dede" in client.get(f"{page_url}/rejected.csv").get_data(as_text=True)  # what it would refuse
    page = client.get(page_url).get_data(as_text=True)
    assert "Confirm and import" in page and "wrong length" in page
    assert client.post(f"{page_url}/apply").status_code == 303  # the job runs at once in tests
    page = client.get(page_url).get_data(as_text=True)
    assert "Imported" in page and "Undo this import" in page
    assert SalonCustomer.in_salon(salon).count() == before + 1
    rejected = client.get(f"{page_url}/rejected.csv")
    assert rejected.status_code == 200 and "Dede" in rejected.get_data(as_text=True)
    fragment = client.get(page_url, headers={"HX-Request": "true", "HX-Target": "import-status"})
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert client.post(f"{page_url}/undo").status_code == 303
    assert SalonCustomer.in_salon(salon).count() == before
    assert "Undone: 1 new cards removed" in client.get(page_url).get_data(as_text=True)
    actions = {e.action for e in AuditEvent.select().where(AuditEvent.object_id == str(customer_import.id))}
    assert {"customer_import.queued", "customer_import.applied", "customer_import.undone"} <= actions
    # the mapping is remembered for the salon's next file with these columns
    _upload(client, salon)
    second = CustomerImport.select().where(CustomerImport.salon == salon).order_by(CustomerImport.id.desc()).get()
    assert second.mapping == ["full_name", "phone", "email", "tags"]


def test_mapping_without_identifying_column_is_refused(client, world, login_as):
    login_as("owner")
    page_url = _upload(client, world.salon).headers["Location"]
    response = client.post(f"{page_url}/preview", data={"column-3": "tags"})
    assert response.status_code == 422 and "Map at least a name, phone or e-mail column" in response.get_data(as_text=True)


def test_bad_files_give_422_with_the_reason(client, world, login_as):
    login_as("admin")
    for data, name, message in [(b"", "empty.csv", "The file is empty."),
                                (b"\x00\x01\xff" * 100, "photo.jpg", "not a CSV, Excel"),
                                (b"Name\n", "only-header.csv", "no clients")]:
        response = _upload(client, world.salon, data, name)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    response = client.post(f"/salons/{world.salon.id}/imports", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a CSV" in response.get_data(as_text=True)
    assert CustomerImport.select().count() == 0


def test_fifty_megabytes_is_413_with_the_limit(client, world, login_as):
    login_as("owner")
    big = b"Name,Phone\n" + b"Aline Uwase,0788123456\n" * (50 * 1024 * 1024 // 23)
    response = _upload(client, world.salon, big, "huge.csv")
    assert response.status_code == 413
    assert "larger than 20 MB" in response.get_data(as_text=True)
    assert CustomerImport.select().count() == 0


def test_a_file_over_two_megabytes_is_accepted(client, world, login_as):
    login_as("owner")
    lines = "".join(f"Client {i},0788{i:06d},Prefers mornings and a quiet corner by the window\n" for i in range(40_000))
    data = ("Name,Phone,Notes\n" + lines).encode()
    assert len(data) > 2 * 1024 * 1024
    assert _upload(client, world.salon, data, "big.csv").status_code == 303


def test_employee_cannot_import(client, world, login_as):
    login_as("employee")
    assert _upload(client, world.salon).status_code == 403
    assert "Import clients" not in client.get(f"/salons/{world.salon.id}/customers").get_data(as_text=True)
