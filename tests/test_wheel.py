"""The wheel works on its own: built from this checkout, installed (not editable) into a fresh
virtual environment, it finds its bundled corpus and prompts, ingests and answers.

The new environment reuses the heavy dependencies already installed for the tests (torch,
chromadb...) through a path file, since nothing can be downloaded; litrev itself comes only from
the wheel, and the commands run outside the checkout so its sources cannot be picked up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from rag.index.embedding import Embedder
from tests.helpers import BUNDLED, ROOT
from tests.homes import share_export

pytestmark = pytest.mark.wheel

QUESTION = "What speed-up does EAGLE report?"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with the litrev wheel installed; returns its bin directory."""
    scratch = tmp_path_factory.mktemp("wheel")
    wheels = scratch / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", wheels, ROOT],
        check=True,
        cwd=scratch,
        capture_output=True,
    )
    (wheel,) = wheels.glob("litrev-*.whl")
    environment = scratch / "env"
    venv.create(environment, with_pip=False)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(environment), "platbase": str(environment)}))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            environment / "bin" / "python",
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            wheel,
        ],
        check=True,
        cwd=scratch,
        capture_output=True,
    )
    # Then the tests' own site-packages, after the new environment's, for the dependencies only
    # (written after installing, or pip would take the editable install it finds there for this
    # one); .pth files there, that editable install's among them, are not processed from here.
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return environment / "bin"


def clean_environment(**values: str) -> dict[str, str]:
    """This process's environment without a PYTHONPATH that could lead back to the checkout."""
    return {**{key: value for key, value in os.environ.items() if key != "PYTHONPATH"}, **values}


def run(bin_dir: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = clean_environment(LITREV_HOME=str(home))
    return subprocess.run(
        [bin_dir / "litrev", *args], env=env, cwd=home.parent, capture_output=True, text=True, timeout=1800
    )


def test_the_installed_package_is_the_wheel(installed: Path) -> None:
    where = subprocess.run(
        [
            installed / "python",
            "-c",
            "import rag, rag.prompts; print(rag.__file__); print(rag.prompts.names())",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=installed.parent,
        env=clean_environment(),
    ).stdout.splitlines()
    assert Path(where[0]).is_relative_to(installed.parent)
    assert "answer" in where[1]


@pytest.fixture(scope="module")
def ingested(
    installed: Path, tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One home that the wheel's own ``litrev ingest`` filled with the bundled corpus, shared by the
    tests below (each reads from it and writes only its own files), and what that ingest printed.
    The home is given the session's query encoder export first (making it is not what is tested
    here: ``test_encoder_export.py`` does)."""
    home = tmp_path_factory.mktemp("wheel-home") / "home"
    share_export(embedder, home)
    return home, run(installed, "ingest", home=home)


def test_ingest_and_ask_from_the_wheel(
    installed: Path, ingested: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    home, ingested_now = ingested
    assert ingested_now.returncode == 0, ingested_now.stderr
    papers = len(BUNDLED.read_text(encoding="utf-8").splitlines())
    assert f"{papers} added" in ingested_now.stdout
    asked = run(installed, "ask", "--json", QUESTION, home=home)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert not answer["abstained"]
    assert any("EAGLE" in citation["title"] for citation in answer["citations"])


DRAFT = r"""\section{Related work}
EAGLE drafts at the level of features, not tokens, and so accelerates decoding without loss~\cite{eagle}.
"""
BIB = """@inproceedings{eagle,
  title = {EAGLE: Speculative Sampling Requires Rethinking Feature Uncertainty},
  year = {2024}
}
"""


def test_check_related_work_and_the_evaluation_code_from_the_wheel(
    installed: Path, ingested: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    """The judge's weights, the prompts, the bundled corpus and the evaluation package travel in
    the wheel: a check and a related-work draft run from it alone, and the evaluation package
    imports from it."""
    home, ingested_now = ingested
    assert ingested_now.returncode == 0, ingested_now.stderr
    (tmp_path / "draft.tex").write_text(DRAFT, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    verdicts = tmp_path / "verdicts.json"
    checked = run(
        installed, "check", str(tmp_path / "draft.tex"), "--bib", str(tmp_path / "refs.bib"),
        "--json", str(verdicts), home=home,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert (
        '"eagle"' in verdicts.read_text(encoding="utf-8") and "1 supported, 0 unsupported" in checked.stdout
    )
    drafted = run(installed, "related-work", "speculative decoding with a small draft model", home=home)
    assert drafted.returncode == 0, drafted.stderr
    assert "[1]" in drafted.stdout and "speculative" in drafted.stdout.lower()
    where = subprocess.run(
        [installed / "python", "-c", "import litrev_eval.runner, rag.bundled as b; print(b.corpus_file())"],
        capture_output=True, text=True, check=True, cwd=installed.parent, env=clean_environment(),
    ).stdout.strip()  # fmt: skip
    assert Path(where).is_relative_to(installed.parent) and Path(where).is_file()
