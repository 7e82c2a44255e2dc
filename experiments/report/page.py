"""The course report's page, rendered from the finished runs alone: ``report.md`` and a
self-contained ``report.html`` (figures embedded as data URIs, viewable offline).

Every row shows our number and the data it was measured on beside the course's number and the
data the course measured it on, so an embedded stand-in is never read as the course's dataset.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import json
from collections.abc import Sequence
from typing import Any

from etils import epath

from experiments.report import registry, runner

MARKDOWN_FILE = "report.md"
HTML_FILE = "report.html"
HEADERS = ("run", "number", "ours", "our data", "course", "course's data")


@dataclasses.dataclass
class RunResult:
  """One run as the page shows it: its rows' cells, its figures, or why it has none."""

  run: registry.Run
  record: dict[str, Any]
  rows: list[tuple[str, ...]]
  figures: list[epath.Path]
  problem: str = ""  # Not run, failed, or a row its summary lacks.


def collect(chapter: registry.Chapter, workdir: epath.Path, status: dict[str,
                                                                         Any]) -> list[RunResult]:
  results = []
  for run in chapter.runs:
    record = status["runs"].get(runner.run_id(chapter, run), {})
    run_dir = workdir / chapter.key / run.name
    result = RunResult(run, record, [], [])
    summary_path = run_dir / "summary.json"
    if record.get("status") == "failed":
      result.problem = f"failed: {record.get('error', '?')}"
    elif record.get("status") != "done" or not summary_path.exists():
      result.problem = "not run yet"
    if result.problem:
      results.append(result)
      continue
    try:
      summary = json.loads(summary_path.read_bytes())
    except ValueError as e:  # Not JSON, or not UTF-8: the page still renders, naming the file.
      summary, result.problem = None, f"{summary_path} is unreadable ({e}); rerun the run"
    if not isinstance(summary, dict):
      result.problem = result.problem or f"{summary_path} holds no table of numbers"
      results.append(result)
      continue
    missing = []
    for row in run.rows:
      try:
        value = registry.lookup(summary, row.key)
      except KeyError as e:
        value = None
        if row.absent is None:
          missing.append(str(e).strip("\"'"))
      value = row.absent if value is None else value
      ours = "—" if value is None else registry.format_number(value, row.digits)
      course = "—" if row.course is None else registry.format_number(row.course, row.digits)
      result.rows.append((run.name, row.label, ours, run.data, course, row.course_data or "—"))
    result.problem = "; ".join(missing)
    result.figures = [run_dir / f for f in run.figures if (run_dir / f).exists()]
    results.append(result)
  return results


def _minutes(results: Sequence[RunResult]) -> str:
  seconds = sum(r.record.get("seconds", 0.0) for r in results)
  return f"{seconds / 60:.1f} min"


Section = tuple[registry.Chapter, list[RunResult]]
TITLE = "lee_jax: the course, reproduced"


def _provenance(status: dict[str, Any]) -> tuple[str, str, str]:
  records = [r for r in status["runs"].values() if r.get("status") == "done"]
  commits = sorted({r["commit"] for r in records}) or ["—"]
  machines = sorted({r["machine"] for r in records}) or ["—"]
  finished = max((r["finished"] for r in records), default="—")
  return ", ".join(commits), "; ".join(machines), finished


def _legend(em) -> str:
  """What the two columns of numbers are, ``em`` marking the words the page emphasises."""
  return (f"{em('Ours')} is measured on the data named beside it (mostly embedded or generated "
          f"stand-ins for the course's); {em('course')} is the course's own number, on the "
          "course's data.")


def markdown(sections: Sequence[Section], workdir: epath.Path, status: dict[str, Any]) -> str:
  commits, machines, finished = _provenance(status)
  lines = [
      f"# {TITLE}", "",
      f"Preset `{status['preset']}`; finished {finished}; commit {commits}; {machines}.", "",
      _legend(lambda word: f"*{word}*"), ""
  ]
  for chapter, results in sections:
    lines += [
        f"## {chapter.number}. {chapter.title}", "", chapter.claim, "",
        f"Run time: {_minutes(results)}.", ""
    ]
    rows = [row for r in results for row in r.rows]
    if rows:
      lines += [_md_table(HEADERS, rows), ""]
    problems = [f"- **{r.run.name}**: {r.problem}" for r in results if r.problem]
    lines += problems + ([""] if problems else [])
    for r in results:
      lines += [f"![{r.run.name}: {f.name}]({f.relative_to(workdir)})" for f in r.figures]
    lines.append("")
  return "\n".join(lines).rstrip() + "\n"


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
  cell = lambda text: str(text).replace("|", "\\|")  # noqa: E731
  out = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
  return "\n".join(out + ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows])


_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th { background: #f3f3f3; }
.problem { color: #a00; }
figure { display: inline-block; margin: .3rem; }
img { max-width: 34rem; border: 1px solid #ddd; }
figcaption { font-size: 12px; color: #555; }
"""


def html_page(sections: Sequence[Section], status: dict[str, Any]) -> str:
  commits, machines, finished = _provenance(status)
  e = html.escape
  body = [
      f"<h1>{TITLE}</h1>",
      f"<p>Preset <code>{e(str(status['preset']))}</code>; finished {e(finished)}; commit "
      f"{e(commits)}; {e(machines)}.</p>", f"<p>{_legend(lambda word: f'<em>{word}</em>')}</p>"
  ]
  for chapter, results in sections:
    body += [
        f"<h2>{chapter.number}. {e(chapter.title)}</h2>", f"<p>{e(chapter.claim)}</p>",
        f"<p>Run time: {_minutes(results)}.</p>"
    ]
    rows = [row for r in results for row in r.rows]
    if rows:
      numeric = {2, 4}
      body.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in HEADERS) + "</tr>")
      body += [
          "<tr>" + "".join(f'<td{" class=n" if i in numeric else ""}>{e(c)}</td>'
                           for i, c in enumerate(row)) + "</tr>" for row in rows
      ]
      body.append("</table>")
    body += [
        f'<p class="problem"><b>{e(r.run.name)}</b>: {e(r.problem)}</p>' for r in results
        if r.problem
    ]
    for r in results:
      for f in r.figures:
        data = base64.b64encode(f.read_bytes()).decode("ascii")
        body.append(f'<figure><img alt="{e(r.run.name)}: {e(f.name)}" '
                    f'src="data:image/png;base64,{data}"><figcaption>{e(r.run.name)}: '
                    f"{e(f.name)}</figcaption></figure>")
  return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>lee_jax course "
          f"report</title><style>{_STYLE}</style></head><body>\n" + "\n".join(body)
          + "\n</body></html>\n")


def write(chapters: Sequence[registry.Chapter], workdir: str | epath.Path) -> list[epath.Path]:
  """Writes ``report.md`` and ``report.html`` into ``workdir`` from its finished runs."""
  workdir = epath.Path(workdir)
  status = runner.read_status(workdir)
  sections = [(chapter, collect(chapter, workdir, status)) for chapter in chapters]
  paths = [workdir / MARKDOWN_FILE, workdir / HTML_FILE]
  paths[0].write_text(markdown(sections, workdir, status))
  paths[1].write_text(html_page(sections, status))
  return paths
