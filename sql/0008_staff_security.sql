-- 0008: staff roles and park scope, enforced by PostgreSQL.
--
-- Each member of staff is a PostgreSQL login role, member of one group role:
--   parkctl_admin    everything (but the audit trail stays append-only)
--   parkctl_leasing  portfolio read; tenants, onboarding and leases write
--   parkctl_service  tickets write; the rest read
--   parkctl_viewer   read and reports only
-- and is scoped to some parks (or all) by row-level security on park_id, forced so
-- that it also holds for the tables' owner. The database owner and superusers see
-- every park; a login that is not staff of this database sees none.

-- Group roles belong to the cluster, not the database: another database on the same
-- server (or a concurrent migration) may have made them already.
DO $$
DECLARE g text;
BEGIN
    FOREACH g IN ARRAY ARRAY['parkctl_admin', 'parkctl_leasing', 'parkctl_service', 'parkctl_viewer'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', g);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
END $$;

CREATE TABLE staff (
    name        text PRIMARY KEY CONSTRAINT staff_name_format CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    role        text NOT NULL CONSTRAINT staff_role_valid CHECK (role IN ('admin', 'leasing', 'service', 'viewer')),
    park_ids    bigint[] CONSTRAINT staff_parks_given CHECK (park_ids IS NULL OR cardinality(park_ids) > 0),  -- NULL: every park
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL,
    revoked_at  timestamptz,
    revoked_by  text
);

-- Whether a role is this database's owner or a superuser: it sees every park, and
-- only it may name another actor for the audit trail.
CREATE FUNCTION parkctl_is_owner(who name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT who = (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database())
        OR coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = who), false)
$$;

-- The parks a role may see: NULL for every park, '{}' for none. Policies call it as
-- an uncorrelated subquery, so it runs once per statement, not once per row.
CREATE FUNCTION parkctl_parks_of(who name) RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
DECLARE s staff;
BEGIN
    IF parkctl_is_owner(who) THEN RETURN NULL; END IF;
    SELECT * INTO s FROM staff WHERE name = who AND revoked_at IS NULL;
    IF NOT FOUND THEN RETURN '{}'; END IF;
    RETURN s.park_ids;
END $$;

-- Tenants that have applications only in parks the role cannot see. A tenant with no
-- application anywhere (one being created in this very transaction) stays visible,
-- so that the application that follows can be written.
CREATE FUNCTION parkctl_hidden_tenants(who name) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
    SELECT o.tenant_id FROM onboarding o
    GROUP BY o.tenant_id
    HAVING NOT bool_or(o.park_id = ANY (parkctl_parks_of(who)))
$$;

-- Who acts, for the audit trail: the login role, unless the owner names someone
-- (parkctl sets parkctl.actor from --actor); staff cannot pass as someone else.
CREATE FUNCTION parkctl_actor() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN parkctl_is_owner(session_user)
                THEN coalesce(nullif(current_setting('parkctl.actor', true), ''), session_user::text)
                ELSE session_user::text END
$$;

-- How an audit row names its row, labels it and places it in a park; one definition
-- for the row trigger and the statement trigger (inlined into the latter's query).
CREATE FUNCTION audit_row_key(j jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(j->>'id', j->>'onboarding_id' || '/' || (j->>'item'), j->>'lease_id' || '/' || (j->>'unit_id'),
                    j->>'category' || '/' || (j->>'priority'), j->>'name', md5(j::text))
$$;
CREATE FUNCTION audit_row_label(j jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(j->>'number', j->>'credit_code', j->>'code', j->>'item', j->>'to_stage', j->>'stage',
                    j->>'day', j->>'category' || '/' || (j->>'priority'))
$$;
CREATE FUNCTION audit_row_park(table_name text, j jsonb) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN table_name = 'park' THEN (j->>'id')::bigint ELSE (j->>'park_id')::bigint END
$$;

-- The audit and history triggers write tables staff may not write themselves.
CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
DECLARE
    old_j jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_j jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    j     jsonb := coalesce(new_j, old_j);
BEGIN
    INSERT INTO audit_log (actor, table_name, row_key, label, action, park_id, old_row, new_row)
    VALUES (parkctl_actor(), TG_TABLE_NAME, audit_row_key(j), audit_row_label(j), lower(TG_OP),
            audit_row_park(TG_TABLE_NAME, j), old_j, new_j);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION audit_rows_inserted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
DECLARE
    who text := parkctl_actor();   -- once per statement, not per row
BEGIN
    INSERT INTO audit_log (actor, table_name, row_key, label, action, park_id, old_row, new_row)
    SELECT who, TG_TABLE_NAME, audit_row_key(j), audit_row_label(j), 'insert',
           audit_row_park(TG_TABLE_NAME, j), NULL, j
    -- OFFSET 0 keeps the subquery: flattened, to_jsonb would run once per use of j.
    FROM (SELECT to_jsonb(n) AS j FROM new_rows n OFFSET 0) rows;
    RETURN NULL;
END $$;

ALTER FUNCTION keep_history() SECURITY DEFINER SET search_path = public, pg_catalog;
-- A breach is a fact about time: whoever lists tickets records it, viewers included.
ALTER FUNCTION ticket_record_breaches(bigint, timestamptz, bigint) SECURITY DEFINER SET search_path = public, pg_catalog;

-- Park scope. Every table with a park_id gets the same policy; rows with no park
-- (group-wide holidays and hours) are readable by all but written only by staff of
-- every park.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['building', 'unit', 'onboarding', 'onboarding_step', 'onboarding_check', 'lease', 'lease_unit',
                             'lease_history', 'lease_unit_history', 'ticket', 'ticket_event', 'audit_log',
                             'calendar_day', 'work_hours'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY park_scope ON %I
            USING ((SELECT parkctl_parks_of(current_user)) IS NULL OR park_id = ANY ((SELECT parkctl_parks_of(current_user))::bigint[])
                   OR (park_id IS NULL AND %L))
            WITH CHECK ((SELECT parkctl_parks_of(current_user)) IS NULL OR park_id = ANY ((SELECT parkctl_parks_of(current_user))::bigint[]))$p$,
            t, t IN ('calendar_day', 'work_hours'));
    END LOOP;
END $$;

ALTER TABLE park ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY park_scope ON park
    USING ((SELECT parkctl_parks_of(current_user)) IS NULL OR id = ANY ((SELECT parkctl_parks_of(current_user))::bigint[]));

ALTER TABLE tenant ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY park_scope ON tenant
    USING ((SELECT parkctl_parks_of(current_user)) IS NULL OR id NOT IN (SELECT parkctl_hidden_tenants(current_user)));

-- Grants. Nothing is granted to PUBLIC; the audit trail and the history tables are
-- written only by the SECURITY DEFINER triggers, so no staff role can change them.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
REVOKE SELECT ON staff FROM parkctl_leasing, parkctl_service, parkctl_viewer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO parkctl_admin, parkctl_leasing, parkctl_service;
GRANT INSERT, UPDATE, DELETE ON tenant, onboarding, onboarding_step, onboarding_check, lease, lease_unit TO parkctl_leasing;
GRANT INSERT, UPDATE ON ticket, ticket_event TO parkctl_service;
GRANT INSERT, UPDATE, DELETE ON park, building, unit, tenant, onboarding, onboarding_step, onboarding_check, lease, lease_unit,
    ticket, ticket_event, calendar_day, work_hours, service_level TO parkctl_admin;

-- Staff management, for admins: the functions check that an admin scoped to some
-- parks only hands out those parks.
CREATE FUNCTION parkctl_staff_add(p_name text, p_role text, p_parks bigint[], p_password text) RETURNS staff
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
DECLARE
    mine bigint[] := parkctl_parks_of(session_user);
    row staff;
BEGIN
    IF mine IS NOT NULL AND (p_parks IS NULL OR NOT p_parks <@ mine) THEN
        RAISE EXCEPTION 'you may only give staff the parks you have yourself' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_name !~ '^[a-z][a-z0-9_]{0,62}$' OR p_name LIKE 'pg\_%' OR p_name LIKE 'parkctl%' THEN
        RAISE EXCEPTION 'a staff name is 1-63 lower-case letters, digits or _, starting with a letter (not pg_… or parkctl…)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'staff_name_format';
    END IF;
    IF EXISTS (SELECT 1 FROM staff WHERE name = p_name AND revoked_at IS NULL) THEN
        RAISE EXCEPTION 'staff % exists already', p_name USING ERRCODE = 'unique_violation', CONSTRAINT = 'staff_pkey';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name) THEN
        IF NOT EXISTS (SELECT 1 FROM staff WHERE name = p_name) THEN
            RAISE EXCEPTION 'a PostgreSQL role named % exists already and is not staff of this database', p_name
                USING ERRCODE = 'duplicate_object';
        END IF;
        EXECUTE format('ALTER ROLE %I LOGIN', p_name);
    ELSE
        EXECUTE format('CREATE ROLE %I LOGIN', p_name);
    END IF;
    IF p_password IS NOT NULL THEN
        -- The client sends a SCRAM verifier, never the password itself.
        IF p_password !~ '^SCRAM-SHA-256\$' THEN
            RAISE EXCEPTION 'a staff password is given as a SCRAM-SHA-256 verifier' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        EXECUTE format('ALTER ROLE %I PASSWORD %L', p_name, p_password);
    END IF;
    EXECUTE format('REVOKE parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer FROM %I', p_name);
    EXECUTE format('GRANT %I TO %I', 'parkctl_' || p_role, p_name);
    INSERT INTO staff (name, role, park_ids, created_by) VALUES (p_name, p_role, p_parks, parkctl_actor())
    ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role, park_ids = EXCLUDED.park_ids, created_at = now(),
        created_by = EXCLUDED.created_by, revoked_at = NULL, revoked_by = NULL
    RETURNING * INTO row;
    RETURN row;
END $$;

CREATE FUNCTION parkctl_staff_revoke(p_name text) RETURNS staff
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
DECLARE
    mine bigint[] := parkctl_parks_of(session_user);
    row staff;
BEGIN
    SELECT * INTO row FROM staff WHERE name = p_name AND revoked_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no staff named %', p_name USING ERRCODE = 'no_data_found';
    END IF;
    IF mine IS NOT NULL AND (row.park_ids IS NULL OR NOT row.park_ids <@ mine) THEN
        RAISE EXCEPTION 'you may only revoke staff of your own parks' USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format('ALTER ROLE %I NOLOGIN', p_name);
    EXECUTE format('REVOKE parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer FROM %I', p_name);
    UPDATE staff SET revoked_at = now(), revoked_by = parkctl_actor() WHERE name = p_name RETURNING * INTO row;
    -- Sessions still open lose their rights now (no group, no parks); end them too.
    BEGIN
        PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = p_name AND datname = current_database();
    EXCEPTION WHEN insufficient_privilege THEN
        NULL;
    END;
    RETURN row;
END $$;

REVOKE ALL ON FUNCTION parkctl_staff_add(text, text, bigint[], text), parkctl_staff_revoke(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parkctl_staff_add(text, text, bigint[], text), parkctl_staff_revoke(text) TO parkctl_admin;

CREATE TRIGGER staff_audit AFTER INSERT OR UPDATE OR DELETE ON staff FOR EACH ROW EXECUTE FUNCTION audit_row_change();
