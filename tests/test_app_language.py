"""Issue 25, item 5: the app's language and the classroom address.

The language a page opens in: the link's ``?lang``, then ``viz --lang`` / ``RECLAMARE_LANG``,
then the browser's languages, then English. ``viz`` prints one address to give the class, with
``?lang=..`` when a language was chosen; preset names are translated and unique per language;
a bad link value is a message in the page's language.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sim.cli import main
from sim.i18n import LANGUAGES, translator
from sim.viz import launch
from sim.viz.controls import Controls
from sim.viz.labels import preset_label, preset_order
from sim.viz.language import browser_language, page_language
from sim.viz.presets import offered_presets
from sim.viz.share import LinkProblem, controls_from_query
from sim.workshop.exercises import EXERCISES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("nb-NO,nb;q=0.9,en;q=0.8", "nb"),
        ("no", "nb"),
        ("nn-NO", "nb"),
        ("en-GB,en;q=0.9,nb;q=0.8", "en"),
        ("de-DE,de;q=0.9,nb;q=0.5,en;q=0.4", "nb"),
        ("en;q=0.2,nb;q=0.7", "nb"),
        ("de-DE,fr", None),
        ("nb;q=0", None),
        ("", None),
        (None, None),
    ],
)
def test_browser_language_is_the_first_offered_one(header, lang):
    assert browser_language(header) == lang


NB_BROWSER = {"accept-language": ["nb-NO,nb;q=0.9"]}
EN_BROWSER = {"accept-language": ["en-US,en;q=0.9"]}


def test_language_precedence_link_then_flag_or_environment_then_browser_then_english():
    env_nb, env_en = {"RECLAMARE_LANG": "nb"}, {"RECLAMARE_LANG": "en"}
    assert page_language("en", env_nb, NB_BROWSER) == "en"  # the link wins
    assert page_language("nb", env_en, EN_BROWSER) == "nb"
    assert page_language(None, env_nb, EN_BROWSER) == "nb"  # viz --lang / RECLAMARE_LANG
    assert page_language(None, env_en, NB_BROWSER) == "en"
    assert page_language(None, {}, NB_BROWSER) == "nb"  # the browser
    assert page_language(None, {"RECLAMARE_LANG": "xx"}, NB_BROWSER) == "nb"
    assert page_language(None, {}, {"accept-language": ["de"]}) == "en"  # English
    assert page_language(None, {}, None) == "en"


def test_page_start_takes_the_language_in_that_order(monkeypatch):
    from sim.viz.app import startup

    monkeypatch.delenv("RECLAMARE_PRESET", raising=False)
    monkeypatch.delenv("RECLAMARE_LANG", raising=False)
    assert startup("", NB_BROWSER).page["lang"] == "nb"
    assert startup("", EN_BROWSER).page["lang"] == "en"
    assert startup("", None).page["lang"] == "en"
    monkeypatch.setenv("RECLAMARE_LANG", "nb")
    assert startup("", EN_BROWSER).page["lang"] == "nb"
    assert startup("lang=en", NB_BROWSER).page["lang"] == "en"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_preset_names_are_translated_and_unique(lang):
    _ = translator(lang)
    keys = offered_presets()
    names = [preset_label(k, _) for k in keys]
    doubles = sorted({n for n in names if names.count(n) > 1})
    assert not doubles, f"{lang}: the scenario menu lists {doubles} twice"
    for exercise in EXERCISES:  # each exercise's preset is named as its worksheet names it
        label = preset_label(exercise.scenario, _)
        assert label.startswith(f"{_('Exercise') if lang == 'en' else 'Oppgave'} ")
        assert str(exercise.number) in label
    if lang != "en":
        english = [preset_label(k, translator("en")) for k in keys]
        same = [n for n, e in zip(names, english, strict=True) if n == e and " " in n]
        assert not same, f"{lang}: preset names left in English: {same}"


def test_workshop_presets_come_after_the_others_in_exercise_order():
    keys = sorted(offered_presets(), key=preset_order)
    workshop = [k for k in keys if k.startswith("workshop/")]
    assert workshop == [e.scenario for e in sorted(EXERCISES, key=lambda e: e.number)]
    assert keys[: -len(workshop)] == [k for k in offered_presets() if k not in workshop]


def test_a_users_file_is_named_by_its_file_name_not_a_shipped_preset():
    _ = translator("nb")
    assert preset_label("/home/me/crisis.toml", _) == "crisis.toml"
    assert preset_label("crisis", _) != "crisis.toml"


@pytest.mark.parametrize(
    "query",
    [
        "push_share=7",
        "n=12.5",
        "strategy=shout",
        "preset=../../etc/passwd",
        "lang=de",
        "charts=a,b,c,d",
        "seed=abc",
        "seed=99999999999999999999999",
        "compare=2",
        "colour=red",
    ],
)
def test_bad_link_values_are_messages_in_the_pages_language(query):
    _, _page, (problem,) = controls_from_query(query, Controls())
    assert isinstance(problem, LinkProblem)
    english = problem.text(translator("en"))
    bokmal = problem.text(translator("nb"))
    assert english == str(problem)
    assert bokmal != english and bokmal.startswith("lenke: "), bokmal
    key = query.split("=")[0]
    assert key in bokmal  # the parameter is named as typed


# ------------------------------------------------------------------------------ the command
def test_viz_refuses_an_unknown_language(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["viz", "--lang", "xx"])
    assert stop.value.code == 2
    assert "xx" in capsys.readouterr().err


def test_viz_refuses_a_wrong_environment_language(monkeypatch, capsys):
    monkeypatch.setenv("RECLAMARE_LANG", "xx")
    assert main(["viz"]) == 2
    assert "RECLAMARE_LANG=xx" in capsys.readouterr().err


def test_the_class_address_is_one_address_with_the_language():
    shared = launch.class_address("0.0.0.0", 8765, "nb")
    assert shared.endswith(":8765/?lang=nb") and "0.0.0.0" not in shared
    assert launch.class_address("127.0.0.1", 8800, None) == "http://127.0.0.1:8800/"
    assert launch.class_address("127.0.0.1", 8800, "en") == "http://127.0.0.1:8800/?lang=en"


def test_the_server_gets_the_language_and_no_library_warnings():
    env = launch.launch_env("karate", "nb", base={"RECLAMARE_LANG": "en"})
    assert env["RECLAMARE_LANG"] == "nb"  # the flag beats the environment
    assert "Cookies with samesite=none" in env["PYTHONWARNINGS"]
    env = launch.launch_env(None, None, base={"RECLAMARE_LANG": "en", "PYTHONWARNINGS": "error"})
    assert "RECLAMARE_LANG" not in env  # no language chosen: each browser's own
    assert env["PYTHONWARNINGS"].endswith(",error")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_viz_for_a_class_prints_one_address_and_no_library_lines():
    """The real command: `viz --host 0.0.0.0 --lang nb` prints one address (with ?lang=nb); a
    page load puts no Solara line or warning in the terminal."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "RECLAMARE_LANG"}
    process = subprocess.Popen(
        [sys.executable, "run_sim.py", "viz", "--host", "0.0.0.0", "--port", str(port)]
        + ["--lang", "nb"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, body = time.monotonic() + 90, None
        while body is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?lang=nb", timeout=5) as r:
                    body = r.read()
            except OSError:
                time.sleep(0.5)
        assert body is not None, "the server did not answer"
        time.sleep(1.5)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    addresses = [w for w in output.split() if w.startswith("http")]
    assert len(addresses) == 1 and addresses[0].endswith(f":{port}/?lang=nb"), output
    assert "Gi klassen denne adressen" in output
    assert "Warning" not in output and "Solara server" not in output, output
