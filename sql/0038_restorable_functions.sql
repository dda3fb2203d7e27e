-- 0038: functions that a restore can run.
--
-- pg_restore runs with an empty search_path, and a SQL function that a CHECK
-- constraint calls is run there while the rows are copied back: one that names
-- another function without its schema fails, and the backup does not restore
-- (`parkctl db backup --verify` found it). Names qualified; the bodies are as before.

CREATE OR REPLACE FUNCTION credit_code_is_valid(code text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT code ~ '^[0-9A-HJ-NP-RTUWXY]{18}$' AND substr(code, 18, 1) = public.credit_code_check_char(code)
$$;
