"""Seeding and masking a real MariaDB: InnoDB enforces the foreign keys, unique keys and check
constraints (column-level ones too) declared below."""

from __future__ import annotations

import hashlib

import pymysql
import pytest
from sqlalchemy.engine import make_url

from devenv.errors import InputError
from devenv.seed.api import mask, seed
from devenv.seed.spec.parse import parse_spec

DDL = [
    """CREATE TABLE customers (
        id INT AUTO_INCREMENT PRIMARY KEY,
        email VARCHAR(80) NOT NULL UNIQUE,
        name VARCHAR(60) NOT NULL,
        phone VARCHAR(30),
        tier VARCHAR(10) NOT NULL CHECK (tier IN ('gold', 'silver', 'bronze')),
        age INT CHECK (age BETWEEN 18 AND 99),
        active BOOLEAN NOT NULL,
        prefs JSON,
        created_at DATETIME NOT NULL,
        updated_at DATETIME,
        CONSTRAINT updated_after CHECK (updated_at >= created_at)
    ) ENGINE=InnoDB""",
    """CREATE TABLE products (
        id INT AUTO_INCREMENT PRIMARY KEY,
        sku VARCHAR(12) NOT NULL UNIQUE,
        price DECIMAL(10, 2) NOT NULL CHECK (price > 0),
        status ENUM('draft', 'live', 'retired') NOT NULL
    ) ENGINE=InnoDB""",
    """CREATE TABLE orders (
        id INT AUTO_INCREMENT PRIMARY KEY,
        customer_id INT NOT NULL,
        placed_at DATETIME NOT NULL,
        FOREIGN KEY (customer_id) REFERENCES customers (id)
    ) ENGINE=InnoDB""",
    """CREATE TABLE order_items (
        order_id INT NOT NULL,
        product_id INT NOT NULL,
        quantity INT NOT NULL CHECK (quantity > 0),
        PRIMARY KEY (order_id, product_id),
        FOREIGN KEY (order_id) REFERENCES orders (id),
        FOREIGN KEY (product_id) REFERENCES products (id)
    ) ENGINE=InnoDB""",
    "CREATE TABLE departments (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL UNIQUE, head_id INT) ENGINE=InnoDB",
    """CREATE TABLE employees (
        id INT PRIMARY KEY,
        full_name VARCHAR(80) NOT NULL,
        department_id INT NOT NULL,
        manager_id INT,
        FOREIGN KEY (department_id) REFERENCES departments (id),
        FOREIGN KEY (manager_id) REFERENCES employees (id)
    ) ENGINE=InnoDB""",
    "ALTER TABLE departments ADD FOREIGN KEY (head_id) REFERENCES employees (id)",
]

SPEC = {
    "database": "shop", "seed": 11, "rows": 40,
    "tables": {
        "customers": {"rows": 800},
        "orders": {"per_parent": {"column": "customer_id", "min": 0, "max": 4}},
        "order_items": {"per_parent": {"column": "order_id", "min": 1, "max": 3}},
        "products": {"rows": 60}, "departments": {"rows": 5}, "employees": {"rows": 50},
    },
}


def connect(url: str):
    parsed = make_url(url)
    return pymysql.connect(host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password,
                           database=parsed.database, autocommit=True)


def run(url: str, *statements: str) -> None:
    conn = connect(url)
    try:
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        conn.close()


def fetch(url: str, sql: str) -> list[tuple]:
    conn = connect(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())
    finally:
        conn.close()


def checksum(url: str) -> str:
    digest = hashlib.sha256()
    for table in ("customers", "products", "orders", "order_items", "departments", "employees"):
        for row in fetch(url, f"SELECT * FROM {table} ORDER BY 1, 2"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture()
def shop(maria_url):
    run(maria_url, *DDL)
    return maria_url


def test_seed_obeys_the_declared_constraints(shop):
    summary = seed(shop, parse_spec(SPEC))
    assert {t.name: t.rows for t in summary.tables}["customers"] == 800
    assert not [w for w in summary.warnings if "not understood" in w]
    assert fetch(shop, "SELECT COUNT(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id "
                       "WHERE c.id IS NULL") == [(0,)]
    assert fetch(shop, "SELECT COUNT(*) FROM employees e LEFT JOIN employees m ON m.id = e.manager_id "
                       "WHERE e.manager_id IS NOT NULL AND m.id IS NULL") == [(0,)]
    assert fetch(shop, "SELECT COUNT(*) FROM departments WHERE head_id IS NOT NULL")[0][0] > 0
    assert fetch(shop, "SELECT COUNT(*) FROM customers WHERE JSON_VALID(prefs) = 0") == [(0,)]
    assert fetch(shop, "SELECT COUNT(DISTINCT tier) FROM customers")[0][0] == 3
    run(shop, "INSERT INTO products (sku, price, status) VALUES ('NEW', 1, 'live')")
    assert fetch(shop, "SELECT MAX(id) FROM products") == [(61,)]


def test_same_seed_same_data_and_reset(shop, mariadb_server):
    twin = mariadb_server.create_database("maria_twin")
    run(twin, *DDL)
    seed(shop, parse_spec(SPEC))
    seed(twin, parse_spec(SPEC))
    assert checksum(shop) == checksum(twin)
    seed(twin, parse_spec(SPEC), reset=True)
    assert checksum(twin) == checksum(shop)


DUMP = r"""/*!40101 SET NAMES utf8mb4 */;
INSERT INTO `customers` (`id`, `email`, `name`, `phone`, `tier`, `age`, `active`, `prefs`, `created_at`, `updated_at`) VALUES
 (1,'dana.planted@corp.test','Dana Plantedova','+1 (202) 555-0111','gold',40,1,'{\"a\": 1}','2024-01-01 10:00:00',NULL),
 (2,'eve.planted@corp.test','Eve O\'Planted','+1 (202) 555-0122','silver',33,0,NULL,'2024-01-02 10:00:00','2024-01-03 10:00:00');
INSERT INTO `orders` (`id`, `customer_id`, `placed_at`) VALUES (1,1,'2024-02-01 09:00:00'),(2,2,'2024-02-02 09:00:00');
"""


def test_masking_a_planted_dump(shop, tmp_path):
    (tmp_path / "prod.sql").write_text(DUMP)
    section = {
        "source": "prod.sql",
        "safe": ["customers.id", "customers.tier", "customers.age", "customers.active", "customers.created_at",
                 "customers.updated_at", "orders.*"],
        "rules": {"customers": {"email": "fake", "name": "fake", "phone": "format-preserving", "prefs": "null"}},
    }
    spec = parse_spec({"database": "shop", "seed": 1, "mask": section}, tmp_path / "shop.toml")
    mask(shop, spec, key=b"k" * 32)
    text = " ".join(str(v) for table in ("customers", "orders") for row in fetch(shop, f"SELECT * FROM {table}")
                    for v in row)
    for planted in ("dana.planted", "eve.planted", "Plantedova", "O'Planted", "555-0111", "555-0122"):
        assert planted not in text
    assert fetch(shop, "SELECT COUNT(*) FROM orders") == [(2,)]
    with pytest.raises(InputError, match="customers.phone"):
        section["rules"]["customers"].pop("phone")
        mask(shop, parse_spec({"database": "shop", "seed": 1, "mask": section}, tmp_path / "shop.toml"),
             key=b"k" * 32, reset=True)
