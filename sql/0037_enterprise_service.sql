-- 0037: serving the enterprises already settled (持续跟踪服务), issue 19 part 3's end.
--
-- A park gives each of its tenants an account manager (企业服务专员), and records its
-- visits, calls and meetings with them as it does a lead's: the same follow-up records
-- (lead_follow_up, which now names a lead or a tenant), so that one list says what is
-- due, and "which settled enterprise has nobody visited this quarter" is a report.
-- With it, what two reviews of it found: the stage log becomes a log, a revoke releases
-- the revoked login's tenants, and a visit is not dated outside the tenancy nor
-- recorded by a clerk long after it.

-- The tenants a park had in place over some days, with the units they held: the
-- statistics chase them (report stats-missing) and the visits report starts from them.
-- Plain SQL, no SET clause: the planner inlines it, row security applies as the caller.
CREATE FUNCTION tenants_in_place(p_days daterange) RETURNS TABLE (park_id bigint, tenant_id bigint, units text[])
LANGUAGE sql STABLE AS $$
    SELECT l.park_id, l.tenant_id, array_agg(DISTINCT b.code || '/' || u.code ORDER BY b.code || '/' || u.code)
    FROM public.lease_unit lu JOIN public.lease l ON l.id = lu.lease_id
    JOIN public.unit u ON u.id = lu.unit_id JOIN public.building b ON b.id = u.building_id
    WHERE NOT lu.cancelled AND l.status IN ('signed', 'terminated') AND lu.during && p_days
    GROUP BY l.park_id, l.tenant_id
$$;
REVOKE ALL ON FUNCTION tenants_in_place(daterange) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenants_in_place(daterange) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

-- Whether a login is a leasing member or an admin who works in a park, not revoked.
-- Read as the owner (a scoped admin does not see a colleague who also works elsewhere),
-- and answered only for the caller's own parks (who works where is not theirs to learn).
CREATE FUNCTION staff_serves_park(p_name text, p_park bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT (public.parkctl_parks_of(session_user) IS NULL OR p_park = ANY (public.parkctl_parks_of(session_user)))
       AND EXISTS (SELECT 1 FROM public.staff s
                   WHERE s.name = p_name AND s.role IN ('admin', 'leasing') AND s.revoked_at IS NULL
                     AND (s.park_ids IS NULL OR p_park = ANY (s.park_ids)))
$$;
REVOKE ALL ON FUNCTION staff_serves_park(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staff_serves_park(text, bigint) TO parkctl_admin;

-- A tenant's account manager at a park, and since when. An admin's decision.
CREATE TABLE account_manager (
    park_id     bigint NOT NULL REFERENCES park,
    tenant_id   bigint NOT NULL REFERENCES tenant,
    manager     text NOT NULL CONSTRAINT account_manager_manager_format CHECK (manager ~ '^[A-Za-z_][A-Za-z0-9_.@-]{0,62}$'),
    since       date NOT NULL,
    actor       text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (park_id, tenant_id)
);
CREATE INDEX account_manager_manager_idx ON account_manager (manager);

-- The manager is a leasing member or an admin of the park (or the one assigning, as
-- the embedded database's operator is no staff login), of a tenant the park has (an
-- application not rejected nor ended); the day and who decided are the database's.
CREATE FUNCTION account_manager_recorded() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    NEW.actor := public.parkctl_actor();
    NEW.recorded_at := now();
    IF TG_OP = 'UPDATE' AND (NEW.park_id, NEW.tenant_id) IS DISTINCT FROM (OLD.park_id, OLD.tenant_id) THEN
        RAISE EXCEPTION 'an account manager is of one tenant at one park: assign the other tenant its own'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'account_manager_kept', TABLE = 'account_manager';
    END IF;
    NEW.since := CASE WHEN TG_OP = 'UPDATE' AND NEW.manager = OLD.manager THEN OLD.since ELSE public.park_today(NEW.park_id) END;
    IF NOT EXISTS (SELECT 1 FROM public.onboarding o WHERE o.park_id = NEW.park_id AND o.tenant_id = NEW.tenant_id
                                                      AND o.stage NOT IN ('rejected', 'exited')) THEN
        RAISE EXCEPTION '% is no tenant of park %: only a tenant has an account manager',
                        (SELECT t.name FROM public.tenant t WHERE t.id = NEW.tenant_id), (SELECT p.code FROM public.park p WHERE p.id = NEW.park_id)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'account_manager_of_tenant', TABLE = 'account_manager';
    END IF;
    IF NEW.manager IS DISTINCT FROM public.parkctl_actor() AND NOT public.staff_serves_park(NEW.manager, NEW.park_id) THEN
        RAISE EXCEPTION 'no leasing member or admin of park % is called ''%'' (parkctl staff list)',
                        (SELECT p.code FROM public.park p WHERE p.id = NEW.park_id), NEW.manager
            USING ERRCODE = 'check_violation', CONSTRAINT = 'account_manager_is_staff', TABLE = 'account_manager';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION account_manager_recorded() FROM PUBLIC;
CREATE TRIGGER account_manager_recorded BEFORE INSERT OR UPDATE ON account_manager
    FOR EACH ROW EXECUTE FUNCTION account_manager_recorded();

SELECT parkctl_register_park_table('account_manager', writers => ARRAY['parkctl_admin']);

-- A follow-up is of a lead or of a tenant of the park.
ALTER TABLE lead_follow_up ALTER COLUMN lead_id DROP NOT NULL,
    ADD COLUMN tenant_id bigint REFERENCES tenant,
    ADD CONSTRAINT lead_follow_up_of_lead_or_tenant CHECK (num_nonnulls(lead_id, tenant_id) = 1);
CREATE INDEX lead_follow_up_tenant_idx ON lead_follow_up (tenant_id, happened_on) WHERE tenant_id IS NOT NULL;
-- As every park table with a tenant (0021): a row written names a tenant the writer sees.
CREATE POLICY tenant_visible_insert ON lead_follow_up AS RESTRICTIVE FOR INSERT
    WITH CHECK (tenant_id IS NULL OR EXISTS (SELECT 1 FROM public.tenant tv WHERE tv.id = tenant_id));
CREATE POLICY tenant_visible_update ON lead_follow_up AS RESTRICTIVE FOR UPDATE
    USING (true) WITH CHECK (tenant_id IS NULL OR EXISTS (SELECT 1 FROM public.tenant tv WHERE tv.id = tenant_id));

-- The first day a tenant was at a park: its first live application there or its first
-- lease there (signed or terminated), whichever came first (a tenant recorded after the
-- fact has leases older than its application). Read as the caller, under row security.
CREATE FUNCTION tenant_first_day_at(p_park bigint, p_tenant bigint) RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT least((SELECT min((o.applied_at AT TIME ZONE public.park_time_zone(p_park))::date) FROM public.onboarding o
                  WHERE o.park_id = p_park AND o.tenant_id = p_tenant AND o.stage NOT IN ('rejected', 'exited')),
                 (SELECT min(lower(l.term)) FROM public.lease l
                  WHERE l.park_id = p_park AND l.tenant_id = p_tenant AND l.status IN ('signed', 'terminated')))
$$;
REVOKE ALL ON FUNCTION tenant_first_day_at(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_first_day_at(bigint, bigint) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

-- A tenant's follow-up is recorded by any leasing member or admin of its park (the
-- manager leads, colleagues go along; nobody competes for a settled tenant as for a
-- lead), for a tenant the park has, on a day from the tenant's first day at the park to
-- today; a clerk records it within 31 days of it (so that a quarter cannot be made to
-- look covered after the fact; an admin may record older ones, moving records over).
-- A lead's follow-up keeps 0036's trigger, which now fires for a lead's rows only.
CREATE FUNCTION tenant_follow_up_recorded() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    first_day date;
    today date := public.park_today(NEW.park_id);
BEGIN
    NEW.actor := public.parkctl_actor();
    NEW.recorded_at := now();
    IF NEW.happened_on > today THEN
        RAISE EXCEPTION 'a follow-up is of today or before, not %', NEW.happened_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_follow_up_not_future', TABLE = 'lead_follow_up';
    END IF;
    -- Row security hides another park's tenant: it is no tenant of the park for this login.
    IF NOT EXISTS (SELECT 1 FROM public.onboarding o WHERE o.park_id = NEW.park_id AND o.tenant_id = NEW.tenant_id
                                                      AND o.stage NOT IN ('rejected', 'exited')) THEN
        RAISE EXCEPTION '% is no tenant of park % now (its application there was rejected or has ended, or it has none)',
                        coalesce((SELECT t.name FROM public.tenant t WHERE t.id = NEW.tenant_id), 'this company'),
                        coalesce((SELECT p.code FROM public.park p WHERE p.id = NEW.park_id), 'of the follow-up')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_follow_up_of_tenant', TABLE = 'lead_follow_up';
    END IF;
    first_day := public.tenant_first_day_at(NEW.park_id, NEW.tenant_id);
    IF NEW.happened_on < first_day THEN
        RAISE EXCEPTION '% came to the park on % (its application or first lease): a follow-up of % is before it',
                        (SELECT t.name FROM public.tenant t WHERE t.id = NEW.tenant_id), first_day, NEW.happened_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_follow_up_in_tenancy', TABLE = 'lead_follow_up';
    END IF;
    IF NEW.happened_on < today - 31 AND NOT public.parkctl_acts_as_admin() THEN
        RAISE EXCEPTION 'a visit of % is recorded within 31 days of it (from %): an admin records an older one',
                        NEW.happened_on, today - 31
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION tenant_follow_up_recorded() FROM PUBLIC;
DROP TRIGGER lead_follow_up_recorded ON lead_follow_up;
CREATE TRIGGER lead_follow_up_recorded BEFORE INSERT OR UPDATE ON lead_follow_up
    FOR EACH ROW WHEN (NEW.lead_id IS NOT NULL) EXECUTE FUNCTION lead_follow_up_recorded();
CREATE TRIGGER tenant_follow_up_recorded BEFORE INSERT OR UPDATE ON lead_follow_up
    FOR EACH ROW WHEN (NEW.tenant_id IS NOT NULL) EXECUTE FUNCTION tenant_follow_up_recorded();

-- The stage log is a log: one row per stage entered (0036 kept one per lead and stage,
-- overwritten when a reopened lead entered a stage again, and the days in stage of
-- report pipeline lost the first stay). The funnel reads it as before.
ALTER TABLE lead_stage DROP CONSTRAINT lead_stage_pkey;
ALTER TABLE lead_stage ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT lead_stage_pkey PRIMARY KEY;
CREATE INDEX lead_stage_lead_idx ON lead_stage (lead_id, entered_on, id);
CREATE OR REPLACE FUNCTION lead_stage_log() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.stage <> OLD.stage THEN
        INSERT INTO public.lead_stage (park_id, lead_id, stage, entered_on, actor)
        VALUES (NEW.park_id, NEW.id, NEW.stage, NEW.stage_since, public.parkctl_actor());
    END IF;
    RETURN NULL;
END $$;

-- Revoking a login releases the tenants it served (they have no account manager until
-- an admin gives them another), whoever revokes it and however: on the staff row's
-- revocation, which parkctl_staff_revoke (0010) writes before it ends any session, so a
-- lock held on an assignment fails the revoke first. As the owner: every park's rows.
CREATE FUNCTION staff_revoked_releases_tenants() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    DELETE FROM public.account_manager WHERE manager = NEW.name;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION staff_revoked_releases_tenants() FROM PUBLIC;
CREATE TRIGGER staff_revoked_releases_tenants AFTER UPDATE OF revoked_at ON staff
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL) EXECUTE FUNCTION staff_revoked_releases_tenants();

-- The audit trail labels an account manager's row by the manager, a follow-up by its
-- day and way.
CREATE OR REPLACE FUNCTION audit_row_label(j jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(j->>'number', j->>'credit_code', j->>'code', j->>'item', j->>'to_stage', j->>'stage',
                    j->>'day', j->>'category' || '/' || (j->>'priority'), j->>'kind',
                    (j->>'isodow') || ' ' || (j->>'starts') || '-' || (j->>'ends'),
                    j->>'manager', (j->>'happened_on') || ' ' || (j->>'way'))
$$;
