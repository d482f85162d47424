"""The texts inside a snapshot: its README (how to cite and load it) and CITATION.cff."""
from __future__ import annotations

import json


def citation(package: dict, *, publisher: str, url: str | None) -> str:
    """One line to cite the snapshot by (APA-like)."""
    year = package["created"][:4]
    where = f" {url}" if url else ""
    return (f"{publisher} ({year}). {package['title']} (Version {package['version']}) "
            f"[Data set].{where} {package['id']}")


def readme(package: dict, *, publisher: str, url: str | None) -> str:
    files = "\n".join(f"- `{r['path']}` — {r['title']} ({r['bytes']} bytes, "
                      f"{r['hash']})" for r in package["resources"])
    temporal = package.get("temporal")
    coverage = (f"{temporal['start']} to {temporal['end']} (site time zone)" if temporal
                else "no cases")
    return f"""# {package['title']} — snapshot {package['version']}

Made {package['created']} by {publisher}; covers {coverage}.
Licence: {package['licenses'][0]['title']} ({package['licenses'][0]['path']}).
Identifier: {package['id']}

## How to cite

{citation(package, publisher=publisher, url=url)}

CITATION.cff holds the same in the Citation File Format (GitHub, Zenodo and
reference managers read it). Cite the version you analysed: a later snapshot
may hold more votes and cases.

## Files

{files}

`datapackage.json` is the codebook (a Frictionless Data Package): every
column's type, description, unit and allowed values, the methodology and the
disclosure-risk note. Check the files with `sha256sum -c SHA256SUMS` and the
package with `frictionless validate datapackage.json`.

## How to load

- R (base R only): `Rscript load.R`, or `source("load.R")` in a session. Every
  table becomes a data frame with typed columns: logicals for booleans, `Date`
  for days, `POSIXct` (UTC) for times, factors with labels for roles, event
  kinds and case states, and `option_label` with each option's text.
- Stata: `do load.do` writes one labelled `.dta` file per table.
- Python: `frictionless`, or `pandas.read_csv(name, keep_default_na=False,
  na_values=[""])` with the types from `datapackage.json`.

Times are UTC (ISO 8601 with Z); an empty cell is a missing value.
"""


def citation_cff(package: dict, *, publisher: str, url: str | None) -> str:
    temporal = package.get("temporal") or {}
    lines = [
        "cff-version: 1.2.0",
        "message: If you use these data, please cite them as below.",
        "type: dataset",
        f"title: {json.dumps(package['title'] + ' (snapshot ' + package['version'] + ')')}",
        f"version: {json.dumps(package['version'])}",
        f"date-released: {package['created'][:10]}",
        "authors:",
        f"  - name: {json.dumps(publisher)}",
        f"license: {package['licenses'][0]['name']}",
        "identifiers:",
        "  - type: other",
        f"    value: {json.dumps(package['id'])}",
        "    description: The snapshot's identifier (datapackage.json id).",
        f"abstract: {json.dumps(package['description'].split(chr(10))[0][:600])}",
        "keywords:",
        *[f"  - {json.dumps(k)}" for k in package.get("keywords", [])],
    ]
    if url:
        lines.append(f"url: {json.dumps(url)}")
    if temporal:
        lines.append(f"# Temporal coverage: {temporal['start']} to {temporal['end']}")
    return "\n".join(lines) + "\n"
