"""The GitHub workflows (.github/workflows): clean under actionlint and zizmor, every action pinned
to a commit, least privilege, and aimed at exactly the stacks that are deployed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from paths import REPO

WORKFLOWS = REPO / ".github" / "workflows"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
DEPLOY = WORKFLOWS / "deploy.yml"
#: The only scopes a job here may write, and the actions whose steps need it (they comment).
WRITABLE_SCOPES = {"pull-requests"}
COMMENTING_ACTIONS = ("actions/github-script", "pulumi/actions")
SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository"


def _workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def _load(path: Path) -> dict[str, Any]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(workflow, dict), f"{path.name} is not a mapping"
    return workflow


def _triggers(workflow: dict[str, Any]) -> Any:
    # YAML 1.1 (PyYAML) reads the key `on` as the boolean True.
    return workflow.get("on", workflow.get(True))


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def _all_steps() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path in _workflow_files():
        for job_id, job in _load(path)["jobs"].items():
            for step in _steps(job):
                yield path.name, job_id, step


def _action(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@", 1)[0]


def _tool(name: str) -> str:
    """The command installed beside this Python (the test extra), else on PATH."""
    beside = Path(sys.executable).with_name(name)
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: `bash scripts/setup.sh` installs it (test extra)")
    return found


def _stack_config(stack_file: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(stack_file.read_text(encoding="utf-8"))["config"])


def _deployed_stacks() -> list[str]:
    """The stacks with a stack file that apply to a cluster (not rendering YAML to a directory)."""
    return sorted(
        path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        for path in (REPO / "stacks").glob("Pulumi.*.yaml")
        if "kubernetes:renderYamlToDirectory" not in _stack_config(path)
    )


def _deploy_jobs_by_stack() -> dict[str, tuple[str, dict[str, Any]]]:
    found = {}
    for job_id, job in _load(DEPLOY)["jobs"].items():
        for step in _steps(job):
            if _action(step) == "pulumi/actions" and step["with"]["command"] == "up":
                found[step["with"]["stack-name"]] = (job_id, job)
    return found


def _step_named(job: dict[str, Any], name: str) -> dict[str, Any]:
    (step,) = [step for step in _steps(job) if step.get("name") == name]
    return step


def test_the_workflows_are_the_pull_request_and_the_deploy_workflow() -> None:
    assert _workflow_files() == [DEPLOY, PULL_REQUEST]


def test_actionlint_finds_nothing_in_any_workflow() -> None:
    done = subprocess.run(
        [_tool("actionlint"), "-no-color", *map(str, _workflow_files())],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing_offline() -> None:
    # --offline: no network, so no online audits; --no-config: no zizmor.yml can silence anything;
    # --strict-collection: a workflow that does not parse fails instead of being skipped.
    environment = {key: value for key, value in os.environ.items() if "TOKEN" not in key}
    done = subprocess.run(
        [
            _tool("zizmor"),
            "--offline",
            "--no-config",
            "--strict-collection",
            "--persona=regular",
            "--format=plain",
            "--color=never",
            "--no-progress",
            ".github/workflows",
        ],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout, done.stdout + done.stderr


def test_every_action_is_pinned_to_a_commit_sha_with_its_version_in_a_comment() -> None:
    pinned = re.compile(
        r"^\s*(?:-\s+)?uses:\s*(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40})"
        r"\s+#\s+(?P<version>v\d+(?:\.\d+){0,2})\s*$"
    )
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in _workflow_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        uses = [line for line in lines if re.match(r"^\s*(?:-\s+)?uses:", line)]
        # Every `uses` YAML sees (a step's, or a job's calling a reusable workflow) is on a line
        # of its own, so none escapes the check of the raw text.
        jobs = _load(path)["jobs"].values()
        parsed = [j["uses"] for j in jobs if "uses" in j]
        parsed += [step["uses"] for job in jobs for step in _steps(job) if "uses" in step]
        assert len(uses) == len(parsed), path.name
        for line in uses:
            match = pinned.match(line)
            assert match, f"{path.name}: not pinned to a full SHA with a `# vX` comment: {line}"
            pins.setdefault(match["action"], set()).add((match["sha"], match["version"]))
    parsed_actions = {_action(step) for _, _, step in _all_steps() if "uses" in step}
    assert parsed_actions == set(pins)
    for action, versions in pins.items():
        assert len(versions) == 1, f"{action} is pinned to different commits: {versions}"


def test_the_header_of_each_workflow_names_the_source_of_every_sha_it_pins() -> None:
    for path in _workflow_files():
        text = path.read_text(encoding="utf-8")
        header = text[: text.index("\nname:")]
        assert "NOT verified against GitHub" in header, path.name
        for sha in set(re.findall(r"uses:\s*\S+@([0-9a-f]{40})", text)):
            assert sha in header, f"{path.name}: the header does not say where {sha} comes from"
        assert re.search(r"from [\w.-]+/[\w.-]+ \.github/workflows/\S+\.ya?ml", header), path.name


def test_every_workflow_grants_nothing_by_default_and_every_job_only_what_it_needs() -> None:
    for path in (PULL_REQUEST, DEPLOY):
        workflow = _load(path)
        assert workflow.get("permissions") in ({}, {"contents": "read"}), path.name
        for job_id, job in workflow["jobs"].items():
            where = f"{path.name} job {job_id}"
            permissions = job.get("permissions")
            assert isinstance(permissions, dict), f"{where} must declare its permissions"
            assert permissions.get("contents") in (None, "read"), where
            writes = {scope for scope, level in permissions.items() if level == "write"}
            assert writes <= WRITABLE_SCOPES, f"{where} writes {writes}"
            assert set(permissions.values()) <= {"read", "write", "none"}, where
            comments = any(
                _action(step) == "actions/github-script"
                or (_action(step) == "pulumi/actions" and step["with"].get("comment-on-pr"))
                for step in _steps(job)
            )
            assert ("pull-requests" in writes) == comments, (
                f"{where}: pull-requests: write is for the job that comments, and only for it"
            )


def test_the_local_stack_renders_to_a_directory_and_is_not_deployed() -> None:
    local = _stack_config(REPO / "stacks" / "Pulumi.local.yaml")
    assert local["kubernetes:renderYamlToDirectory"]
    assert "local" not in _deployed_stacks()
    assert _deployed_stacks() == ["dev", "prod", "staging"]


def test_the_firewall_matrix_covers_exactly_the_deployed_stacks() -> None:
    firewall = _load(PULL_REQUEST)["jobs"]["firewall"]
    assert firewall["strategy"]["fail-fast"] is False
    assert sorted(firewall["strategy"]["matrix"]["stack"]) == _deployed_stacks()
    assert "needs" not in firewall, "the firewall job runs beside the tests, not after them"


def test_the_test_job_runs_exactly_the_readme_test_command() -> None:
    command = "bash scripts/setup.sh --with-nca && .venv/bin/python -m pytest"
    assert command in (REPO / "README.md").read_text(encoding="utf-8")
    runs = [
        str(step.get("run", "")).strip() for step in _steps(_load(PULL_REQUEST)["jobs"]["test"])
    ]
    assert command in runs


def test_every_job_sets_up_python_3_11_before_it_runs_the_setup_script() -> None:
    for path in (PULL_REQUEST, DEPLOY):
        for job_id, job in _load(path)["jobs"].items():
            steps = _steps(job)
            (python,) = [i for i, s in enumerate(steps) if _action(s) == "actions/setup-python"]
            # A string: YAML would read 3.10 as the number 3.1.
            assert steps[python]["with"]["python-version"] == "3.11", f"{path.name} {job_id}"
            setup = next(i for i, s in enumerate(steps) if "scripts/setup.sh" in s.get("run", ""))
            assert python < setup, f"{path.name} {job_id}"


def test_the_workflows_run_on_pull_requests_to_main_and_on_pushes_to_main() -> None:
    assert _triggers(_load(PULL_REQUEST)) == {"pull_request": {"branches": ["main"]}}
    assert _triggers(_load(DEPLOY)) == {"push": {"branches": ["main"]}, "workflow_dispatch": None}


def test_deploy_brings_up_dev_then_staging_then_prod_each_after_the_previous() -> None:
    jobs = _deploy_jobs_by_stack()
    assert sorted(jobs) == _deployed_stacks()
    previous = None
    for stack in ("dev", "staging", "prod"):
        job_id, job = jobs[stack]
        needs = job.get("needs")
        assert needs == previous, f"{job_id} needs {needs!r}, not {previous!r}"
        previous = job_id


def test_the_prod_deployment_runs_in_the_prod_environment() -> None:
    _, prod = _deploy_jobs_by_stack()["prod"]
    environment = prod.get("environment")
    name = environment.get("name") if isinstance(environment, dict) else environment
    assert name == "prod"


def test_every_deployment_checks_the_stack_before_pulumi_up() -> None:
    for stack, (job_id, job) in _deploy_jobs_by_stack().items():
        assert job["env"]["STACK"] == stack, job_id
        steps = _steps(job)
        runs = [str(step.get("run", "")) for step in steps]
        check = next(i for i, run in enumerate(runs) if "podfence check --stack" in run)
        assert '.venv/bin/podfence check --stack "$STACK"' in runs[check]
        up = next(i for i, step in enumerate(steps) if _action(step) == "pulumi/actions")
        assert check < up, f"{job_id} runs pulumi up before podfence check"
        assert any("bash scripts/setup.sh" in run for run in runs[:check]), job_id


def test_deployments_of_a_stack_queue_and_previews_of_a_pull_request_cancel() -> None:
    for stack, (job_id, job) in _deploy_jobs_by_stack().items():
        assert stack in job["concurrency"]["group"], job_id
        assert job["concurrency"]["cancel-in-progress"] is False, job_id
    for job_id, job in _load(PULL_REQUEST)["jobs"].items():
        group = job["concurrency"]["group"]
        assert "github.event.pull_request.number" in group, job_id
        assert job["concurrency"]["cancel-in-progress"] is True, job_id
    assert "matrix.stack" in _load(PULL_REQUEST)["jobs"]["firewall"]["concurrency"]["group"]


def test_no_script_expands_event_data_or_the_head_ref() -> None:
    untrusted = re.compile(r"\$\{\{[^}]*\bgithub\.(event|head_ref)")
    for workflow, job_id, step in _all_steps():
        for script in (step.get("run"), step.get("with", {}).get("script")):
            if script is not None:
                assert not untrusted.search(str(script)), f"{workflow} {job_id}: {script}"


def test_no_checkout_keeps_the_token_for_later_steps() -> None:
    checkouts = [
        (workflow, job_id, step)
        for workflow, job_id, step in _all_steps()
        if _action(step) == "actions/checkout"
    ]
    assert checkouts
    for workflow, job_id, step in checkouts:
        assert step["with"]["persist-credentials"] is False, f"{workflow} {job_id}"


def test_the_firewall_job_fetches_the_history_holding_the_pull_requests_base() -> None:
    firewall = _load(PULL_REQUEST)["jobs"]["firewall"]
    (checkout,) = [step for step in _steps(firewall) if _action(step) == "actions/checkout"]
    assert checkout["with"]["fetch-depth"] == 0
    diff = _step_named(firewall, "Diff the firewall against the pull request's base")
    assert diff["env"] == {"BASE_SHA": "${{ github.event.pull_request.base.sha }}"}
    assert '--base "$BASE_SHA"' in diff["run"]


def test_steps_that_need_secrets_are_skipped_for_a_pull_request_from_a_fork() -> None:
    for step in _steps(_load(PULL_REQUEST)["jobs"]["firewall"]):
        needs_secrets = "secrets." in yaml.safe_dump(step) or _action(step) in COMMENTING_ACTIONS
        if needs_secrets:
            assert SAME_REPOSITORY in str(step.get("if", "")), step.get("name", step.get("uses"))


def test_the_diff_comment_is_one_per_stack_found_by_its_marker_and_read_from_the_file() -> None:
    firewall = _load(PULL_REQUEST)["jobs"]["firewall"]
    (comment,) = [s for s in _steps(firewall) if _action(s) == "actions/github-script"]
    script = comment["with"]["script"]
    assert "<!-- podfence-diff:${process.env.STACK} -->" in script
    assert 'readFileSync("diff.md"' in script
    assert "${{" not in script
    for call in ("listComments", "updateComment", "createComment"):
        assert f"github.rest.issues.{call}" in script


def test_the_pulumi_steps_name_the_project_directory_and_their_tokens() -> None:
    for workflow, job_id, step in _all_steps():
        if _action(step) == "pulumi/actions":
            assert step["with"]["work-dir"] == ".", f"{workflow} {job_id}"
            assert step["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"
            if step["with"].get("comment-on-pr"):
                assert step["with"]["github-token"] == "${{ secrets.GITHUB_TOKEN }}"


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The workflows' default shell: `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`.
    path = cwd / "step.sh"
    path.write_text(script, encoding="utf-8")
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
        cwd=cwd,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(("podfence_exit", "step_exit"), [(0, 0), (1, 0), (2, 2), (3, 3)])
def test_the_diff_step_passes_when_the_firewall_changes_and_fails_on_bad_input(
    tmp_path: Path, podfence_exit: int, step_exit: int
) -> None:
    assert _load(PULL_REQUEST)["defaults"] == {"run": {"shell": "bash"}}
    firewall = _load(PULL_REQUEST)["jobs"]["firewall"]
    script = _step_named(firewall, "Diff the firewall against the pull request's base")["run"]
    fake = tmp_path / ".venv" / "bin" / "podfence"
    fake.parent.mkdir(parents=True)
    fake.write_text(f'#!/bin/sh\necho "**summary** $*"\nexit {podfence_exit}\n', encoding="utf-8")
    fake.chmod(0o755)
    summary = tmp_path / "summary.md"
    done = _bash(
        script,
        tmp_path,
        {"STACK": "dev", "BASE_SHA": "0" * 40, "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert done.returncode == step_exit, done.stdout + done.stderr
    expected = f"**summary** diff --stack dev --base {'0' * 40} --output markdown\n"
    assert (tmp_path / "diff.md").read_text(encoding="utf-8") == expected
    if step_exit == 0:
        assert summary.read_text(encoding="utf-8") == expected


@pytest.mark.parametrize(("podfence_exit", "step_exit"), [(0, 0), (1, 1), (2, 2), (3, 3)])
def test_the_lint_step_fails_on_findings_and_puts_them_in_the_job_summary(
    tmp_path: Path, podfence_exit: int, step_exit: int
) -> None:
    firewall = _load(PULL_REQUEST)["jobs"]["firewall"]
    step = _step_named(firewall, "Lint the firewall")
    assert step["if"] == "${{ !cancelled() && steps.setup.outcome == 'success' }}"
    fake = tmp_path / ".venv" / "bin" / "podfence"
    fake.parent.mkdir(parents=True)
    fake.write_text(f'#!/bin/sh\necho "**lint** $*"\nexit {podfence_exit}\n', encoding="utf-8")
    fake.chmod(0o755)
    summary = tmp_path / "summary.md"
    done = _bash(step["run"], tmp_path, {"STACK": "prod", "GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == step_exit, done.stdout + done.stderr
    markdown = "**lint** lint --stack prod --output markdown\n"
    assert (tmp_path / "lint.md").read_text(encoding="utf-8") == markdown
    if podfence_exit == 1:
        assert summary.read_text(encoding="utf-8") == markdown
        assert "**lint** lint --stack prod\n" in done.stdout  # the text report, in the log
    else:
        assert not summary.exists()


def test_every_deployed_stack_is_linted_before_it_is_diffed() -> None:
    steps = _steps(_load(PULL_REQUEST)["jobs"]["firewall"])
    names = [step.get("name") for step in steps]
    assert names.index("Check the firewall's expectations") < names.index("Lint the firewall")
    assert names.index("Lint the firewall") < names.index(
        "Diff the firewall against the pull request's base"
    )


def _kubeconfig_steps() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{workflow} {job_id}", step)
        for workflow, job_id, step in _all_steps()
        if step.get("name") == "Write the kubeconfig"
    ]


def test_each_pulumi_job_writes_the_kubeconfig_of_its_own_stack_first() -> None:
    pulumi_jobs = {
        (workflow, job_id)
        for workflow, job_id, step in _all_steps()
        if _action(step) == "pulumi/actions"
    }
    assert {tuple(where.split(" ")) for where, _ in _kubeconfig_steps()} == pulumi_jobs
    for stack, (job_id, job) in _deploy_jobs_by_stack().items():
        secret = _step_named(job, "Write the kubeconfig")["env"]["KUBECONFIG_CONTENT"]
        assert secret == f"${{{{ secrets.KUBECONFIG_{stack.upper()} }}}}", job_id
    firewall = _load(PULL_REQUEST)["jobs"]["firewall"]
    selected = _step_named(firewall, "Write the kubeconfig")["env"]["KUBECONFIG_CONTENT"]
    for stack in _deployed_stacks():
        assert f"matrix.stack == '{stack}' && secrets.KUBECONFIG_{stack.upper()}" in selected
    assert "secrets[" not in selected, "a computed index hands every secret to the runner"


@pytest.mark.parametrize(("where", "step"), _kubeconfig_steps())
def test_the_kubeconfig_step_writes_a_private_file_and_exports_its_path(
    tmp_path: Path, where: str, step: dict[str, Any]
) -> None:
    github_env = tmp_path / "github_env"
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    env = {"STACK": "prod", "RUNNER_TEMP": str(runner_temp), "GITHUB_ENV": str(github_env)}
    done = _bash(step["run"], tmp_path, {**env, "KUBECONFIG_CONTENT": "apiVersion: v1"})
    assert done.returncode == 0, where + done.stdout + done.stderr
    kubeconfig = runner_temp / "kubeconfig"
    assert kubeconfig.read_text(encoding="utf-8") == "apiVersion: v1\n"
    assert kubeconfig.stat().st_mode & 0o777 == 0o600, where
    assert github_env.read_text(encoding="utf-8") == f"KUBECONFIG={kubeconfig}\n"

    missing = _bash(step["run"], tmp_path, {**env, "KUBECONFIG_CONTENT": ""})
    assert missing.returncode == 1, where
    assert "::error::the secret KUBECONFIG_" in missing.stdout
