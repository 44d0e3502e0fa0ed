#!/usr/bin/env python3
"""Writes the generated JSON Schema benchmark fixtures beside this script.

- orders.json: a deterministic page of 100 realistic orders, valid against orders.schema.json.
- service-config.invalid.json: the hand-written service-config.json with six known mistakes,
  so the all-errors path has errors to report.

Run it from anywhere (`python3 Benchmarks/Fixtures/json-schema/generate.py`); the output is
committed, so the benchmarks never depend on running it. A fixed seed keeps the bytes stable.
"""

import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ORDER_COUNT = 100
SEED = 20261121

FIRST_NAMES = ["Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Alan", "Edsger"]
LAST_NAMES = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen", "Kay", "Dijkstra"]
PRODUCTS = [
    ("TEE", "Organic cotton T-shirt", 2499),
    ("MUG", "Enamel camping mug", 1450),
    ("BAG", "Waxed canvas tote bag", 5900),
    ("PEN", "Brass fountain pen", 7800),
    ("NTB", "Dot-grid notebook, A5", 1899),
    ("LMP", "Clamp desk lamp", 6450),
    ("SCK", "Merino wool socks, 3 pairs", 2990),
    ("CAP", "Five-panel cap", 3200),
]
CITIES = [
    ("10 Downing Street", "London", "SW1A 2AA", "GB"),
    ("1600 Amphitheatre Parkway", "Mountain View", "94043", "US"),
    ("Unter den Linden 77", "Berlin", "10117", "DE"),
    ("5 Avenue Anatole France", "Paris", "75007", "FR"),
    ("1-1 Chiyoda", "Tokyo", "100-8111", "JP"),
    ("Herengracht 182", "Amsterdam", "1016 BR", "NL"),
]
STATUSES = ["pending", "paid", "shipped", "delivered", "cancelled", "refunded"]
TIERS = ["none", "silver", "gold", "platinum"]
TAGS = ["gift", "priority", "wholesale", "repeat-customer", "fragile", "international"]


def address(rng):
    line1, city, postal_code, country = rng.choice(CITIES)
    result = {"line1": line1, "city": city, "postalCode": postal_code, "country": country}
    if rng.random() < 0.3:
        result["line2"] = f"Apartment {rng.randint(1, 120)}"
    return result


def line_item(rng):
    code, name, price = rng.choice(PRODUCTS)
    item = {
        "sku": f"{code}-{rng.randint(0, 9999):04d}",
        "name": name,
        "quantity": rng.randint(1, 4),
        "unitPriceCents": price,
    }
    if rng.random() < 0.25:
        item["discountRate"] = rng.choice([0.05, 0.1, 0.15, 0.25])
    if rng.random() < 0.1:
        item["giftWrap"] = True
    return item


def order(rng, index, start):
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    items = [line_item(rng) for _ in range(rng.randint(1, 5))]
    subtotal = sum(round(i["quantity"] * i["unitPriceCents"] * (1 - i.get("discountRate", 0))) for i in items)
    tax = round(subtotal * 0.2)
    shipping = 0 if subtotal > 10000 else 495
    placed = start + timedelta(minutes=17 * index, seconds=rng.randint(0, 59))
    result = {
        "id": f"ORD-{20260000 + index:08d}",
        "status": rng.choice(STATUSES),
        "placedAt": placed.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "customer": {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "email": f"{first}.{last}{rng.randint(1, 99)}@example.com".lower(),
            "name": f"{first} {last}",
            "loyaltyTier": rng.choice(TIERS),
        },
        "currency": rng.choice(["EUR", "GBP", "USD"]),
        "items": items,
        "shippingAddress": address(rng),
        "totals": {"subtotalCents": subtotal, "taxCents": tax, "shippingCents": shipping, "totalCents": subtotal + tax + shipping},
    }
    if rng.random() < 0.5:
        result["billingAddress"] = address(rng)
    if rng.random() < 0.2:
        result["couponCodes"] = rng.sample(["WELCOME10", "SPRING25", "FREESHIP", "VIP2026"], rng.randint(1, 2))
    if rng.random() < 0.4:
        result["tags"] = rng.sample(TAGS, rng.randint(1, 3))
    if rng.random() < 0.15:
        result["notes"] = "Please leave the parcel with the neighbour if nobody answers."
    return result


def invalid_service_config(valid):
    config = json.loads(json.dumps(valid))
    config["service"]["environment"] = "prod"  # not in the enum
    config["http"]["port"] = 70000  # above the maximum
    del config["http"]["tls"]["keyPath"]  # required by if/then when TLS is enabled
    config["database"]["pool"]["maxConnections"] = 0  # below the minimum
    config["logging"]["colour"] = True  # additionalProperties: false
    config["jobs"]["queues"]["Reports"] = {"maxAttempts": 3}  # propertyNames pattern
    return config


def write(path, document, indent):
    path.write_text(json.dumps(document, indent=indent) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes)")


def main():
    here = Path(__file__).parent
    valid_config = json.loads((here / "service-config.json").read_text())
    write(here / "service-config.invalid.json", invalid_service_config(valid_config), indent=2)

    rng = random.Random(SEED)
    start = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)
    document = {
        "generatedAt": "2026-11-21T12:00:00Z",
        "nextCursor": "c3Vic2NyaXB0aW9u",
        "orders": [order(rng, index, start) for index in range(ORDER_COUNT)],
    }
    write(here / "orders.json", document, indent=1)


if __name__ == "__main__":
    main()
