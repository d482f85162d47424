"""Load scripts for a snapshot, written from the codebook: R (base R only) and Stata.

Each reads the snapshot's CSV files with every column's type from its field
(integers, numbers, logicals/0-1 bytes, dates, UTC date-times) and attaches
value labels: roles, event kinds and case states from the fields' labels, the
sources (a factor of the values found), and each option's text (per case, from
the snapshot's own tallies) as `option_label`.
A new table or column in the codebook reaches both scripts without an edit here.
"""
from __future__ import annotations

from collections.abc import Sequence

from dilemmaboard.research.codebook import Field, Table, value_labels

OptionText = tuple[str, int, str]  # case slug, option number, the option's text
OPTION_FIELDS = ("option_number",)


# --- R ---------------------------------------------------------------------

_R_CLASSES = {"string": "character", "integer": "integer", "number": "numeric",
              "boolean": "logical", "date": "Date", "datetime": "character"}


def _r_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _r_vector(values: Sequence[str]) -> str:
    return "c(" + ", ".join(_r_string(v) for v in values) + ")"


def _r_table(table: Table) -> list[str]:
    classes = ", ".join(f"{_r_string(f.name)} = {_r_string(_R_CLASSES[f.type])}"
                        for f in table.fields)
    name = table.name
    lines = [f"# {table.title}: {table.name}.csv",
             f'{name} <- read_table("{name}.csv", c({classes}))']
    for f in table.fields:
        column = f"{name}${f.name}"
        if f.type == "datetime":
            lines.append(f'{column} <- as.POSIXct({column}, format = "%Y-%m-%dT%H:%M:%SZ", '
                         f'tz = "UTC")')
        elif f.labels:
            values, labels = zip(*value_labels(f), strict=True)
            lines.append(f"{column} <- factor({column}, levels = {_r_vector(values)}, "
                         f"labels = {_r_vector(labels)})")
        elif f.factor:
            lines.append(f"{column} <- factor({column})")
    if any(f.name in OPTION_FIELDS for f in table.fields) and name != "tallies":
        lines.append(f"{name} <- option_labels({name})")
    return lines


def r_script(tables: Sequence[Table], version: str) -> str:
    """An R script that loads every table of the snapshot into a data frame."""
    lines = [
        f"# Dilemmaboard research data, snapshot {version}: load every table into R.",
        "# Written from the codebook (datapackage.json). Base R only. From the unpacked",
        "# folder: Rscript load.R, or source(\"load.R\") in a session.",
        "read_table <- function(file, classes) {",
        "  read.csv(file, colClasses = classes, na.strings = \"\", check.names = FALSE,",
        "           encoding = \"UTF-8\", fileEncoding = \"UTF-8\", stringsAsFactors = FALSE)",
        "}",
    ]
    if any(t.name == "tallies" for t in tables):
        lines += [
            "# Each option's text, per case, from the tallies: added as option_label.",
            "option_labels <- function(data) {",
            "  key <- paste(tallies$case_slug, tallies$option_number)",
            "  data$option_label <- tallies$option_text[match(paste(data$case_slug,",
            "                                                      data$option_number), key)]",
            "  data",
            "}",
        ]
    else:
        lines += ["option_labels <- function(data) data"]
    # The tallies first: the other tables take their options' texts from them.
    for table in sorted(tables, key=lambda t: t.name != "tallies"):
        lines += _r_table(table)
    names = ", ".join(t.name for t in tables)
    lines += [f'cat("Loaded:", {_r_string(names)}, "\\n")']
    for table in tables:
        lines.append(f'cat("  {table.name}:", nrow({table.name}), "rows\\n")')
    return "\n".join(lines) + "\n"


# --- Stata -----------------------------------------------------------------

def _stata_string(text: str) -> str:
    # Compound quotes hold any text but a newline and the closing `"'` itself.
    return '`"' + text.replace("\n", " ").replace("\"'", "\" '") + "\"'"


def _stata_label_name(f: Field) -> str:
    return f"{f.name}_lbl"[:32]


def _stata_field(f: Field) -> list[str]:
    n = f.name
    if f.type in ("integer", "number"):
        return [f"destring {n}, replace"]
    if f.type == "boolean":
        return [f'generate byte {n}_ = cond({n} == "true", 1, cond({n} == "false", 0, .))',
                f"drop {n}", f"rename {n}_ {n}", f"label values {n} bool_lbl"]
    if f.type == "date":
        return [f'generate {n}_ = date({n}, "YMD")', f"format {n}_ %td",
                f"drop {n}", f"rename {n}_ {n}"]
    if f.type == "datetime":
        return [f'generate double {n}_ = clock({n}, "YMD#hms#")', f"format {n}_ %tc",
                f"drop {n}", f"rename {n}_ {n}"]
    if f.labels:
        label = _stata_label_name(f)
        lines = [f"generate byte {n}_ = ."]
        for code, (value, _text) in enumerate(value_labels(f), start=1):
            lines.append(f'replace {n}_ = {code} if {n} == "{value}"')
        lines += [f"drop {n}", f"rename {n}_ {n}", f"label values {n} {label}"]
        return lines
    if f.factor:  # codes and labels from the values found, in sorted order
        return [f"encode {n}, generate({n}_)", f"drop {n}", f"rename {n}_ {n}"]
    return []


def _stata_labels(tables: Sequence[Table]) -> list[str]:
    lines = ['label define bool_lbl 0 "false" 1 "true", replace']
    done = set()
    for table in tables:
        for f in table.fields:
            if f.labels and _stata_label_name(f) not in done:
                done.add(_stata_label_name(f))
                pairs = " ".join(f"{code} {_stata_string(text)}"
                                 for code, (_v, text) in enumerate(value_labels(f), start=1))
                lines.append(f"label define {_stata_label_name(f)} {pairs}, replace")
    return lines


def stata_script(tables: Sequence[Table], options: Sequence[OptionText], version: str) -> str:
    """A Stata do-file that turns each CSV of the snapshot into a labelled .dta file."""
    lines = [
        f"* Dilemmaboard research data, snapshot {version}: each table as a Stata .dta file.",
        "* Written from the codebook (datapackage.json). From the unpacked folder:",
        "*   do load.do",
        "version 16",
        "clear all",
    ]
    for table in tables:
        lines += [f"* {table.title}", f'import delimited using "{table.name}.csv", '
                  'varnames(1) encoding("utf-8") stringcols(_all) bindquote(strict) '
                  'maxquotelength(10000) clear']
        lines += _stata_labels([table])
        for f in table.fields:
            lines += _stata_field(f)
            lines.append(f"label variable {f.name} {_stata_string(f.description[:80])}")
        if any(f.name in OPTION_FIELDS for f in table.fields) and table.name != "tallies":
            lines.append('generate strL option_label = ""')
            for slug, number, text in options:
                lines.append(f'replace option_label = {_stata_string(text)} '
                             f'if case_slug == "{slug}" & option_number == {number}')
        lines += [f"label data {_stata_string(table.title)}",
                  f'save "{table.name}.dta", replace']
    return "\n".join(lines) + "\n"
