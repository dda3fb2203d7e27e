-- 0014: a tenant's short name (简称), and finding tenants by part of their names.
--
-- The short name is what narrow tables and the stacking plan show (up to 8
-- characters); people also name a tenant by it on the command line.
ALTER TABLE tenant ADD COLUMN short_name text
    CONSTRAINT tenant_short_name_length CHECK (short_name = btrim(short_name) AND length(short_name) BETWEEN 1 AND 8)
    CONSTRAINT tenant_short_name_plain_text CHECK (public.parkctl_is_plain_text(short_name));

-- Naming a tenant exactly (by registered or short name) reads these.
CREATE INDEX tenant_name_idx ON tenant (name);
-- A short name names one tenant (tenant update also refuses another tenant's registered name).
CREATE UNIQUE INDEX tenant_short_name_key ON tenant (short_name) WHERE short_name IS NOT NULL;

-- `tenant list --name TEXT` finds TEXT anywhere in
--     lower(name || ' ' || coalesce(short_name, ''))
-- (TenantService writes that expression once). A trigram GIN index serves it for
-- three characters or more, but only where pg_trgm is installed and the database's
-- character type is not C or POSIX: under C, pg_trgm extracts no trigram from
-- Chinese, and an index that answers "every row" is slower than reading the table
-- (the embedded cluster is initialised with the C locale). Without the index the
-- search reads the table: about 50 ms at 100,000 tenants (bench/tenant-search.sh).
-- GIN, not GiST: see docs/postgresql-gist-killed-items.md. The extension lives in a
-- schema of its own that no one else may use, so PUBLIC gains no function.
DO $$
BEGIN
    IF (SELECT datctype FROM pg_catalog.pg_database WHERE datname = current_database()) IN ('C', 'POSIX') THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm') THEN
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'pg_trgm') THEN
            RAISE NOTICE 'pg_trgm is not installed: tenant name searches read the table';
            RETURN;
        END IF;
        -- A schema of that name made by another role would let its owner change the
        -- extension's objects: refuse it.
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'parkctl_ext' AND nspowner <> current_user::regrole) THEN
            RAISE EXCEPTION 'schema parkctl_ext exists and belongs to another role: drop it, or make the database owner its owner';
        END IF;
        BEGIN
            CREATE SCHEMA IF NOT EXISTS parkctl_ext;
            REVOKE ALL ON SCHEMA parkctl_ext FROM PUBLIC;
            CREATE EXTENSION pg_trgm SCHEMA parkctl_ext;
        EXCEPTION WHEN feature_not_supported OR undefined_file OR insufficient_privilege THEN
            RAISE NOTICE 'pg_trgm cannot be used here (%): tenant name searches read the table', SQLERRM;
            RETURN;
        END;
    END IF;
    EXECUTE format('CREATE INDEX tenant_search_trgm ON public.tenant USING gin (lower(name || %L || coalesce(short_name, %L)) %I.gin_trgm_ops)',
                   ' ', '', (SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
                             WHERE e.extname = 'pg_trgm'));
END $$;

-- A tenant no park of the caller's knows is hidden from staff of some parks: one with
-- applications only elsewhere (as before), and now also one with no application at
-- all (an `import tenants` row without a park), unless this very transaction made it
-- (`tenant apply` inserts the tenant, then its application). Finding tenants by part
-- of a name must not list the tenants of other parks.
CREATE OR REPLACE FUNCTION parkctl_hidden_tenants(who name) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT o.tenant_id FROM public.onboarding o
    WHERE who = session_user OR public.parkctl_is_owner(session_user)
    GROUP BY o.tenant_id
    HAVING NOT bool_or(o.park_id = ANY (public.parkctl_parks_of(who)))
    UNION ALL
    SELECT t.id FROM public.tenant t
    WHERE (who = session_user OR public.parkctl_is_owner(session_user))
      AND t.created_at < pg_catalog.now()
      AND NOT EXISTS (SELECT 1 FROM public.onboarding o WHERE o.tenant_id = t.id)
$$;

-- The registered name is what proves a tenant to a park that applies it (see
-- parkctl_apply_known_tenant): staff of some parks may not change the name of a
-- tenant that parks outside theirs know. Its other details they may correct (the
-- change shows in the audit trail of every park that sees the tenant).
CREATE FUNCTION tenant_name_kept_for_other_parks() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE mine bigint[] := public.parkctl_parks_of(session_user);
BEGIN
    IF TG_TABLE_SCHEMA <> 'public' OR TG_TABLE_NAME <> 'tenant' THEN
        RAISE EXCEPTION 'parkctl''s triggers run on parkctl''s tables only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF mine IS NOT NULL AND NEW.name IS DISTINCT FROM OLD.name
       AND EXISTS (SELECT 1 FROM public.onboarding o WHERE o.tenant_id = OLD.id AND NOT o.park_id = ANY (mine)) THEN
        RAISE EXCEPTION 'other parks know % by its registered name: only staff of every park may change it', OLD.credit_code
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER tenant_name_kept_for_other_parks BEFORE UPDATE OF name ON tenant
    FOR EACH ROW EXECUTE FUNCTION tenant_name_kept_for_other_parks();
