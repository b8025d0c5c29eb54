-- Runs on H2 and PostgreSQL. The sample owns this table and recreates it at every start.
DROP TABLE IF EXISTS sample_products;

CREATE TABLE sample_products (
    id          BIGINT        PRIMARY KEY,
    name        VARCHAR(120)  NOT NULL,
    description VARCHAR(500)  NOT NULL,
    price_cents BIGINT        NOT NULL
);
