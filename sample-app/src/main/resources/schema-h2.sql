-- PostgreSQL's pg_sleep for H2, so that the product query is one SQL text on both databases.
CREATE ALIAS IF NOT EXISTS PG_SLEEP FOR 'dev.collapse.sample.db.H2Functions.pgSleep';
