"""The production deployment files: docker-compose.yml, .env.example and docker/*.Dockerfile, checked by reading."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
SERVICES = {"api", "rasa", "actions", "postgres", "redis"}
# ${NAME}, ${NAME:-default}, ${NAME:?message}; "$${NAME}" is an escape for the container's shell, not compose's.
REFERENCE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|_KEY$", re.IGNORECASE)


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "NAME=value" list form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def _compose_command() -> list[str] | None:
    """`docker compose` or `docker-compose`, whichever answers here; None when neither does."""
    candidates = [["docker", "compose"], ["docker-compose"]]
    for cmd in candidates:
        if shutil.which(cmd[0]) is None:
            continue
        try:
            if subprocess.run([*cmd, "version"], capture_output=True, timeout=30).returncode == 0:
                return cmd
        except (OSError, subprocess.TimeoutExpired):
            continue
    return None


def test_compose_config_is_valid(tmp_path: Path) -> None:
    """Docker Compose itself accepts the file, with every variable of .env.example given a value."""
    cmd = _compose_command()
    if cmd is None:
        pytest.skip(
            "Docker Compose is not installed here: run `cp .env.example .env`, fill it in, then "
            "`docker compose config -q` at the repository root"
        )
    env_file = tmp_path / "test.env"
    env_file.write_text("".join(f"{k}={v or 'placeholder'}\n" for k, v in _env_example().items()), encoding="utf-8")
    res = subprocess.run(
        [*cmd, "--env-file", str(env_file), "-f", str(COMPOSE), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr[-2000:]


def test_services_have_healthchecks_and_wait_for_health() -> None:
    """The five services exist, each with a health check, and every dependency waits for a healthy service."""
    services = _compose()["services"]
    assert set(services) >= SERVICES, f"missing: {SERVICES - set(services)}"
    for name in SERVICES:
        check = services[name].get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
        for dep, how in (services[name].get("depends_on") or {}).items():
            assert isinstance(how, dict) and how.get("condition") == "service_healthy", f"{name} -> {dep}"


def test_rasa_gets_every_endpoint_variable() -> None:
    """Every ${VAR} of bot/endpoints.production.yml is set in the rasa service's environment."""
    needed = set(REFERENCE.findall((ROOT / "bot" / "endpoints.production.yml").read_text(encoding="utf-8")))
    names = {name for name, _, _ in needed}
    assert names, "bot/endpoints.production.yml uses no variables: the check would be empty"
    given = _environment(_compose()["services"]["rasa"])
    assert names <= set(given), f"not given to rasa: {sorted(names - set(given))}"
    assert all(given[n].strip() for n in names), "an endpoint variable is set to an empty value"


def test_api_runs_as_production_with_known_settings() -> None:
    """The api service runs in the production environment (staff routes out of the public /openapi.json), and
    every GUICHET_ variable it is given names a setting of api/settings.py (a misspelt one would be ignored)."""
    from api.settings import Settings

    given = _environment(_compose()["services"]["api"])
    assert given.get("GUICHET_ENVIRONMENT") == "production"
    fields = set()
    for name, field in Settings.model_fields.items():
        aliases = getattr(field.validation_alias, "choices", None) or []
        fields |= {f"GUICHET_{name.upper()}", *(str(a).upper() for a in aliases)}
    unknown = sorted(k for k in given if k.startswith("GUICHET_") and k not in fields)
    assert not unknown, f"not settings of the API: {unknown}"


def test_env_example_lists_every_variable() -> None:
    """Every variable docker-compose.yml interpolates has a line in .env.example."""
    used = {name for name, _, _ in REFERENCE.findall(COMPOSE.read_text(encoding="utf-8"))}
    assert used, "docker-compose.yml interpolates nothing: the check would be empty"
    missing = used - set(_env_example())
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_no_secret_literal_in_compose() -> None:
    """Passwords, tokens and secrets are references to .env, never values written in docker-compose.yml."""
    for name, service in _compose()["services"].items():
        for key, value in _environment(service).items():
            if SECRET_NAME.search(key):
                ref = REFERENCE.fullmatch(value)
                assert ref, f"{name}.{key} must be a ${{VAR}} reference to .env"
                operator, default = ref.group(2) or "", ref.group(3) or ""
                assert "?" in operator or not default, f"{name}.{key} has a default value written in the file"
            for creds in re.findall(r"://[^/@\s]*:([^@/\s]+)@", value):  # user:password@ in a URL
                assert REFERENCE.fullmatch(creds), f"{name}.{key} has a password written in its URL"
    example = _env_example()
    secrets = {k: v for k, v in example.items() if SECRET_NAME.search(k)}
    assert secrets and all(v == "" for v in secrets.values()), ".env.example must leave every secret empty"


def _copy_sources(dockerfile: Path) -> list[str]:
    sources = []
    text = dockerfile.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].upper() not in ("COPY", "ADD"):
            continue
        args = [w for w in words[1:] if not w.startswith("--")]
        if any(w.startswith("--from") for w in words[1:]):
            continue  # from another build stage, not from the repository
        if args and args[0].startswith("["):  # the JSON form
            args = yaml.safe_load(" ".join(args))
        sources += args[:-1]
    return sources


def test_copy_sources_exist() -> None:
    """Every file a Dockerfile copies, and every file compose mounts, exists in the repository."""
    dockerfiles = sorted((ROOT / "docker").glob("*.Dockerfile"))
    assert {p.name for p in dockerfiles} >= {"api.Dockerfile", "rasa.Dockerfile"}
    for dockerfile in dockerfiles:
        sources = _copy_sources(dockerfile)
        assert sources, f"{dockerfile.name} copies nothing"
        for src in sources:
            assert (ROOT / src).exists(), f"{dockerfile.name}: COPY {src} is not in the repository"
    for name, service in _compose()["services"].items():
        for volume in service.get("volumes") or []:
            host = str(volume).split(":", 1)[0]
            if host.startswith("."):
                assert (ROOT / host).exists(), f"{name} mounts {host}, which is not in the repository"
        build = service.get("build")
        if isinstance(build, dict):
            assert (ROOT / build.get("context", ".") / build["dockerfile"]).is_file(), f"{name}: no Dockerfile"
