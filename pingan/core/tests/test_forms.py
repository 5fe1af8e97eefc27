"""Shared form widgets."""

from datetime import date

from django import forms
from django.utils import translation

from pingan.core.forms import DateInput, MonthInput


class _Dates(forms.Form):
    day = forms.DateField(widget=DateInput(), initial=date(2026, 12, 21))
    month = forms.DateField(widget=MonthInput(), initial=date(2026, 12, 1))


def test_date_pickers_are_given_iso_dates_in_chinese_too():
    # a type=date input drops "2026/12/21" (zh-Hans' format), leaving a required field empty
    with translation.override("zh-hans"):
        html = str(_Dates())
    assert 'type="date" name="day" value="2026-12-21"' in html
    assert 'type="month" name="month" value="2026-12"' in html
