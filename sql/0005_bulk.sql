-- 0005: bulk work. Audit rows for inserts are written once per statement from the
-- transition table (a million-row import would otherwise run a million trigger
-- calls); updates and deletes keep their row triggers. The floor rule for inserted
-- units is likewise checked once per statement. Plus the parsing helpers that the
-- import's set-based validation uses.

CREATE FUNCTION audit_rows_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (actor, table_name, row_key, label, action, park_id, old_row, new_row)
    SELECT coalesce(nullif(current_setting('parkctl.actor', true), ''), session_user),
           TG_TABLE_NAME,
           coalesce(j->>'id', j->>'onboarding_id' || '/' || (j->>'item'), j->>'lease_id' || '/' || (j->>'unit_id'),
                    j->>'category' || '/' || (j->>'priority'), md5(j::text)),
           coalesce(j->>'number', j->>'credit_code', j->>'code', j->>'item', j->>'to_stage', j->>'stage',
                    j->>'day', j->>'category' || '/' || (j->>'priority')),
           'insert',
           CASE WHEN TG_TABLE_NAME = 'park' THEN (j->>'id')::bigint ELSE (j->>'park_id')::bigint END,
           NULL, j
    -- OFFSET 0 keeps the subquery: flattened, to_jsonb would run once per use of j.
    FROM (SELECT to_jsonb(n) AS j FROM new_rows n OFFSET 0) rows;
    RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['park', 'building', 'unit', 'tenant', 'onboarding', 'onboarding_step', 'onboarding_check',
                             'lease', 'lease_unit', 'ticket', 'calendar_day', 'service_level'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_audit', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION audit_row_change()',
                       t || '_audit', t);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION audit_rows_inserted()', t || '_audit_insert', t);
    END LOOP;
END $$;

DROP TRIGGER unit_floor_in_building ON unit;
CREATE TRIGGER unit_floor_in_building BEFORE UPDATE OF floor, building_id ON unit
    FOR EACH ROW EXECUTE FUNCTION unit_floor_in_building();

CREATE FUNCTION units_floor_in_building() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
    SELECT n.floor, b.code, b.floors_below, b.floors_above INTO bad
    FROM new_rows n JOIN building b ON b.id = n.building_id
    WHERE n.floor = 0 OR n.floor > b.floors_above OR n.floor < -b.floors_below
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'floor % is not in building % (floors -% to %, no floor 0)',
            bad.floor, bad.code, bad.floors_below, bad.floors_above
            USING ERRCODE = 'check_violation', CONSTRAINT = 'unit_floor_in_building', TABLE = 'unit', COLUMN = 'floor';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER units_floor_in_building AFTER INSERT ON unit REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION units_floor_in_building();

-- Parsing helpers: NULL when the text is not a value of the kind.
CREATE FUNCTION parkctl_date(t text) RETURNS date LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF t !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN RETURN NULL; END IF;
    RETURN t::date;
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$;

-- The patterns are constants (not built per row), so that PostgreSQL compiles each once.
CREATE FUNCTION parkctl_decimal(t text, scale int, int_digits int DEFAULT 10) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t ~ '^[0-9]{1,12}(\.[0-9]{1,2})?$'
                     AND length(split_part(t, '.', 1)) <= int_digits AND length(split_part(t, '.', 2)) <= scale
                THEN t::numeric END
$$;

CREATE FUNCTION parkctl_int(t text) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t ~ '^-?[0-9]{1,6}$' THEN t::int END
$$;
