"""The Python form renderer writes exactly what Django's widget templates write."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from comptoir.core.form_renderer import FormRenderer

CHOICES = [("", "Any"), ("a&b", 'A "quoted" <choice>'), (3, "Three")]
GROUPED = [("Hardware", [("printer", "Printer"), ("disk", "Disk")]), ("other", "Other")]


class EveryWidget(forms.Form):
    text = forms.CharField(
        label="Text", max_length=20, widget=forms.TextInput(attrs={"placeholder": "<type>"})
    )
    number = forms.IntegerField(required=False, min_value=0)
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    day = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    agreed = forms.BooleanField(required=False)
    upload = forms.FileField(required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    choice = forms.ChoiceField(choices=CHOICES, required=False)
    grouped = forms.ChoiceField(choices=GROUPED, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES[1:], required=False)
    boxes = forms.MultipleChoiceField(
        choices=[("x", gettext_lazy("Open")), ("y", mark_safe("<b>Safe</b>"))],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "boxes"}),
        required=False,
    )
    radio = forms.ChoiceField(
        choices=[("r", "Reply"), ("n", "Note & more")], widget=forms.RadioSelect, required=False
    )
    disabled = forms.CharField(disabled=True, required=False, initial="frozen")


def _render(form: forms.Form, renderer: object) -> dict[str, str]:
    form.renderer = renderer  # type: ignore[assignment]
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "text": 'Tom & "Jerry" <script>',
            "number": "-4",
            "email": "not an email",
            "day": "2026-11-30",
            "agreed": "on",
            "body": "Line one\n<b>two</b> & three",
            "choice": "a&b",
            "grouped": "disk",
            "many": ["a&b", "3"],
            "boxes": ["x", "y"],
            "radio": "n",
        },
    ],
    ids=["unbound", "bound-with-errors"],
)
def test_every_widget_matches_djangos_templates(language: str, data: dict | None) -> None:
    with translation.override(language):
        initial = {"day": datetime.date(2026, 1, 2), "choice": 3, "many": [3]}
        expected = _render(EveryWidget(data, initial=initial), DjangoTemplates())
        actual = _render(EveryWidget(data, initial=initial), FormRenderer())
    for name, html in expected.items():
        assert actual[name] == html, name


def test_user_text_is_escaped() -> None:
    form = EveryWidget({"text": '"><script>alert(1)</script>', "body": "</textarea><script>"})
    form.renderer = FormRenderer()

    assert "<script>" not in str(form["text"])
    assert "&lt;/textarea&gt;&lt;script&gt;" in str(form["body"])


def test_unknown_widget_templates_still_render_through_the_engine() -> None:
    class FancyForm(forms.Form):
        both = forms.SplitDateTimeField(required=False)

    form = FancyForm(initial={"both": datetime.datetime(2026, 11, 30, 9, 5, tzinfo=datetime.UTC)})
    expected = _render(form, DjangoTemplates())
    assert _render(FancyForm(initial=form.initial), FormRenderer()) == expected


@pytest.mark.parametrize("name", ["boxes", "radio"])
def test_options_rendered_one_by_one_match_too(name: str) -> None:
    # Templates that lay out each choice themselves ({% for option in field %}).
    data = {"boxes": ["y"], "radio": "n"}

    def tags(renderer: object) -> list[str]:
        form = EveryWidget(data)
        form.renderer = renderer  # type: ignore[assignment]
        return [str(option.tag()) for option in form[name]]

    assert tags(FormRenderer()) == tags(DjangoTemplates())
