"""Django's form renderer, with the common widgets written out in Python.

Django renders every widget through templates, and a ``<select>`` includes one more
template per option: the agent list's filters and bulk bar (about 30 widgets, 100
options) took more CPU than the rest of the page. The widgets below produce exactly the
markup of Django's own templates (``django/forms/templates/django/forms/widgets/``),
whitespace included; any other template (a custom widget, the admin's) still renders
through the template engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape

WIDGETS = "django/forms/widgets/"
_INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in (
        "input", "text", "number", "email", "url", "password", "hidden", "date", "datetime",
        "time", "search", "tel", "color", "checkbox", "file",
    )
}  # fmt: skip


def _value(value: Any) -> str:
    """``{{ value|stringformat:'s' }}`` under autoescaping."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(str(value))


def _attrs(attrs: Mapping[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            parts.append(f'="{_value(value)}"')
    return "".join(parts)


def _label(label: Any) -> str:
    """``{{ label }}``: localised like any template variable, then escaped."""
    return str(conditional_escape(localize(label)))


def _input(widget: Mapping[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{_value(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>\n"
    )


def _select_option(option: Mapping[str, Any]) -> str:
    return (
        f'<option value="{_value(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_label(option['label'])}</option>\n"
    )


def _input_option(option: Mapping[str, Any]) -> str:
    """``radio_option.html`` / ``checkbox_option.html`` (through ``input_option.html``)."""
    if not option.get("wrap_label"):
        return f"{_input(option)}\n\n"
    target = option["attrs"].get("id")
    label_for = f' for="{conditional_escape(target)}"' if target else ""
    return f"<label{label_for}>{_input(option)} {_label(option['label'])}</label>\n\n"


_OPTIONS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    f"{WIDGETS}select_option.html": _select_option,
    f"{WIDGETS}radio_option.html": _input_option,
    f"{WIDGETS}checkbox_option.html": _input_option,
}


def _options_known(widget: Mapping[str, Any]) -> bool:
    return all(
        option["template_name"] in _OPTIONS
        for _group, options, _index in widget["optgroups"]
        for option in options
    )


def _select(widget: Mapping[str, Any]) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{_label(group)}">')
        parts.extend(f"\n  {_OPTIONS[option['template_name']](option)}" for option in options)
        if group:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _multiple_input(widget: Mapping[str, Any]) -> str:
    """``radio.html`` / ``checkbox_select.html`` (through ``multiple_input.html``)."""
    identifier = widget["attrs"].get("id")
    css = widget["attrs"].get("class")
    parts = ["<div"]
    if identifier:
        parts.append(f' id="{_label(identifier)}"')
    if css:
        parts.append(f' class="{_label(css)}"')
    parts.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_label(group)}</label>")
        parts.extend(
            f"<div>\n    {_OPTIONS[option['template_name']](option)}</div>" for option in options
        )
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n")
    return "".join(parts)


def _textarea(widget: Mapping[str, Any]) -> str:
    value = _label(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{value}</textarea>\n"
    )


_WIDGETS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    **dict.fromkeys(_INPUTS, _input),
    # An option alone: a template iterating a field's choices (``{% for box in field %}``).
    **_OPTIONS,
    f"{WIDGETS}select.html": _select,
    f"{WIDGETS}radio.html": _multiple_input,
    f"{WIDGETS}checkbox_select.html": _multiple_input,
    f"{WIDGETS}textarea.html": _textarea,
}
_WITH_OPTIONS = {f"{WIDGETS}select.html", f"{WIDGETS}radio.html", f"{WIDGETS}checkbox_select.html"}


class FormRenderer(DjangoTemplates):
    """``FORM_RENDERER``: Python for Django's common widgets, templates for the rest."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        render = _WIDGETS.get(template_name)
        widget = context.get("widget")
        if render is None or not isinstance(widget, Mapping):
            return super().render(template_name, context, request)
        if template_name in _WITH_OPTIONS and not _options_known(widget):
            return super().render(template_name, context, request)
        return render(widget).strip()
