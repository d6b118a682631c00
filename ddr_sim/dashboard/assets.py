"""The browser files the dashboard needs, fetched once with npm for offline use.

Solara's page loads its JavaScript and CSS (the Vuetify app, RequireJS, Font Awesome, the
draggable grid) from a CDN, through the Solara server, which keeps what it fetched in a
cache folder (``solara.server.settings.assets.proxy_cache_dir``). On a machine that cannot
reach the CDN (a closed classroom network, CI) the page stays blank. This module puts those
packages in the cache from the npm registry with ``npm pack``, so the dashboard then works
without the CDN. Run it once after installing the ``viz`` extra::

    python -m ddr_sim.dashboard.assets

``ddr-sim dashboard`` does the same when something is missing and npm is available.

The packages and versions are read from the installed Solara (its page template and the
grid widget), so they follow Solara upgrades.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

#: Packages the dashboard's page loads, by name; the versions come from Solara's files.
PACKAGES = (
    "@widgetti/solara-vuetify3-app",
    "@widgetti/vue-grid-layout",
    "requirejs",
    "font-awesome",
)

#: Solara files (relative to the ``solara`` package) that name the versions.
_SOURCES = (
    "server/templates/solara.html.j2",
    "server/settings.py",
    "widgets/vue/gridlayout_v3.vue",
)

_SPEC = re.compile(r"((?:@widgetti/)?[a-z0-9-]+)@(\d[0-9A-Za-z.\-]*[0-9A-Za-z])")


def cache_dir() -> Path:
    """Where the Solara server looks for CDN files before fetching them."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def required() -> list[str]:
    """``name@version`` of each package in :data:`PACKAGES`, as the installed Solara names it."""
    import solara

    root = Path(solara.__file__).parent
    found: dict[str, str] = {}
    for rel in _SOURCES:
        path = root / rel
        if not path.exists():
            continue
        for name, version in _SPEC.findall(path.read_text(encoding="utf-8")):
            if name in PACKAGES:
                found.setdefault(name, version)
    return [f"{name}@{found[name]}" for name in PACKAGES if name in found]


def missing() -> list[str]:
    """The required packages not yet in the cache."""
    base = cache_dir()
    return [spec for spec in required() if not (base / spec / "package.json").exists()]


def fetch(specs: list[str], npm: str = "npm") -> list[str]:
    """Download ``specs`` with ``npm pack`` and unpack each into the cache; return them.

    Raises
    ------
    RuntimeError
        npm is not installed or could not fetch a package.
    """
    exe = shutil.which(npm)
    if exe is None:
        raise RuntimeError("npm is not installed; it fetches the dashboard's browser files")
    base = cache_dir()
    base.mkdir(parents=True, exist_ok=True)
    done = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in specs:
            result = subprocess.run(
                [exe, "pack", "--silent", spec],
                cwd=tmp,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if result.returncode != 0:
                raise RuntimeError(f"npm pack {spec} failed: {result.stderr.strip()[-500:]}")
            tarball = Path(tmp) / result.stdout.strip().splitlines()[-1]
            unpacked = Path(tempfile.mkdtemp(dir=base, prefix=".unpack-"))
            try:
                with tarfile.open(tarball) as archive:
                    archive.extractall(unpacked, filter="data")
                target = base / spec
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists():
                    shutil.rmtree(target)
                (unpacked / "package").rename(target)
            finally:
                shutil.rmtree(unpacked, ignore_errors=True)
            done.append(spec)
    return done


def ensure(quiet: bool = False) -> bool:
    """Fetch whatever is missing; True when every package is in the cache afterwards.

    Without npm, or when npm cannot reach its registry, print why (unless ``quiet``) and
    return False: the Solara server then fetches from the CDN, which needs the internet.
    """
    todo = missing()
    if not todo:
        return True
    if not quiet:
        print(f"fetching the dashboard's browser files with npm: {', '.join(todo)}", flush=True)
    try:
        fetch(todo)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as err:
        if not quiet:
            print(f"warning: {err}; the page will load them from the CDN", file=sys.stderr)
        return False
    return not missing()


def main() -> int:
    """``python -m ddr_sim.dashboard.assets``: fetch what is missing, report the cache."""
    ok = ensure()
    print(f"{'ok' if ok else 'incomplete'}: {cache_dir()}")
    for spec in required():
        print(f"  {spec}: {'present' if (cache_dir() / spec).exists() else 'MISSING'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
