"""``kit endpoint``: attach notebooks to a dev endpoint, any Livy, or a local endpoint."""

from __future__ import annotations

from pathlib import Path

import click

from kit import cliparams
from kit import config as kit_config
from kit.endpoints.tunnel import DEV_ENDPOINT_LIVY_HOST, LIVY_PORT
from kit.errors import KitError


@click.group()
def endpoint() -> None:
    """Notebook endpoints: Glue dev endpoints over SSH, any Livy, or a local Livy.

    \b
    kit endpoint connect my-dev-endpoint --key ~/.ssh/glue   tunnel + sparkmagic config
    kit endpoint connect --livy-url http://emr-master:8998  EMR, the Glue Docker image
    kit endpoint local                                      offline Livy on local Spark
    """


@endpoint.command()
@click.argument("name", required=False)
@click.option("--key", type=click.Path(path_type=Path), help="Private key for the endpoint.")
@click.option("--local-port", default=LIVY_PORT, show_default=True, type=cliparams.PORT)
@click.option("--livy-url", help="Attach to this Livy directly (no dev endpoint, no tunnel).")
@click.option("--user", default="glue", show_default=True, help="SSH user on the endpoint.")
@click.option("--ssh-port", type=cliparams.PORT, help="SSH port, when not 22.")
@click.option("--ssh-config", type=click.Path(path_type=Path), help="ssh_config file (ssh -F).")
@click.option("--ssh-option", "ssh_options", multiple=True, help="Extra ssh -o option.")
@click.option("--remote-host", default=DEV_ENDPOINT_LIVY_HOST, show_default=True,
              help="Livy host as seen from the endpoint.")
@click.option("--remote-port", default=LIVY_PORT, show_default=True, type=cliparams.PORT)
@click.option("--region", help="AWS region (default: environment, then AWS settings).")
@click.option("--profile", help="AWS named profile.")
@click.option("--endpoint-url", type=cliparams.URL, help="AWS endpoint URL (a local AWS such as moto).")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait for Livy.")
def connect(name, key, local_port, livy_url, user, ssh_port, ssh_config, ssh_options,
            remote_host, remote_port, region, profile, endpoint_url, timeout) -> None:
    """Tunnel to dev endpoint NAME (or use --livy-url) and configure sparkmagic for it."""
    from kit.aws import resolve_target
    from kit.endpoints import connect as connector
    from kit.endpoints.errors import EndpointError
    from kit.endpoints.tunnel import TunnelSpec

    cfg = kit_config.load()
    if livy_url and name:
        raise EndpointError("give a dev endpoint NAME or --livy-url, not both")
    if livy_url:
        result = connector.connect_livy(livy_url, cfg)
    elif name:
        spec = TunnelSpec(address="", key=key, user=user, local_port=local_port,
                          remote_host=remote_host, remote_port=remote_port, ssh_port=ssh_port,
                          ssh_config=ssh_config, options=tuple(ssh_options))
        target = resolve_target(endpoint_url=endpoint_url, profile=profile, region=region)
        result = connector.connect_dev_endpoint(name, spec, cfg, target, timeout=timeout)
        assert result.tunnel is not None  # a dev endpoint connection opens one
        click.echo(f"tunnel open: {result.livy_url} -> {name} (pid {result.tunnel.pid})")
    else:
        raise EndpointError("give a dev endpoint NAME, or --livy-url URL for any Livy")
    click.echo(f"Livy answers at {result.livy_url} ({result.sessions} session(s))")
    click.echo(f"sparkmagic config: {cfg.relative(result.sparkmagic_dir / 'config.json')}")
    click.echo(f"next: export SPARKMAGIC_CONF_DIR={result.sparkmagic_dir} "
               "(or `kit endpoint kernels`) and open the notebook with the PySpark kernel")


@endpoint.command()
def status() -> None:
    """Check the tunnel: ssh still running and Livy answering through it."""
    from kit.endpoints import livy, tunnel

    cfg = kit_config.load()
    open_tunnel = tunnel.check(cfg.state_dir)
    count = len(livy.sessions(open_tunnel.livy_url))
    click.echo(f"tunnel to {open_tunnel.name} is up (pid {open_tunnel.pid}); "
               f"Livy at {open_tunnel.livy_url} has {count} session(s)")


@endpoint.command()
def disconnect() -> None:
    """Close the tunnel opened by `kit endpoint connect`."""
    from kit.endpoints import tunnel

    closed = tunnel.close(kit_config.load().state_dir)
    click.echo(f"closed the tunnel to {closed.name}" if closed else "no tunnel was open")


@endpoint.command()
@click.option("--port", default=LIVY_PORT, show_default=True, type=cliparams.LISTEN_PORT)
@click.option("--master", default="local[*]", show_default=True, help="Spark master URL.")
@click.option("--configure/--no-configure", default=True, show_default=True,
              help="Point kit's sparkmagic config at this endpoint (with its token).")
@click.option("--token", envvar="KIT_ENDPOINT_TOKEN", show_envvar=True,
              help="Access token every request must carry (default: a new random one, written "
                   "to kit's sparkmagic config).")
@click.option("--no-token", is_flag=True,
              help="No access token: any local user may drive the endpoint.")
@click.option("--csrf/--no-csrf", default=True, show_default=True,
              help="Require X-Requested-By on POST/PUT/DELETE, as Livy's CSRF protection.")
@click.option("--verbose", is_flag=True, help="Log every HTTP request.")
def local(port: int, master: str, configure: bool, token: str | None, no_token: bool,
          csrf: bool, verbose: bool) -> None:
    """Serve a Livy-compatible endpoint on 127.0.0.1, backed by local PySpark and awsglue.

    Only loopback clients with the access token get in; see docs/endpoints.md (threat model).
    """
    from kit.endpoints import security, server, sparkmagic_conf
    from kit.endpoints.errors import EndpointError
    from kit.runtime.spark import require_java

    if no_token and token:
        raise EndpointError("give --token or --no-token, not both")
    if not no_token and not token and not configure:
        raise EndpointError("with --no-configure nobody would know the generated token: "
                            "give --token (or KIT_ENDPOINT_TOKEN), or --no-token")
    if not no_token and not token:
        token = security.new_token()
    cfg = kit_config.load()
    require_java()
    livy_server = server.make_server(cfg.root, port=port, master=master, verbose=verbose,
                                     state_dir=cfg.state_dir, token=None if no_token else token,
                                     csrf=csrf)
    if configure:
        path = sparkmagic_conf.write_config(sparkmagic_conf.conf_dir(cfg), livy_server.url,
                                            token=None if no_token else token)
        click.echo(f"sparkmagic config: {cfg.relative(path)}"
                   + ("" if no_token else " (holds the access token)"), err=True)
    click.echo(f"local Livy endpoint at {livy_server.url} (Ctrl+C stops it and its sessions)",
               err=True)
    server.stop_on_signals()
    try:
        server.serve(livy_server)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@endpoint.command()
@click.option("--kernels-dir", type=click.Path(path_type=Path),
              help="Where to install (default: this environment's share/jupyter/kernels).")
def kernels(kernels_dir: Path | None) -> None:
    """Install sparkmagic's PySpark/Spark kernels for this Python, reading kit's config."""
    import importlib.util

    from kit.endpoints import sparkmagic_conf

    if importlib.util.find_spec("sparkmagic") is None:
        raise KitError(
            "sparkmagic is not installed: it comes with kit's endpoints extra "
            "(pip install -e '.[endpoints]', after: sudo apt-get install -y libkrb5-dev)"
        )

    cfg = kit_config.load()
    folder = kernels_dir or sparkmagic_conf.default_kernels_dir()
    for path in sparkmagic_conf.install_kernels(folder, sparkmagic_conf.conf_dir(cfg)):
        click.echo(f"installed {path}")


@endpoint.command()
@click.argument("job")
@click.option("--env", default="dev", show_default=True,
              help="Environment whose settings (region, per-environment overrides) apply.")
@click.option("--idle-timeout", default=30, show_default=True, help="Minutes.")
@click.option("--extra-py-files", multiple=True, help="s3:// path of extra Python files.")
def session(job: str, env: str, idle_timeout: int, extra_py_files: tuple[str, ...]) -> None:
    """Print the first cell for a Glue interactive session (glue_pyspark kernel): magics, then
    the kit.bootstrap preamble that lets the job's cells run there unchanged."""
    from kit.endpoints.sessions import session_magics
    from kit.notebooks.inline_bootstrap import session_preamble

    cell = session_magics(job, kit_config.load(), idle_timeout, extra_py_files, env=env)
    click.echo(cell + session_preamble(), nl=False)
