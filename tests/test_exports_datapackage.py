"""The codebook: /export/datapackage.json validates with `frictionless` against the
real files it describes, downloaded from the site."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from frictionless import Package, validate

from dilemmaboard.research.codebook import TABLES
from tests.conftest import write_case
from tests.test_exports import add_editor, basic, ensure_seed_case, vote_at
from tests.test_exports_records import add_comment

FILES = [f"{name}.{fmt}" for fmt in ("csv", "json")
         for name in ("tallies", "timeseries", "votes", "comments", "profiles",
                      "tallies_by_source")]
PUBLIC_FILES = [f"{name}.{fmt}" for fmt in ("csv", "json")
                for name in ("tallies", "timeseries", "profiles", "tallies_by_source")]


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


def test_the_public_datapackage_lists_and_validates_the_public_files(site, tmp_path):
    client = site.test_client()
    package = client.get("/export/datapackage.json").get_json()
    assert sorted(r["path"] for r in package["resources"]) == sorted(PUBLIC_FILES)
    for name in [*PUBLIC_FILES, "datapackage.json"]:
        response = client.get(f"/export/{name}")
        assert response.status_code == 200, name
        (tmp_path / name).write_bytes(response.get_data())
    # Validated as downloaded, without a login and without editing the descriptor.
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])


def test_the_researcher_datapackage_validates_with_an_empty_table(make_app, tmp_path):
    app = make_app()  # the sample cases: no comments, so comments.json is []
    add_editor(app)
    download(app, tmp_path)
    assert (tmp_path / "comments.json").read_text().strip() == "[\n]"
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])


def served_export_files(app) -> list[str]:
    """Every file under /export/ that a logged-in researcher gets with a 200."""
    client = app.test_client()
    served = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/export/"):
            continue
        choices = {}
        for argument in rule.arguments:
            converter = rule._converters[argument]
            choices[argument] = sorted(getattr(converter, "items", None)
                                       or [*TABLES, "datapackage", "codebook", "readme"])
        paths = [rule.rule]
        for argument, values in choices.items():
            paths = [re.sub(rf"<[^>]*\b{argument}>", value, path)
                     for path in paths for value in values]
        for path in paths:
            if client.get(path, headers=basic()).status_code == 200:
                served.append(path.removeprefix("/export/"))
    return served


def test_the_codebook_describes_every_served_file(site):
    served = served_export_files(site)
    assert "timeseries.json" in served and "votes.json" in served
    package = site.test_client().get("/export/datapackage.json", headers=basic()).get_json()
    described = {r["path"] for r in package["resources"]} | {"datapackage.json"}
    assert sorted(set(served) - described) == []


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
