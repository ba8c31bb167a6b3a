"""Renders Home Assistant MQTT templates with real Jinja2, the way Home Assistant does.

One JSON request per line on stdin, one JSON answer per line on stdout:
  {"template": "...", "variables": {...}}  ->  {"result": "...", "warnings": [...]}
                                           or {"error": "..."}

The environment mirrors homeassistant/helpers/template.py for what MQTT templates rely on:
an ImmutableSandboxedEnvironment with the loopcontrols and do extensions, and a non-strict
Undefined that logs (here: reports as a warning) whenever an undefined value is printed,
iterated or tested, as Home Assistant's LoggingUndefined does. The result is stripped, as
Template.async_render does. Home Assistant's own filters and globals (states, float, ...) are
not provided: a template that needs one fails here, so the bridge's templates stay plain Jinja.
"""

import json
import sys

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

warnings: list[str] = []


class LoggingUndefined(jinja2.Undefined):
    """Home Assistant's non-strict undefined: renders empty, but says so."""

    def _log(self) -> None:
        warnings.append(self._undefined_message)

    def __str__(self) -> str:
        self._log()
        return super().__str__()

    def __iter__(self):
        self._log()
        return super().__iter__()

    def __bool__(self) -> bool:
        self._log()
        return super().__bool__()


env = ImmutableSandboxedEnvironment(undefined=LoggingUndefined)
env.add_extension("jinja2.ext.loopcontrols")
env.add_extension("jinja2.ext.do")

for line in sys.stdin:
    request = json.loads(line)
    warnings.clear()
    try:
        template = env.from_string(request["template"])
        answer = {"result": template.render(**request["variables"]).strip(), "warnings": list(warnings)}
    except Exception as error:  # noqa: BLE001 - every failure is the answer
        answer = {"error": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
