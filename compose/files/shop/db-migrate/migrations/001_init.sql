-- Shop schema, roles and reference data. Applied by the db-migrate Job on every release, so every
-- statement is idempotent. Run with:
--   psql -v ON_ERROR_STOP=1 -v authenticator_password=... -f 001_init.sql

BEGIN;

CREATE SCHEMA IF NOT EXISTS api;

CREATE TABLE IF NOT EXISTS api.customers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text        NOT NULL UNIQUE,
    full_name   text        NOT NULL,
    phone       text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS api.products (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku          text        NOT NULL UNIQUE,
    name         text        NOT NULL,
    price_cents  integer     NOT NULL CHECK (price_cents >= 0),
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS api.orders (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  bigint      NOT NULL REFERENCES api.customers (id) ON DELETE CASCADE,
    status       text        NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled')),
    total_cents  integer     NOT NULL DEFAULT 0 CHECK (total_cents >= 0),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS orders_customer_id_idx ON api.orders (customer_id);

CREATE TABLE IF NOT EXISTS api.order_items (
    order_id          bigint  NOT NULL REFERENCES api.orders (id) ON DELETE CASCADE,
    product_id        bigint  NOT NULL REFERENCES api.products (id),
    quantity          integer NOT NULL CHECK (quantity > 0),
    unit_price_cents  integer NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (order_id, product_id)
);
CREATE INDEX IF NOT EXISTS order_items_product_id_idx ON api.order_items (product_id);

CREATE TABLE IF NOT EXISTS api.sessions (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id  bigint      NOT NULL REFERENCES api.customers (id) ON DELETE CASCADE,
    token        text        NOT NULL UNIQUE,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expires_at_idx ON api.sessions (expires_at);

INSERT INTO api.products (sku, name, price_cents) VALUES
    ('MUG-001', 'Enamel mug', 1200),
    ('TEE-002', 'Logo T-shirt', 2500),
    ('CAP-003', 'Baseball cap', 1800),
    ('STK-004', 'Sticker pack', 400)
ON CONFLICT (sku) DO NOTHING;

-- PostgREST logs in as authenticator and switches to web_anon for anonymous requests.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'web_anon') THEN
        CREATE ROLE web_anon NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'authenticator') THEN
        CREATE ROLE authenticator LOGIN NOINHERIT;
    END IF;
END
$$;

-- Set on every run, so a rotated secret takes effect with the next release.
ALTER ROLE authenticator WITH LOGIN NOINHERIT PASSWORD :'authenticator_password';
GRANT web_anon TO authenticator;

GRANT USAGE ON SCHEMA api TO web_anon;
GRANT SELECT ON api.products TO web_anon;

COMMIT;
