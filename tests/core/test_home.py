"""The home page shows the product's sections to a signed-in user."""

import pytest


@pytest.mark.django_db
def test_home_page_introduces_readmit(client, viewer):
    client.force_login(viewer)
    response = client.get("/en/")
    assert response.status_code == 200
    assert "removals cooperation" in response.content.decode()


@pytest.mark.django_db
def test_root_redirects_to_a_language(client, viewer):
    client.force_login(viewer)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] in {"/en/", "/fr/"}


@pytest.mark.django_db
def test_api_schema_and_docs_need_a_signed_in_user(client, viewer):
    assert client.get("/api/schema/").status_code in {401, 403}
    client.force_login(viewer)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
