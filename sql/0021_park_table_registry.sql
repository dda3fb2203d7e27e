-- 0021: a park table is registered in one call.
--
-- Every table that holds a park's rows needs the same things: the park scope
-- (row-level security, forced, with the one policy), reads for every staff role and
-- nothing for PUBLIC, writes for the roles that write it, the restrictive policies
-- that keep a foreign key from naming a tenant the writer cannot see, the audit
-- triggers, and, when it is versioned, a history table and the trigger that fills
-- it. Until now each migration wrote them out again. From here a migration says:
--
--     SELECT parkctl_register_park_table('meter', writers => ARRAY['parkctl_admin']);
--     SELECT parkctl_register_park_table('payment', writers => ARRAY['parkctl_admin'], append_only => true);
--
-- and `parkctl_park_table` lists what is registered; a test checks the catalogue
-- against it (every table with a park_id is registered and set up as above).

CREATE TABLE parkctl_park_table (
    name          text PRIMARY KEY,
    versioned     boolean NOT NULL,
    append_only   boolean NOT NULL DEFAULT false,
    registered_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON parkctl_park_table FROM PUBLIC;
GRANT SELECT ON parkctl_park_table TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

-- The park scope of one table: the policy every park table has had since 0008.
CREATE FUNCTION parkctl_scope_to_parks(p_table text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', p_table);
    EXECUTE format($p$CREATE POLICY park_scope ON public.%I
        USING ((SELECT public.parkctl_parks_of(current_user)) IS NULL
               OR park_id = ANY ((SELECT public.parkctl_parks_of(current_user))::bigint[]))
        WITH CHECK ((SELECT public.parkctl_parks_of(current_user)) IS NULL
                    OR park_id = ANY ((SELECT public.parkctl_parks_of(current_user))::bigint[]))$p$, p_table);
    EXECUTE format('REVOKE ALL ON public.%I FROM PUBLIC', p_table);
    EXECUTE format('GRANT SELECT ON public.%I TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer', p_table);
END $$;
REVOKE ALL ON FUNCTION parkctl_scope_to_parks(text) FROM PUBLIC;

-- A ledger's rows are kept as written (a ticket's timeline, and the coming bills and
-- payments): a mistake is corrected by a new row, never by changing an old one.
CREATE FUNCTION parkctl_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: a recorded row is never changed or removed (record a correction instead)', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
REVOKE ALL ON FUNCTION parkctl_append_only() FROM PUBLIC;

-- `writers`: the staff roles that may write the table, with `privileges` (a grant's
-- privilege list; column lists are granted after the call, as lease_amendment's
-- are). `versioned`: the table has a `sys_period tstzrange` and keeps its replaced
-- versions in <table>_history. `append_only`: rows are inserted, never updated or
-- deleted (writers get INSERT only).
CREATE FUNCTION parkctl_register_park_table(p_table text, writers text[] DEFAULT '{}',
                                            privileges text DEFAULT 'INSERT, UPDATE, DELETE',
                                            versioned boolean DEFAULT false,
                                            append_only boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    rel regclass := to_regclass(format('public.%I', p_table));
    writer text;
    privilege text;
    recorded_columns text;
BEGIN
    IF versioned AND append_only THEN
        RAISE EXCEPTION 'a table is versioned or append-only, not both: % ', p_table;
    END IF;
    IF append_only THEN
        privileges := 'INSERT';
    END IF;
    IF rel IS NULL THEN
        RAISE EXCEPTION 'no table public.% to register', p_table;
    END IF;
    IF EXISTS (SELECT 1 FROM public.parkctl_park_table r WHERE r.name = p_table) THEN
        RAISE EXCEPTION 'table % is registered already', p_table;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = rel AND attname = 'park_id' AND NOT attisdropped) THEN
        RAISE EXCEPTION 'table % has no park_id: only a park''s rows are registered', p_table;
    END IF;
    IF privileges !~ '^\s*(INSERT|UPDATE|DELETE)(\s*,\s*(INSERT|UPDATE|DELETE))*\s*$' THEN
        RAISE EXCEPTION 'privileges are INSERT, UPDATE or DELETE, comma-separated, not %', privileges;
    END IF;
    PERFORM public.parkctl_scope_to_parks(p_table);
    -- A versioned table's period is the database's: writers insert and update every
    -- other column (a period they could set would hide a version from the history or
    -- date it wrongly), but not an identity or generated one (a reused id would tie a
    -- new row to an old one's history).
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO recorded_columns
    FROM pg_attribute a WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'sys_period'
                          AND a.attidentity = '' AND a.attgenerated = '';
    FOREACH writer IN ARRAY writers LOOP
        IF writer NOT IN ('parkctl_admin', 'parkctl_leasing', 'parkctl_service') THEN
            RAISE EXCEPTION 'a writer is parkctl_admin, parkctl_leasing or parkctl_service, not %', writer;
        END IF;
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON public.%I FROM %I', p_table, writer);
        FOR privilege IN SELECT m[1] FROM regexp_matches(privileges, '(INSERT|UPDATE|DELETE)', 'g') m LOOP
            IF versioned AND privilege IN ('INSERT', 'UPDATE') THEN
                EXECUTE format('GRANT %s (%s) ON public.%I TO %I', privilege, recorded_columns, p_table, writer);
            ELSE
                EXECUTE format('GRANT %s ON public.%I TO %I', privilege, p_table, writer);
            END IF;
        END LOOP;
    END LOOP;
    -- Foreign keys ignore row-level security: a row written names a tenant the
    -- writer can see (as onboarding, lease and ticket since 0010).
    IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = rel AND attname = 'tenant_id' AND NOT attisdropped) THEN
        EXECUTE format($p$CREATE POLICY tenant_visible_insert ON public.%I AS RESTRICTIVE FOR INSERT
            WITH CHECK (tenant_id IS NULL OR EXISTS (SELECT 1 FROM public.tenant tv WHERE tv.id = tenant_id))$p$, p_table);
        EXECUTE format($p$CREATE POLICY tenant_visible_update ON public.%I AS RESTRICTIVE FOR UPDATE
            USING (true) WITH CHECK (tenant_id IS NULL OR EXISTS (SELECT 1 FROM public.tenant tv WHERE tv.id = tenant_id))$p$, p_table);
    END IF;
    -- Audited as the others since 0005: changes row by row, inserts once per statement.
    IF append_only THEN
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.parkctl_append_only()',
                       p_table || '_append_only', p_table);
    ELSE
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.audit_row_change()',
                       p_table || '_audit', p_table);
    END IF;
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON public.%I REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION public.audit_rows_inserted()', p_table || '_audit_insert', p_table);
    IF versioned THEN
        IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = rel AND attname = 'sys_period' AND atthasdef
                                                   AND atttypid = 'tstzrange'::regtype AND NOT attisdropped) THEN
            RAISE EXCEPTION 'a versioned table has a sys_period tstzrange column with a default (tstzrange(now(), NULL)); % has none', p_table;
        END IF;
        -- The history keeps the same columns in the same order (keep_history copies OLD.*);
        -- it is read by staff and written only by the history trigger.
        EXECUTE format('CREATE TABLE public.%I (LIKE public.%I)', p_table || '_history', p_table);
        PERFORM public.parkctl_scope_to_parks(p_table || '_history');
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.keep_history()',
                       p_table || '_keep_history', p_table);
    END IF;
    INSERT INTO public.parkctl_park_table (name, versioned, append_only) VALUES (p_table, versioned, append_only);
END $$;
REVOKE ALL ON FUNCTION parkctl_register_park_table(text, text[], text, boolean, boolean) FROM PUBLIC;

-- The tables registered before the registry, each set up by hand in its migration.
INSERT INTO parkctl_park_table (name, versioned, append_only)
VALUES ('building', false, false), ('unit', true, false), ('onboarding', false, false), ('onboarding_step', false, false),
       ('onboarding_check', false, false), ('onboarding_check_undone', false, false), ('lease', true, false),
       ('lease_unit', true, false), ('lease_amendment', false, false), ('ticket', false, false),
       ('ticket_event', false, true), ('calendar_day', false, false), ('work_hours', false, false);

-- Working hours were never audited: a park's SLA clock changed without a trace.
CREATE TRIGGER work_hours_audit AFTER UPDATE OR DELETE ON work_hours FOR EACH ROW EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER work_hours_audit_insert AFTER INSERT ON work_hours REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_rows_inserted();

-- A day's working hours are labelled by the ISO weekday and the hours: "1 09:00:00-18:00:00".
CREATE OR REPLACE FUNCTION audit_row_label(j jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(j->>'number', j->>'credit_code', j->>'code', j->>'item', j->>'to_stage', j->>'stage',
                    j->>'day', j->>'category' || '/' || (j->>'priority'), j->>'kind',
                    (j->>'isodow') || ' ' || (j->>'starts') || '-' || (j->>'ends'))
$$;

-- The history trigger serves every registered versioned table (it named three).
CREATE OR REPLACE FUNCTION keep_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> 'public'
       OR NOT EXISTS (SELECT 1 FROM public.parkctl_park_table r WHERE r.name = TG_TABLE_NAME AND r.versioned) THEN
        RAISE EXCEPTION 'parkctl''s triggers run on parkctl''s tables only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- A version made earlier in this same transaction was never seen: keep none.
    IF lower(OLD.sys_period) < now() THEN
        OLD.sys_period := tstzrange(lower(OLD.sys_period), now());
        EXECUTE format('INSERT INTO %I.%I SELECT ($1).*', TG_TABLE_SCHEMA, TG_TABLE_NAME || '_history') USING OLD;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.sys_period := tstzrange(now(), NULL);
        RETURN NEW;
    END IF;
    RETURN OLD;
END $$;
