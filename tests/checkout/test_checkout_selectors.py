"""Reads the page uses: default currency from the locale, presets staff set, the fee, the upgrade ladder."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from checkout.demo import load_demo_presets
from checkout.fees import fee_for
from checkout.models import AmountPreset
from checkout.selectors import checkout_options, default_currency_for, suggested_monthly_amount


@pytest.mark.parametrize(
    ("accept_language", "currency"),
    [
        ("uk-UA,uk;q=0.9", "UAH"),
        ("uk", "UAH"),
        ("en-GB,en;q=0.8", "GBP"),
        ("fr-CA", "CAD"),
        ("de-DE,de;q=0.9", "EUR"),
        ("de", "EUR"),
        ("en-US,en;q=0.9", "USD"),
        ("en", "USD"),
        ("ja-JP", "USD"),  # yen not enabled: the default
        ("pt-BR", "USD"),  # real not offered
        ("", "USD"),
        ("*", "USD"),
        ("xx-invalid;;q=oops", "USD"),
        ("pt-BR,de;q=0.5", "EUR"),  # the first enabled match in order of preference
    ],
)
def test_default_currency_follows_the_readers_languages(settings, accept_language, currency):
    assert default_currency_for(accept_language=accept_language) == currency


def test_default_currency_is_yen_for_japanese_readers_once_enabled(settings):
    settings.CHECKOUT_CURRENCIES = ["USD", "JPY"]

    assert default_currency_for(accept_language="ja") == "JPY"


def test_country_wins_over_language(settings):
    assert default_currency_for(accept_language="en-US", country="ua") == "UAH"


@pytest.mark.parametrize(
    ("amount", "currency", "fee"),
    [
        (2500, "USD", 106),  # ceil(2530 / 0.971) = 2606
        (1000, "USD", 61),
        (100, "USD", 34),
        (2500, "EUR", 101),
        (2000, "GBP", 81),
        (50000, "UAH", 2730),
        (1000, "JPY", 82),
        # Not in the fee table: 0.300 of a major unit. ceil(1300 / 0.971) = 1339 fils, and Stripe takes
        # KWD only in steps of 10 fils, so the total is 1340.
        (1000, "KWD", 340),
    ],
)
def test_fee_covers_stripe_pricing_rounded_up(amount, currency, fee):
    assert fee_for(amount_minor=amount, currency=currency) == fee


# Stripe's card pricing and amount steps, written out here rather than read from checkout.fees or the
# gateway, so that the test checks them instead of repeating them: 2.9% plus a fixed part per currency.
STRIPE_PERCENT_BASIS_POINTS = 290
STRIPE_FIXED_MINOR = {"USD": 30, "CAD": 30, "EUR": 25, "GBP": 20, "UAH": 1200, "JPY": 50, "KWD": 300}
STRIPE_STEP_MINOR = {"USD": 1, "CAD": 1, "EUR": 1, "GBP": 1, "UAH": 1, "JPY": 1, "KWD": 10}


def _received_after_stripes_fee(total: int, currency: str) -> int:
    """What the newsroom keeps of `total`; the percentage rounded up, the worst case for us."""
    percent = -(-total * STRIPE_PERCENT_BASIS_POINTS // 10_000)
    return total - percent - STRIPE_FIXED_MINOR[currency]


@pytest.mark.parametrize("currency", sorted(STRIPE_FIXED_MINOR))
def test_covered_fee_leaves_the_gift_after_stripes_fee_and_is_the_least_that_does(currency):
    step = STRIPE_STEP_MINOR[currency]
    amounts = [*range(step, 100_000 * step, 37 * step), 10**9 * step]

    for amount in amounts:
        total = amount + fee_for(amount_minor=amount, currency=currency)

        assert total % step == 0, (amount, total)  # a total Stripe accepts
        assert _received_after_stripes_fee(total, currency) >= amount, (amount, total)
        assert _received_after_stripes_fee(total - step, currency) < amount, (amount, total)  # minimal


@pytest.mark.parametrize(
    ("one_off", "currency", "suggested"),
    [
        (5000, "USD", 1000),
        (2500, "USD", 500),
        (100, "USD", 500),
        (100000, "USD", 5000),
        (100000, "UAH", 20000),
    ],
)
def test_upgrade_suggestion_climbs_the_monthly_ladder(db, one_off, currency, suggested):
    assert suggested_monthly_amount(one_off_minor=one_off, currency=currency) == suggested


@pytest.mark.django_db
def test_staff_presets_replace_the_standard_ones(settings):
    AmountPreset.objects.create(currency="GBP", frequency="one_off", amount_minor=700, position=1)
    AmountPreset.objects.create(
        currency="GBP", frequency="one_off", amount_minor=300, position=0, is_default=True
    )

    options = checkout_options(currency="GBP")

    assert options["presets"]["one_off"] == {"amounts": [300, 700], "default": 300, "fees": [30, 42]}
    assert options["presets"]["monthly"]["amounts"] == [500, 1000, 2000, 5000]


@pytest.mark.django_db
def test_demo_presets_load_once():
    created = load_demo_presets()
    again = load_demo_presets()

    assert created == AmountPreset.objects.count() == 6 * 3 * 4
    assert again == 0
    assert AmountPreset.objects.filter(is_default=True).count() == 6 * 3


@pytest.mark.django_db
def test_load_demo_data_command_loads_presets():
    call_command("load_demo_data")
    call_command("load_demo_data")

    assert (
        AmountPreset.objects.filter(currency="USD", frequency="monthly", is_default=True).get().amount_minor
        == 1000
    )


@pytest.mark.django_db
def test_staff_preset_currency_is_normalised_and_checked():
    preset = AmountPreset(currency="eur", frequency="monthly", amount_minor=700)
    preset.full_clean()
    assert preset.currency == "EUR"

    with pytest.raises(ValidationError, match="ISO 4217"):
        AmountPreset(currency="EURO", frequency="monthly", amount_minor=700).full_clean()


@pytest.mark.django_db
def test_staff_edit_presets_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/checkout/amountpreset/add/",
        {"currency": "cad", "frequency": "one_off", "amount_minor": 1500, "position": 0, "is_default": "on"},
    )

    assert response.status_code == 302
    assert AmountPreset.objects.get().currency == "CAD"
    assert checkout_options(currency="CAD")["presets"]["one_off"] == {
        "amounts": [1500],
        "default": 1500,
        "fees": [76],
    }


def test_the_sites_language_chooses_the_currency_first(settings):
    settings.CHECKOUT_CURRENCY_BY_LANGUAGE = {"uk": "UAH"}

    assert default_currency_for(accept_language="en-GB", country="gb", language="uk") == "UAH"


def test_a_language_mapped_to_a_currency_that_is_not_enabled_falls_back(settings):
    settings.CHECKOUT_CURRENCY_BY_LANGUAGE = {"uk": "UAH"}
    settings.CHECKOUT_CURRENCIES = ["USD", "EUR"]

    assert default_currency_for(accept_language="de-DE", language="uk") == "EUR"
