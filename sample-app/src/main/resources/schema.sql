-- Runs on H2 and PostgreSQL at every start; leaves an existing table as it is, so that several
-- instances can share one PostgreSQL database.
CREATE TABLE IF NOT EXISTS sample_products (
    id          BIGINT        PRIMARY KEY,
    name        VARCHAR(120)  NOT NULL,
    description VARCHAR(500)  NOT NULL,
    price_cents BIGINT        NOT NULL
);
