"""The assessment's endpoints are in the OpenAPI schema and add no warning to it."""

from drf_spectacular.generators import SchemaGenerator


def test_the_schema_has_the_assessment_endpoints_without_warnings(db, capsys):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = [path for path in schema["paths"] if path.startswith("/api/v1/assessment/")]
    assert sorted(paths) == [
        "/api/v1/assessment/countries/{code}/",
        "/api/v1/assessment/methodologies/",
        "/api/v1/assessment/methodologies/{version}/",
        "/api/v1/assessment/methodologies/{version}/default/",
        "/api/v1/assessment/runs/",
        "/api/v1/assessment/runs/{id}/",
        "/api/v1/assessment/scorecard/",
    ]
    scorecard = schema["components"]["schemas"]["AssessmentScorecard"]["properties"]
    assert list(scorecard)[:4] == ["methodology", "from", "to", "as_of"]
    warnings = capsys.readouterr().err
    assert "assessment" not in warnings.lower()
