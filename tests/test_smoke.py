from tests.conftest import text


def test_home_lists_communities(client, places):
    response = client.get("/")
    assert response.status_code == 200
    assert "朝阳社区" in text(response)
