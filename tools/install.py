"""Install Reclamare from a wheelhouse with no internet: ``python3 install.py [FOLDER]``.

Copied into every wheelhouse (tools/wheelhouse.py). Run with any Python 3: when it is older
than 3.12 it uses ``python3.12`` or ``python3.13`` if one is on PATH, else it stops with one
line naming the command that installs 3.12 on this system (before pip ever runs, which would
otherwise fail with "No matching distribution found for numpy"). Then it creates the virtual
environment FOLDER (default ``reclamare-env``), installs Reclamare from this folder with the
package index switched off, compiles the model once (about a minute) and prints the command to
start. ``python3 install.py --check [THEN]`` only says whether this Python will do (the
Makefile uses it; THEN is what to do after installing 3.12). Written for old Pythons too: no
syntax newer than 3.6.
"""

import os
import platform
import shutil
import subprocess
import sys

NEEDED = (3, 12)
NEWER = ("python3.12", "python3.13", "python3.14")
AGAIN = "RECLAMARE_INSTALL_AGAIN"  # set when this script re-runs itself with a newer Python


def version_text(info=None):
    info = info or sys.version_info
    return f"{info[0]}.{info[1]}.{info[2]}"


def os_release():
    """``/etc/os-release`` as a dict (empty where there is none)."""
    out = {}
    try:
        with open("/etc/os-release") as handle:
            for line in handle:
                key, sep, value = line.strip().partition("=")
                if sep:
                    out[key] = value.strip('"')
    except OSError:
        pass
    return out


def get_python_command(system=None, release=None):
    """The command that installs Python 3.12 on this kind of system."""
    system = system or platform.system()
    if system == "Windows":
        return "winget install Python.Python.3.12"
    if system == "Darwin":
        return "brew install python@3.12"
    release = os_release() if release is None else release
    name, version = release.get("ID", ""), release.get("VERSION_ID", "")
    try:
        number = float(version)
    except ValueError:
        number = 0.0
    if name == "ubuntu" and number >= 24.04 or name == "debian" and number >= 13:
        return "sudo apt-get install python3-venv"  # python3 is 3.12 or newer there
    if name == "ubuntu":
        return (
            "sudo add-apt-repository ppa:deadsnakes/ppa && "
            "sudo apt-get install python3.12 python3.12-venv"
        )
    if name == "fedora":
        return "sudo dnf install python3.12"
    # Debian 12 and others: no python3.12 package; uv installs one for the user.
    return "uv python install 3.12 (uv: https://docs.astral.sh/uv/)"


def too_old_line(info=None, executable=None, system=None, release=None, then=None):
    """The one line shown when this Python is too old (and no newer one is on PATH)."""
    executable = executable or sys.executable
    command = get_python_command(system, release)
    then = then or "run: python3.12 " + os.path.basename(__file__)
    return (
        f"error: Reclamare needs Python 3.12 or newer, and {executable} is Python "
        f"{version_text(info)}; install 3.12 with: {command}, then {then}"
    )


def newer_python():
    """A Python 3.12+ on PATH (``python3.12``, ``python3.13``, ...), else None."""
    for name in NEWER:
        path = shutil.which(name)
        if path:
            return path
    if platform.system() == "Windows" and shutil.which("py"):
        for version in ("3.12", "3.13"):
            code = subprocess.call(
                ["py", "-" + version, "-c", ""],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if code == 0:
                return "py -" + version
    return None


def venv_python(folder):
    if platform.system() == "Windows":
        return os.path.join(folder, "Scripts", "python.exe")
    return os.path.join(folder, "bin", "python")


def main(argv):
    if argv and argv[0] == "--check":  # [--check [THEN]]: the Makefile's test
        if sys.version_info < NEEDED:
            print(too_old_line(then=argv[1] if len(argv) > 1 else None))
            return 1
        return 0
    if sys.version_info < NEEDED:
        other = newer_python()
        if other and not os.environ.get(AGAIN):
            print(f"Python {version_text()} is too old for Reclamare; using {other}")
            env = dict(os.environ)
            env[AGAIN] = "1"
            return subprocess.call(other.split() + [os.path.abspath(__file__)] + argv, env=env)
        print(too_old_line())
        return 1
    wheels = os.path.dirname(os.path.abspath(__file__))
    target = argv[0] if argv else "reclamare-env"
    print(f"Creating {target} with Python {version_text()}", flush=True)
    subprocess.check_call([sys.executable, "-m", "venv", target])
    python = venv_python(target)
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_CONFIG_FILE=os.devnull)
    subprocess.check_call(
        [python, "-m", "pip", "install", "--quiet", "--find-links", wheels, "reclamare"], env=env
    )
    subprocess.check_call([python, "-m", "sim.engine.warmup"])
    command = os.path.join(os.path.dirname(python), "reclamare")
    print(f"Installed. Start the app with: {command} viz")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
