-- 0001: the foundation. btree_gist lets exclusion constraints mix equality on a
-- unit with overlap of date ranges (no unit leased twice for the same day).
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Settings parkctl keeps in the database itself (schema-wide, not per park).
CREATE TABLE parkctl_setting (
    key         text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_.]*$'),
    value       text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO parkctl_setting (key, value) VALUES ('default_time_zone', 'Asia/Shanghai');
