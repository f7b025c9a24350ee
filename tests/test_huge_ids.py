"""Ids beyond the column's range find nothing (404 or a field error), never a database error."""
BIG = "9" * 25


def test_huge_ids_in_urls_are_404(client, world, login_as):
    login_as("owner")
    assert client.get(f"/salons/{BIG}/customers").status_code == 404
    assert client.get(f"/salons/{world.salon.id}/customers/{BIG}").status_code == 404
    assert client.post(f"/salons/{BIG}/switch").status_code == 404


def test_huge_ids_in_forms_are_field_errors(client, world, login_as):
    login_as("owner")
    sale = client.post(f"/salons/{world.salon.id}/sales",
                       data={"customer_id": BIG, "appointment_id": BIG, "item_description": "Cut", "item_quantity": "1",
                             "item_price": "5000"})
    assert sale.status_code == 422
    booking = client.post(f"/salons/{world.salon.id}/appointments", data={"customer_id": BIG, "employee_id": BIG})
    assert booking.status_code == 422
    listing = client.get(f"/salons/{world.salon.id}/appointments?employee={BIG}")
    assert listing.status_code in (200, 422)
    bulk = client.post(f"/salons/{world.salon.id}/customers/bulk-tags",
                       data={"scope": "selected", "ids": BIG, "tag": "VIP", "action": "add"})
    assert bulk.status_code == 422
