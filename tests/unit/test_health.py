def test_health_reports_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["database"]["dialect"] in {"sqlite", "postgresql"}


def test_openapi_docs_are_served_and_describe_the_auth_routes(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/auth/token", "/api/auth/me", "/api/users"} <= set(paths)


def test_unknown_api_route_is_a_json_404(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_health_is_503_when_the_database_is_unreachable(client, monkeypatch):
    import sqlalchemy as sa

    from aisha_app import db

    broken = sa.create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    monkeypatch.setattr(db, "get_engine", lambda: broken)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["database"]["status"] == "error"
