"""The codebook: /export/datapackage.json validates with `frictionless` against the
real files it describes, downloaded from the site."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from frictionless import Package, validate

from dilemmaboard.research.codebook import TABLES
from tests.conftest import write_case
from tests.test_exports import add_editor, basic, ensure_seed_case, vote_at
from tests.test_exports_records import add_comment

FILES = ["tallies.csv", "tallies.json", "timeseries.csv", "votes.csv", "comments.csv",
         "profiles.csv", "tallies_by_source.csv", "tallies_by_source.json"]


@pytest.fixture
def site(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "blandet", publish="2021-03-01", closes="2021-03-08T12:00",
               title='Komma, "citat" og æøå',
               extra="shuffle: true\nimported_votes: [3, 0, 0, 0, 1]")
    write_case(dilemmas_dir, "tom", publish="2021-04-01", closes="2021-04-08T12:00")
    app = make_app()
    ensure_seed_case(app, dilemmas_dir)
    roles = ["executive", "middle_manager", None, "employee", "executive", "other"]
    for i in range(30):
        vote_at(app, "blandet", f"r{i}", i % 5 + 1, datetime(2021, 3, 1 + i % 6, 9, i),
                profile=roles[i % len(roles)], shown_position=(i % 5) + 1)
    vote_at(app, "blandet", "r0", 3, datetime(2021, 3, 7, 9))
    vote_at(app, "blandet", "p1", 2, datetime(2021, 3, 2, 9), source="lederne")
    vote_at(app, "blandet", "p2", 4, datetime(2021, 3, 3, 9), source="unknown")
    parent = add_comment(app, "blandet", "Anna", option_number=1)
    add_comment(app, "blandet", "Bo, med\nlinjeskift", parent_id=parent, option_number=3)
    add_editor(app)
    return app


def download(app, folder) -> None:
    client = app.test_client()
    for name in [*FILES, "datapackage.json"]:
        response = client.get(f"/export/{name}", headers=basic())
        assert response.status_code == 200, name
        (folder / name).write_bytes(response.get_data())


def test_datapackage_validates_against_the_exported_files(site, tmp_path):
    download(site, tmp_path)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type",
                                         "note"])
    package = Package(str(tmp_path / "datapackage.json"))
    assert sorted(r.path for r in package.resources) == sorted(FILES)
    for resource in package.resources:
        if resource.format == "csv":
            with resource:
                assert resource.header == [f.name for f in resource.schema.fields]


def test_the_public_datapackage_validates_against_the_public_files(site, tmp_path):
    client = site.test_client()
    for name in ["tallies.csv", "timeseries.csv", "profiles.csv", "tallies_by_source.csv",
                 "datapackage.json"]:
        (tmp_path / name).write_bytes(client.get(f"/export/{name}").get_data())
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    # votes and comments need a login; validate what the public can fetch.
    descriptor["resources"] = [r for r in descriptor["resources"]
                               if r["path"] in {"tallies.csv", "timeseries.csv", "profiles.csv",
                                                "tallies_by_source.csv"}]
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])


def test_every_field_is_described_with_type_and_missing_values(site):
    package = site.test_client().get("/export/datapackage.json").get_json()
    for resource in package["resources"]:
        schema = resource["schema"]
        assert schema["missingValues"] == [""]
        assert resource["description"] and resource["title"]
        for field in schema["fields"]:
            assert field["type"] in {"string", "integer", "number", "boolean", "datetime",
                                     "date"}
            assert len(field["description"]) > 10, field["name"]
        table = TABLES[resource["name"].removesuffix("-json")]
        assert [f["name"] for f in schema["fields"]] == table.header
    units = {f["name"]: f.get("unit") for r in package["resources"]
             for f in r["schema"]["fields"]}
    assert units["share"] == "fraction (0-1)" and units["percent"] == "percent"
    assert units["publish_at"] == "UTC"
    assert "imported votes" in package["description"].lower()
    assert "self-selected" in package["description"]
