"""How a list of problems shows one problem: its message in the reader's language, and its line unless the
message says it already ("Line 4: ...", "Ligne 4 : ...", "4. satır: ...") so no line is named twice. The code
(`line-too-long`) is for scripts: the JSON API gives it, pages do not."""

from __future__ import annotations

import re
from typing import Any, TypedDict

from catalogue.problems import Problem, problem_dict


class ShownProblem(TypedDict):
    line: int | None
    message: str


def problem_shown(problem: Problem | dict[str, Any]) -> ShownProblem:
    text: str | None
    if isinstance(problem, Problem):
        line, text, message = problem.line, problem.text, problem.message
    else:
        shown = problem_dict(problem) if "text" in problem else problem
        line, text, message = shown.get("line"), problem.get("text"), str(shown.get("message", ""))
    if line is None:
        return {"line": None, "message": message}
    # The message's own msgid says whether it names the line; an old stored message is searched for the number.
    says_line = "%(line)s" in text if text else re.search(rf"(?<!\d){int(line)}(?!\d)", message) is not None
    return {"line": None if says_line else int(line), "message": message}
