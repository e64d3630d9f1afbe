"""The ``warta`` command. Each package contributes subcommands through the ``warta.commands``
entry-point group, so the shared library never imports a service."""

from __future__ import annotations

from importlib.metadata import entry_points

import click


class _PluginGroup(click.Group):
    def _plugins(self) -> dict[str, object]:
        return {ep.name: ep for ep in entry_points(group="warta.commands")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._plugins()))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        cmd = super().get_command(ctx, name)
        if cmd is not None:
            return cmd
        ep = self._plugins().get(name)
        if ep is None:
            return None
        try:
            return ep.load()  # type: ignore[attr-defined,no-any-return]
        except Exception as exc:  # one broken plugin must not take the whole CLI down
            error = f"{type(exc).__name__}: {exc}"

            def unavailable() -> None:
                raise click.ClickException(f"'{name}' is unavailable: {error}")

            return click.Command(name, callback=unavailable, help=f"(unavailable: {error})")


@click.group(cls=_PluginGroup)
def main() -> None:
    """Warta: multilingual news ingestion, search and alerts."""


if __name__ == "__main__":
    main()
