"""Validation of the checkout forms (pure functions, no I/O)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from agent.shop.orders import Address, Result

COUNTRIES: tuple[str, ...] = (
    "Belgium",
    "France",
    "Germany",
    "Ireland",
    "Netherlands",
    "United Kingdom",
    "United States",
)
SUCCESS_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"


def validate_address(fields: dict[str, str]) -> tuple[Address | None, list[str]]:
    errors = []
    labels = {"full_name": "Full name", "street": "Street", "city": "City", "zip": "Zip", "country": "Country"}
    for key, label in labels.items():
        if not fields.get(key):
            errors.append(f"{label} is required.")
        elif len(fields[key]) > 120:
            errors.append(f"{label} is too long.")
    zip_code = fields.get("zip", "")
    if zip_code and not (2 <= len(zip_code) <= 10 and zip_code.replace(" ", "").replace("-", "").isalnum()):
        errors.append("Zip must be 2 to 10 letters or digits.")
    country = fields.get("country", "")
    if country and country not in COUNTRIES:
        errors.append(f"We do not ship to {country}.")
    if errors:
        return None, errors
    return Address(**{k: fields[k] for k in labels}), []


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@dataclass(frozen=True)
class Card:
    number: str
    last4: str
    result: Result


def validate_card(number: str, expiry: str, cvc: str, today: dt.date | None = None) -> tuple[Card | None, list[str]]:
    """Check the card fields. Any valid card is authorized except the decline test card."""
    errors = []
    digits = "".join(ch for ch in number if ch not in " -")
    if not (digits.isdigit() and 12 <= len(digits) <= 19 and _luhn_ok(digits)):
        errors.append("Card number is not valid.")
    today = today or dt.date.today()
    month_s, _, year_s = expiry.partition("/")
    try:
        month, year = int(month_s), int(year_s.strip())
        year = year + 2000 if year < 100 else year
        if not 1 <= month <= 12:
            raise ValueError(expiry)
        if (year, month) < (today.year, today.month):
            errors.append("The card has expired.")
    except ValueError:
        errors.append("Expiry must look like MM/YY.")
    if not (cvc.isdigit() and len(cvc) in (3, 4)):
        errors.append("CVC must be 3 or 4 digits.")
    if errors:
        return None, errors
    result: Result = "declined" if digits == DECLINED_CARD else "authorized"
    return Card(number=digits, last4=digits[-4:], result=result), []
