"""Build a wheelhouse: every wheel Reclamare needs, for a room without internet (issue #15).

    python tools/wheelhouse.py                  # all platforms below, CPython 3.12 and 3.13
    python tools/wheelhouse.py --current-only   # only this machine's platform and Python (CI)
    python tools/wheelhouse.py --out DIR        # default: wheelhouse/

The folder gets the project's own wheel (built from this source tree, scenarios included) and,
for each platform and Python version, the binary wheels of every runtime dependency at the
exact versions of requirements.lock (``pip download --only-binary=:all: --platform ...
--python-version ...``) and ``install.py`` (tools/install.py: checks for Python 3.12 before
pip runs). Install from it with no index (docs/workshop/README.md)::

    python3 wheelhouse/install.py

pip evaluates dependency markers (``; sys_platform == "win32"``) for the machine it runs on,
not for the target platform, so the few dependencies that only some platforms need are named
here (PLATFORM_EXTRAS) and downloaded for those platforms explicitly.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
PYTHONS = ("3.12", "3.13")
# (name, pip --platform tags). pip also accepts older manylinux/macOS versions of each tag.
PLATFORMS = {
    "linux-x86_64": ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"],
    "linux-aarch64": [
        "manylinux_2_28_aarch64",
        "manylinux_2_17_aarch64",
        "manylinux2014_aarch64",
    ],
    # Intel Macs are missing: numba publishes no macOS x86-64 wheels after 0.63 (the lock pins
    # 0.68.1; measured with pip download, 2026-12-01), so the pinned versions cannot run there.
    "macos-arm64": ["macosx_11_0_arm64", "macosx_14_0_arm64", "macosx_15_0_arm64"],
    "windows-amd64": ["win_amd64"],
}
# Dependencies that only some platforms need (markers pip cannot evaluate for another one).
PLATFORM_EXTRAS = {
    "windows-amd64": ["colorama", "pywin32", "tzdata"],
    "macos-arm64": ["appnope"],
}
# Dependencies published as source only: built here into pure-Python wheels first, so that the
# downloads below (binary only) find them in the folder.
SOURCE_ONLY = ("solara-assets",)
INSTALL_TEXT = """Reclamare wheelhouse: install with no internet

Reclamare needs Python 3.12 or 3.13. One command does it all (it finds python3.12 or
python3.13 when python3 is older, or says in one line how to get 3.12; then it creates
reclamare-env, installs from this folder and compiles the model once, about a minute):

Linux and macOS:
    python3 {folder}/install.py
Windows (PowerShell or cmd):
    py {folder}\\install.py

By hand, with a Python 3.12 or 3.13 (check with: python3 --version):
    python3.12 -m venv reclamare-env
    reclamare-env/bin/pip install --no-index --find-links {folder} reclamare
    reclamare-env/bin/reclamare list
Windows:
    py -3.12 -m venv reclamare-env
    reclamare-env\\Scripts\\pip install --no-index --find-links {folder} reclamare
    reclamare-env\\Scripts\\reclamare list

Then: reclamare run workshop/crisis, reclamare viz --lang nb (the browser app on
http://127.0.0.1:8765). Platforms in this folder: {platforms}; Python {pythons}.
"""
INSTALLER = ROOT / "tools" / "install.py"


def write_install_files(out: Path, platforms: list[str], pythons: list[str]) -> Path:
    """INSTALL.txt and install.py (tools/install.py) into the wheelhouse ``out``."""
    shutil.copyfile(INSTALLER, out / "install.py")
    path = out / "INSTALL.txt"
    path.write_text(
        INSTALL_TEXT.format(
            folder=out.name, platforms=", ".join(platforms), pythons=", ".join(pythons)
        ),
        encoding="utf-8",
    )
    return path


def pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", *args]
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def build_project_wheel(out: Path) -> Path:
    """The project's own wheel, built from this tree into ``out``; returns its path."""
    for old in out.glob("reclamare-*.whl"):
        old.unlink()
    pip("wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(ROOT))
    (wheel,) = out.glob("reclamare-*.whl")
    return wheel


def build_source_only(out: Path) -> None:
    """Wheels of the dependencies that are published as source only (SOURCE_ONLY)."""
    pins = dict(line.split("==", 1) for line in LOCK.read_text().splitlines() if "==" in line)
    for name in SOURCE_ONLY:
        spec = f"{name}=={pins[name]}" if name in pins else name
        pip("wheel", "--no-deps", "--quiet", "--no-binary", name, "--wheel-dir", str(out), spec)


def download(out: Path, wheel: Path, platform: list[str] | None, python: str | None, extra=()):
    """Binary wheels of the project's runtime dependencies (exact versions of the lock)."""
    args = ["download", "--quiet", "--only-binary=:all:", "--dest", str(out)]
    args += ["--find-links", str(out)]
    args += ["--constraint", str(LOCK)]
    if platform:
        for tag in platform:
            args += ["--platform", tag]
        args += ["--implementation", "cp", "--python-version", python]
    pip(*args, str(wheel), *extra)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "wheelhouse", help="the folder")
    parser.add_argument(
        "--current-only",
        action="store_true",
        help="only this machine's platform and Python version (quick; what CI checks)",
    )
    parser.add_argument(
        "--platform",
        action="append",
        choices=sorted(PLATFORMS),
        help="only these platforms (repeatable; default: all)",
    )
    parser.add_argument(
        "--python", action="append", choices=PYTHONS, help="only these Python versions"
    )
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    wheel = build_project_wheel(out)
    build_source_only(out)
    if args.current_only:
        download(out, wheel, None, None)
        platforms = [sysconfig.get_platform()]
        pythons = [f"{sys.version_info.major}.{sys.version_info.minor}"]
    else:
        platforms = args.platform or sorted(PLATFORMS)
        pythons = args.python or list(PYTHONS)
        failed = []
        for name in platforms:
            for python in pythons:
                print(f"== {name}, CPython {python}", flush=True)
                try:
                    download(out, wheel, PLATFORMS[name], python, PLATFORM_EXTRAS.get(name, ()))
                except subprocess.CalledProcessError:
                    failed.append(f"{name} CPython {python}")
        if failed:
            print(f"error: no complete set of wheels for: {'; '.join(failed)} (see above)")
            return 1
    write_install_files(out, platforms, pythons)
    count = len(list(out.glob("*.whl")))
    size = sum(p.stat().st_size for p in out.glob("*.whl")) / 1e6
    print(f"Wheelhouse: {out} ({count} wheels, {size:.0f} MB); install: {out / 'INSTALL.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
