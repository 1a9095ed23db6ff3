"""Which kind each column gets from its name, its table's name and its type."""

import pytest

from devenv.seed.generate.inference import infer_kind

CASES = [
    # table, column, type kind, expected kind
    ("users", "email", "string", "email"),
    ("users", "contact_email", "string", "email"),
    ("users", "phone_number", "string", "phone"),
    ("users", "mobile", "string", "phone"),
    ("users", "first_name", "string", "first_name"),
    ("users", "lastname", "string", "last_name"),
    ("users", "name", "string", "name"),
    ("customers", "full_name", "string", "name"),
    ("companies", "name", "string", "company"),
    ("products", "name", "string", "product_name"),
    ("tags", "name", "string", "label"),
    ("users", "username", "string", "username"),
    ("users", "password_hash", "string", "token"),
    ("addresses", "street", "string", "street_address"),
    ("addresses", "city", "string", "city"),
    ("addresses", "zip_code", "string", "postcode"),
    ("addresses", "country_code", "string", "country_code"),
    ("addresses", "latitude", "float", "latitude"),
    ("users", "avatar_url", "string", "url"),
    ("sessions", "ip_address", "string", "ipv4"),
    ("sessions", "ip_address", "inet", "ipv4"),
    ("posts", "slug", "string", "slug"),
    ("products", "sku", "string", "code"),
    ("orders", "currency", "string", "currency_code"),
    ("posts", "title", "string", "title"),
    ("posts", "body", "text", "paragraph"),
    ("users", "bio", "text", "paragraph"),
    ("users", "birth_date", "date", "birthdate"),
    ("users", "created_at", "datetime", "timestamp"),
    ("invoices", "due_date", "date", "future"),
    ("orders", "total", "decimal", "money"),
    ("orders", "price", "int", "money"),
    ("items", "quantity", "int", "quantity"),
    ("users", "age", "int", "age"),
    ("reviews", "rating", "int", "rating"),
    ("users", "is_active", "bool", "flag_on"),
    ("users", "deleted", "bool", "flag_off"),
    ("users", "newsletter", "bool", "boolean"),
    ("events", "payload", "json", "json"),
    ("users", "metadata", "text", "json"),
    ("users", "public_uuid", "uuid", "uuid"),
    ("users", "external_id", "uuid", "uuid"),
    ("orders", "status", "enum", "enum"),
    ("t", "count", "int", "quantity"),
    ("t", "anything", "int", "integer"),
    ("t", "anything", "string", "text"),
    ("t", "anything", "decimal", "decimal"),
    ("t", "anything", "datetime", "timestamp"),
    ("t", "anything", "bytes", "bytes"),
    ("t", "email_verified", "bool", "boolean"),  # an e-mail kind does not fit a boolean
    ("t", "blob", "other", "unsupported"),
]


@pytest.mark.parametrize("table,column,type_kind,expected", CASES)
def test_inferred_kind(table, column, type_kind, expected):
    assert infer_kind(table, column, type_kind) == expected
