"""The sync's problem lines in the editor's language, for the dashboard.

The loader and `flask dilemmas check` speak English (`path:line: message`), and the
dashboard keeps those very lines for searching and copying. Beside them it says
each problem in words: the known messages are matched here and translated; one not
known yet is shown as it is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

_LINE = re.compile(r"^(?P<path>.+?):(?:(?P<line>\d+):)? (?P<message>.*)$", re.S)

# (pattern of the English message, its words; the pattern's named groups fill them in)
_MESSAGES = [
    (r"unknown key '(?P<key>.*?)' \(did you mean '(?P<hint>.*?)'\?\)",
     _l("ukendt nøgle '%(key)s' (mente du '%(hint)s'?)")),
    (r"unknown key '(?P<key>.*)'", _l("ukendt nøgle '%(key)s'")),
    (r"missing '(?P<key>.*)'", _l("'%(key)s' mangler")),
    (r"'(?P<key>.*)' is empty", _l("'%(key)s' er tom")),
    (r"'(?P<key>.*)' is over (?P<num>\d+) characters", _l("'%(key)s' er over %(num)s tegn")),
    (r"'(?P<key>.*)' must be text", _l("'%(key)s' skal være tekst")),
    (r"'(?P<key>.*)' must be true or false", _l("'%(key)s' skal være true eller false")),
    (r"bad date for '(?P<key>.*?)': (?P<value>.*)", _l("ugyldig dato i '%(key)s': %(value)s")),
    (r"'closes' is before 'publish'", _l("'closes' ligger før 'publish'")),
    (r"options must be a list of exactly five answers",
     _l("'options' skal være en liste med præcis fem svar")),
    (r"expected exactly (?P<want>\d+) options, found (?P<num>\d+)",
     _l("der skal være præcis %(want)s svar, der er %(num)s")),
    (r"option (?P<num>\d+) is empty or not text", _l("svar %(num)s er tomt eller ikke tekst")),
    (r"option (?P<num>\d+) is empty", _l("svar %(num)s er tomt")),
    (r"option (?P<num>\d+) text changed but the case already has votes.*",
     _l("teksten til svar %(num)s er ændret, men casen har allerede stemmer; den gemte "
        "udgave beholdes (flask dilemmas sync --allow-option-edits godtager ændringen)")),
    (r"bad slug (?P<value>.*?) from the (?:slug|file name): .*",
     _l("ugyldig slug %(value)s: brug a-z, 0-9 og bindestreg (højst 80 tegn)")),
    (r"duplicate slug '(?P<value>.*?)' \(also used by (?P<others>.*)\)",
     _l("slug '%(value)s' bruges to gange (også af %(others)s)")),
    (r"bad language (?P<value>.*?) \(.*\)",
     _l("ugyldigt sprog %(value)s (brug fx 'da' eller 'en')")),
    (r"bad results mode (?P<value>.*?): use one of (?P<modes>.*)",
     _l("ugyldig værdi for 'results' %(value)s: brug en af %(modes)s")),
    (r"tags must be a list of words", _l("'tags' skal være en liste af ord")),
    (r"imported_votes must be five non-negative whole numbers",
     _l("'imported_votes' skal være fem hele tal, ingen under nul")),
    (r"the case text \(after the front matter\) is empty", _l("casens tekst mangler")),
    (r"still the scaffold's placeholder text: write the case here",
     _l("her står stadig skabelonens pladsholdertekst: skriv casen")),
    (r"the Markdown is nested too deeply", _l("Markdown-teksten er indlejret for dybt")),
    (r"the Markdown is indented too deeply", _l("Markdown-teksten er indrykket for dybt")),
    (r"file must start with '---' and YAML front matter",
     _l("filen skal begynde med '---' og YAML-forside")),
    (r"front matter is not closed with '---'", _l("YAML-forsiden er ikke afsluttet med '---'")),
    (r"front matter is empty", _l("YAML-forsiden er tom")),
    (r"file is not valid UTF-8", _l("filen er ikke gyldig UTF-8")),
    (r"YAML error: (?P<value>.*)", _l("fejl i YAML: %(value)s")),
    (r"duplicate key '(?P<key>.*)'", _l("nøglen '%(key)s' står der to gange")),
]
_COMPILED = [(re.compile(pattern + r"\Z", re.S), words) for pattern, words in _MESSAGES]


@dataclass(frozen=True)
class ProblemLine:
    """One stored problem: the line as `check` prints it, and where and what in words."""

    line: str
    path: str
    line_no: int | None
    words: str


def message_words(message: str) -> str:
    """The English message in the editor's language, or as it is if not known."""
    for pattern, words in _COMPILED:
        match = pattern.match(message)
        if match:
            return str(words) % match.groupdict() if match.groupdict() else str(words)
    return message


def problem_lines(lines: list[str]) -> list[ProblemLine]:
    """The dashboard's rows of the last sync's problems."""
    rows = []
    for line in lines:
        match = _LINE.match(line)
        if match is None:
            rows.append(ProblemLine(line, "", None, line))
            continue
        rows.append(ProblemLine(line, match["path"],
                                int(match["line"]) if match["line"] else None,
                                message_words(match["message"])))
    return rows
