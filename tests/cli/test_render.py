"""`podfence render`: what a stack would apply, printed as YAML."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from golden import assert_golden
from paths import REPO, STACKS
from podfence.cli import ExitStatus, main
from podfence.offline.stack import render_stack


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_render_prints_the_stack_as_golden_yaml(
    stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", "--stack", stack, "--project-dir", str(REPO)]) == ExitStatus.SUCCESS
    out = capsys.readouterr().out
    assert_golden(f"render-{stack}.yaml", out)


@pytest.mark.parametrize("stack", STACKS)
def test_what_render_prints_parses_back_to_what_the_program_creates(
    stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["render", "--stack", stack, "--project-dir", str(REPO)])
    printed = list(yaml.safe_load_all(capsys.readouterr().out))
    assert printed == render_stack(stack, REPO)


def test_render_out_writes_one_file_per_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dev"
    assert main(["render", "--stack", "dev", "--project-dir", str(REPO), "--out", str(out)]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == [
        "guestbook-allow-api-to-db.yaml",
        "guestbook-allow-ingress-controller.yaml",
        "guestbook-allow-monitoring-namespace.yaml",
        "guestbook-allow-ui-to-api.yaml",
        "guestbook-allow-using-ip.yaml",
        "guestbook-deny-all.yaml",
    ]
    assert yaml.safe_load((out / "guestbook-deny-all.yaml").read_text())["spec"] == {
        "podSelector": {},
        "policyTypes": ["Ingress"],
    }
    assert "wrote 6 objects" in capsys.readouterr().err


def test_an_unknown_stack_is_one_line_and_exit_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--stack", "qa", "--project-dir", str(REPO)]) == ExitStatus.BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("podfence: error: no stack 'qa'")
    assert err.count("\n") == 1


def test_the_blogs_ip_block_fails_the_command_with_one_line_and_no_traceback(
    project_copy: Path,
) -> None:
    stack = project_copy / "stacks" / "Pulumi.blog.yaml"
    text = (project_copy / "stacks" / "Pulumi.dev.yaml").read_text()
    stack.write_text(text.replace("except: [10.72.10.0/24]", "except: 10.72.10.0/8"))
    done = subprocess.run(
        [sys.executable, "-m", "podfence", "render", "--stack", "blog"],
        cwd=project_copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == ExitStatus.BAD_INPUT
    assert done.stdout == ""
    assert done.stderr == (
        "podfence: error: stacks/Pulumi.blog.yaml: firewall.ipBlockAllows[0].ipBlocks[0].except: "
        "except '10.72.10.0/8' must be a list of CIDRs, not a single string, and 10.72.10.0/8 does "
        "not lie inside cidr 10.72.0.0/16 (a /8 is larger than the /16 it should carve from); "
        'did you mean except: ["10.72.10.0/24"]?\n'
    )


def test_debug_shows_the_traceback(project_copy: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "podfence", "--debug", "render", "--stack", "qa"],
        cwd=project_copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == ExitStatus.BAD_INPUT
    assert "Traceback (most recent call last)" in done.stderr
