"""Citable snapshots (issue 16): `flask export snapshot`, the desk's button, /data.

A snapshot unpacks to a Frictionless package that `frictionless validate`
accepts, whose R script loads every table in `Rscript` (where R is installed;
required in CI through REQUIRE_SERVICES=r), and which stays downloadable,
unchanged, from the data page while the live files move on.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from frictionless import validate

from dilemmaboard import config
from dilemmaboard.research.codebook import TABLES
from tests.admin_helpers import Desk, add_login, token_of
from tests.conftest import require_service, write_case
from tests.test_exports import add_editor, basic, vote_at
from tests.test_exports_records import add_comment

PUBLIC_TABLES = {"tallies", "timeseries", "profiles", "tallies_by_source"}


@pytest.fixture
def site(make_app, dilemmas_dir, tmp_path):
    write_case(dilemmas_dir, "blandet", publish="2021-03-01", closes="2021-03-08T12:00",
               title='Komma, "citat" og æøå',
               options=["Først", 'Andet "svar"', "Tredje, med komma", "Fjerde", "Femte"],
               extra="imported_votes: [3, 0, 0, 0, 1]")
    app = make_app(PROFILE_QUESTION=True, SNAPSHOT_DIR=str(tmp_path / "published"))
    roles = ["executive", "middle_manager", None, "employee", "executive", "other"]
    for i in range(30):
        vote_at(app, "blandet", f"r{i}", i % 5 + 1, datetime(2021, 3, 1 + i % 6, 9, i),
                profile=roles[i % len(roles)])
    vote_at(app, "blandet", "r0", 3, datetime(2021, 3, 7, 9))
    add_comment(app, "blandet", "Anna", option_number=1)
    add_editor(app)
    return app


def export(app, *args):
    return app.test_cli_runner().invoke(args=["export", "snapshot", *args])


def unpack(data: bytes, folder: Path) -> Path:
    archive = folder / "snapshot.zip"
    archive.write_bytes(data)
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        assert len({n.split("/")[0] for n in names}) == 1  # one folder, named for the version
        zipped.extractall(folder)
    return folder / names[0].split("/")[0]


def test_a_snapshot_holds_every_table_and_validates(site, tmp_path):
    target = tmp_path / "out.zip"
    result = export(site, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "sha256:" in result.output and hashlib.sha256(target.read_bytes()).hexdigest() \
        in result.output
    folder = unpack(target.read_bytes(), tmp_path)
    names = {p.name for p in folder.iterdir()}
    assert {f"{t}.csv" for t in TABLES} <= names
    assert {"datapackage.json", "README.md", "CITATION.cff", "SHA256SUMS", "load.R",
            "load.do"} <= names
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert folder.name == f"dilemmaboard-data-{package['version']}"
    assert package["id"].startswith("urn:uuid:") and package["created"].endswith("Z")
    assert package["temporal"]["start"] <= "2021-03-01" <= package["temporal"]["end"]
    assert package["contributors"] == [{"title": "Dilemmaboard", "role": "publisher"}]
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and package["sources"]
    for resource in package["resources"]:
        data = (folder / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert package["version"] in readme and "Rscript load.R" in readme
    assert f'version: "{package["version"]}"' in (folder / "CITATION.cff").read_text()
    stata = (folder / "load.do").read_text(encoding="utf-8")
    assert "label define role_lbl" in stata and 'Andet "svar"' in stata
    assert "encode source, generate(source_)" in stata  # the sources, a labelled factor
    assert (folder / "tallies_by_source.csv").read_text().startswith("case_slug,source,")


def test_filters_do_not_apply_to_a_snapshot(site):
    result = export(site, "--case", "blandet")
    assert result.exit_code == 2 and "--case" in result.output


def test_the_r_script_loads_every_table_with_types_and_labels(site, tmp_path):
    require_service("r")
    target = tmp_path / "out.zip"
    assert export(site, "-o", str(target)).exit_code == 0
    folder = unpack(target.read_bytes(), tmp_path)
    checks = folder / "check.R"
    checks.write_text("\n".join([
        'source("load.R")',
        "stopifnot(is.logical(profiles$suppressed), is.logical(comments$option_changed))",
        "stopifnot(is.integer(tallies$votes), is.numeric(tallies$share))",
        'stopifnot(inherits(timeseries$date, "Date"), inherits(votes$event_hour, "POSIXct"))',
        'stopifnot(is.factor(votes$kind), "Changed vote" %in% levels(votes$kind))',
        'stopifnot(is.factor(profiles$role), "Executive" %in% levels(profiles$role))',
        'stopifnot(is.factor(votes$source), levels(votes$source) == "site")',
        'stopifnot(is.factor(comments$source), is.factor(timeseries$source))',
        'stopifnot(is.factor(tallies_by_source$source), is.integer(tallies_by_source$votes))',
        'stopifnot("tallies_by_source" %in% ls())',
        'stopifnot(any(votes$option_label == "Andet \\"svar\\"", na.rm = TRUE))',
        'stopifnot(sum(votes$kind == "Changed vote") == 1)',
        "stopifnot(nrow(tallies) == length(unique(tallies$case_slug)) * 5)",
        'cat("checked\\n")',
    ]) + "\n", encoding="utf-8")
    run = subprocess.run(["Rscript", "check.R"], cwd=folder, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert "checked" in run.stdout and "votes: 31 rows" in run.stdout


def test_published_snapshots_are_listed_and_stay_unchanged(site, tmp_path):
    result = export(site, "--public")
    assert result.exit_code == 0, result.output
    client = site.test_client()
    page = client.get("/data").get_data(as_text=True)
    cards = json.loads(next((tmp_path / "published").glob("*.json")).read_text())
    assert cards["version"] in page and cards["sha256"] in page
    link = f"/data/snapshots/{cards['filename']}"
    first = client.get(link)
    assert first.status_code == 200 and first.mimetype == "application/zip"
    assert hashlib.sha256(first.data).hexdigest() == cards["sha256"]
    assert "immutable" in first.headers["Cache-Control"]
    folder = unpack(first.data, tmp_path)
    assert {p.stem for p in folder.glob("*.csv")} == PUBLIC_TABLES  # public files only
    assert validate(str(folder / "datapackage.json")).valid
    # The live file moves on; the snapshot does not.
    vote_at(site, "blandet", "ny", 5, datetime(2021, 3, 7, 10))
    assert client.get("/export/tallies.csv").data != (folder / "tallies.csv").read_bytes()
    assert client.get(link).data == first.data
    # A second snapshot the same day gets the next version.
    assert export(site, "--public").exit_code == 0
    assert f"{cards['version']}-2" in client.get("/data").get_data(as_text=True)


def test_a_snapshot_of_every_table_needs_a_login(site):
    assert export(site).exit_code == 0
    client = site.test_client()
    page = client.get("/data").get_data(as_text=True)
    link = next(part.split('"')[0] for part in page.split('href="')[1:]
                if part.startswith("/data/snapshots/"))
    assert client.get(link).status_code == 401
    response = client.get(link, headers=basic())
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("name", ["nothing.zip", "dilemmaboard-data-2021.01.01.zip",
                                  "..%2F..%2Fapp.py", "dilemmaboard-data-2021.01.01.zip.json"])
def test_unknown_snapshots_are_not_found(site, name):
    assert site.test_client().get(f"/data/snapshots/{name}").status_code == 404


def test_editors_publish_a_snapshot_from_the_desk(site):
    add_login(site)
    desk = Desk(site.test_client())
    dashboard = desk.get("/admin/").get_data(as_text=True)
    assert "/admin/snapshots" in dashboard
    response = desk.post("/admin/snapshots", access="public")
    assert response.status_code == 303 and response.headers["Location"].startswith("/data")
    page = desk.client.get("/data").get_data(as_text=True)
    assert "dilemmaboard-data-" in page
    audit = desk.get("/admin/audit").get_data(as_text=True)
    assert "snapshot" in audit


def test_researchers_cannot_publish_snapshots(site):
    add_login(site, "forsker2", "researcher")
    desk = Desk(site.test_client(), username="forsker2")
    token = token_of(desk.client, "/admin/login")
    response = desk.client.post("/admin/snapshots", data={"csrf_token": token,
                                                          "access": "public"})
    assert response.status_code == 403
    assert not (Path(site.config["SNAPSHOT_DIR"])).exists()


def test_the_data_page_describes_every_file_and_how_to_cite(site):
    client = site.test_client()
    home = client.get("/").get_data(as_text=True)
    assert 'href="/data">Data til forskere</a>' in home  # the footer opens the human page
    page = client.get("/data").get_data(as_text=True)
    for table in TABLES.values():
        for fmt in ("csv", "json"):
            assert f'href="/export/{table.name}.{fmt}"' in page
        assert table.title in page
    assert TABLES["votes"].description.split(".")[0] in page
    assert page.count(">login<") == 4  # votes and comments, CSV and JSON
    assert "CC BY 4.0" in page or "Creative Commons Attribution 4.0" in page
    assert "[Data set]" in page and "Disclosure risk" in page
    assert client.get("/data?x=1").status_code == 400


def test_snapshot_settings_are_checked(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(config.ConfigError, match="SNAPSHOT_DIR"):
        config.load(tmp_path, {"TESTING": True, "SNAPSHOT_DIR": str(not_a_folder)})
    with pytest.raises(config.ConfigError, match="DATA_PUBLISHER"):
        config.load(tmp_path, {"TESTING": True, "DATA_PUBLISHER": "x" * 201})
    settings = config.load(tmp_path, {"TESTING": True}, environ={})
    assert settings["SNAPSHOT_DIR"] == str(tmp_path / "snapshots")
    assert settings["DATA_PUBLISHER"] == "Dilemmaboard"
