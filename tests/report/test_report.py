"""The course report: its registry, its runner (resume, failures) and its page."""

import base64
import html.parser
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from experiments.report import page, registry, runner
from lee_jax.errors import ConfigError, WorkdirError
from tests.conftest import ROOT, run_python


def _fake(number: int, word: str, run: str) -> registry.Chapter:
  rows = (registry.Row("accuracy of a", "variants.a.accuracy", course=0.9,
                       course_data="the course's own fake data"),
          registry.Row("b at η 0.3", "variants.b.lr=0.3"),
          registry.Row("a number the summary lacks", "variants.c.accuracy"),
          registry.Row("a count left out when 0", "variants.d", absent=0))
  return registry.Chapter(
      number=number, title=f"Fake {word}", claim=f"{word} shows.", module=f"ch{number}_{word}",
      runs=(registry.Run(run, "tests.report.fake_binary", data="made-up data (embedded)", rows=rows,
                         figures=("figures/curve.png", "figures/absent.png")),))


CHAPTERS = [_fake(98, "first", "one"), _fake(99, "second", "two")]
_RUN_CHAPTERS = ("import sys; from tests.report.test_report import CHAPTERS; "
                 "from experiments.report import runner; "
                 "runner.run_chapters(CHAPTERS, sys.argv[1], 'quick')")


def _starts(workdir: Path, chapter: str, run: str) -> int:
  return int((workdir / chapter / run / "starts").read_text())


def test_every_chapter_folder_registers_runs_whose_binaries_take_the_quick_preset():
  chapters = registry.chapters()
  folders = sorted(p.name for p in (ROOT / "experiments").glob("ch[0-9]*_*") if p.is_dir())
  assert [c.key for c in chapters] == folders
  for chapter in chapters:
    for run in chapter.runs:
      assert importlib.util.find_spec(run.binary), run.binary
      spec = importlib.util.spec_from_file_location("config", ROOT / run.config_file)
      module = importlib.util.module_from_spec(spec)
      spec.loader.exec_module(module)
      assert module.get_config("quick").to_dict(), run.binary  # The preset is known.


def test_a_killed_report_resumes_without_rerunning_finished_chapters(tmp_path):
  (tmp_path / "ch99_second").mkdir()
  (tmp_path / "ch99_second" / "hold").touch()  # The second chapter's run waits until it goes.
  report = subprocess.Popen([sys.executable, "-c", _RUN_CHAPTERS,
                             str(tmp_path)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
  deadline = time.time() + 60
  while not (tmp_path / "ch99_second" / "two" / "starts").exists() and time.time() < deadline:
    time.sleep(0.05)
  os.killpg(report.pid, signal.SIGKILL)
  report.wait()
  assert json.loads(
      (tmp_path / runner.STATUS_FILE).read_text())["runs"].keys() == {"ch98_first/one"}

  (tmp_path / "ch99_second" / "hold").unlink()
  lines = []
  status = runner.run_chapters(CHAPTERS, tmp_path, "quick", echo=lines.append)
  assert [r["status"] for r in status["runs"].values()] == ["done", "done"]
  assert _starts(tmp_path, "ch98_first", "one") == 1  # Not rerun.
  assert _starts(tmp_path, "ch99_second", "two") == 2
  assert "done before" in lines[0] and "done in" in lines[2] and "2 runs in" in lines[-1]
  with pytest.raises(WorkdirError, match="'quick' preset"):
    runner.run_chapters(CHAPTERS, tmp_path, "default")


def test_a_failed_run_is_reported_with_its_error_and_the_report_goes_on(tmp_path):
  (tmp_path / "ch98_first").mkdir()
  (tmp_path / "ch98_first" / "fail").touch()
  status = runner.run_chapters(CHAPTERS, tmp_path, "quick", echo=lambda line: None)
  failed = status["runs"]["ch98_first/one"]
  assert failed["status"] == "failed" and failed["returncode"] == 1
  assert failed["error"] == "FATAL DataError: the fake dataset is missing. Put it back."
  assert status["runs"]["ch99_second/two"]["status"] == "done"
  page.write(CHAPTERS, tmp_path)
  text = (tmp_path / page.MARKDOWN_FILE).read_text()
  assert "**one**: failed: FATAL DataError: the fake dataset is missing." in text

  (tmp_path / "ch99_second" / "two" / "summary.json").write_bytes(b"\xff not json")
  page.write(CHAPTERS, tmp_path)
  assert "two/summary.json is unreadable" in (tmp_path / page.MARKDOWN_FILE).read_text()

  (tmp_path / "ch98_first" / "fail").unlink()  # Fixed: the next report tries it again.
  status = runner.run_chapters(CHAPTERS, tmp_path, "quick", echo=lambda line: None)
  assert status["runs"]["ch98_first/one"]["status"] == "done"
  assert _starts(tmp_path, "ch99_second", "two") == 1


class _Page(html.parser.HTMLParser):
  """The tags of a page, checked to open and close in order, and its embedded images."""

  VOID = {"meta", "img", "br", "hr", "link"}

  def __init__(self):
    super().__init__()
    self.open, self.tables, self.images, self.text = [], 0, [], []

  def handle_starttag(self, tag, attrs):
    if tag == "table":
      self.tables += 1
    if tag == "img":
      self.images.append(dict(attrs)["src"])
    if tag not in self.VOID:
      self.open.append(tag)

  def handle_endtag(self, tag):
    assert self.open and self.open[-1] == tag, (self.open, tag)
    self.open.pop()

  def handle_data(self, data):
    self.text.append(data)


def test_the_page_shows_each_number_beside_the_courses_with_both_datas(tmp_path):
  runner.run_chapters(CHAPTERS, tmp_path, "quick", echo=lambda line: None)
  md_path, html_path = page.write(CHAPTERS, tmp_path)
  text = md_path.read_text()
  assert ("| one | accuracy of a | 0.912 | made-up data (embedded) | 0.9 | the course's own fake "
          "data |") in text
  assert "| one | b at η 0.3 | 2 | made-up data (embedded) | — | — |" in text
  assert "variants.c.accuracy" in text  # The row the summary lacks is named, not hidden.
  assert "| one | a count left out when 0 | 0 |" in text and "variants.d" not in text
  assert "![one: curve.png](ch98_first/one/figures/curve.png)" in text
  assert "absent.png" not in text
  parsed = _Page()
  parsed.feed(html_path.read_text())
  assert not parsed.open and parsed.tables == 2 and len(parsed.images) == 2
  for src in parsed.images:  # Embedded, so the page works offline and alone.
    assert base64.b64decode(src.removeprefix("data:image/png;base64,"))[:8] == b"\x89PNG\r\n\x1a\n"
  assert "0.912" in "".join(parsed.text)
  browser = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)),
                 None)
  if browser:  # Debian's Chromium, where installed: the page renders without errors.
    shown = subprocess.run([
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
        html_path.as_uri()
    ], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and "0.912" in shown.stdout, shown.stderr[-2000:]


def test_keys_with_dots_chapters_by_any_name_and_unknown_ones():
  summary = {"lr=0.3": {"loss_after_step_0.5u": 1.5}, "a": {"b": 2}}
  assert registry.lookup(summary, "lr=0.3.loss_after_step_0.5u") == 1.5
  with pytest.raises(KeyError, match="no 'c' among"):
    registry.lookup(summary, "a.c")
  assert registry.format_number(0.912345) == "0.912" and registry.format_number(3214.6) == "3,215"
  assert registry.format_number(999.7) == "1,000"
  for name in ("98", "ch98", "ch98_first", "first"):
    assert runner.select(CHAPTERS, [name]) == CHAPTERS[:1]
  with pytest.raises(ConfigError, match="'ch7', which is not a registered chapter"):
    runner.select(CHAPTERS, ["ch7"])


def test_render_only_writes_the_page_from_what_the_workdir_holds(tmp_path):
  empty = run_python(["-m", "experiments.report", f"--workdir={tmp_path}", "--render_only"])
  assert empty.returncode == 1 and "holds no report" in empty.stderr
  (tmp_path / runner.STATUS_FILE).write_text('{"preset": "quick", "runs": {}}')
  proc = run_python(
      ["-m", "experiments.report", f"--workdir={tmp_path}", "--render_only", "--chapters=1,rl"])
  assert proc.returncode == 0, proc.stderr[-2000:]
  text = (tmp_path / page.MARKDOWN_FILE).read_text()
  assert "## 1. Regression" in text and "## 12. Reinforcement learning" in text
  assert "**hw12**: not run yet" in text and "## 3." not in text
  bad = run_python(["-m", "experiments.report", f"--workdir={tmp_path}", "--chapters=ch77"])
  assert bad.returncode == 1 and bad.stderr.count("'ch77', which is not a registered chapter") == 1
  assert "Traceback" not in bad.stderr
