-- 0037: serving the enterprises already settled (持续跟踪服务), issue 19 part 3's end.
--
-- A park gives each of its tenants an account manager (企业服务专员), and records its
-- visits, calls and meetings with them as it does a lead's: the same follow-up records
-- (lead_follow_up, which now names a lead or a tenant), so that one list says what is
-- due, and "which settled enterprise has nobody visited this quarter" is a report.

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
-- Read as the owner: a scoped admin does not see a colleague who also works elsewhere.
CREATE FUNCTION staff_serves_park(p_name text, p_park bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM public.staff s
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

-- A tenant's follow-up is recorded by any leasing member or admin of its park (the
-- manager leads, colleagues go along; nobody competes for a settled tenant as for a
-- lead), for a tenant the park has, on a day up to today. A lead's, as in 0036.
CREATE OR REPLACE FUNCTION lead_follow_up_recorded() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    l public.lead;
BEGIN
    NEW.actor := public.parkctl_actor();
    NEW.recorded_at := now();
    IF NEW.happened_on > public.park_today(NEW.park_id) THEN
        RAISE EXCEPTION 'a follow-up is of today or before, not %', NEW.happened_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_follow_up_not_future', TABLE = 'lead_follow_up';
    END IF;
    IF NEW.tenant_id IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM public.onboarding o WHERE o.park_id = NEW.park_id AND o.tenant_id = NEW.tenant_id
                                                          AND o.stage NOT IN ('rejected', 'exited')) THEN
            RAISE EXCEPTION '% is no tenant of park %: a lead is followed up as a lead (parkctl lead follow-up)',
                            (SELECT t.name FROM public.tenant t WHERE t.id = NEW.tenant_id), (SELECT p.code FROM public.park p WHERE p.id = NEW.park_id)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_follow_up_of_tenant', TABLE = 'lead_follow_up';
        END IF;
        RETURN NEW;
    END IF;
    SELECT * INTO l FROM public.lead WHERE id = NEW.lead_id;
    IF l.owner IS DISTINCT FROM NEW.actor AND NOT public.parkctl_acts_as_admin() THEN
        RAISE EXCEPTION 'lead % is %: its owner or an admin follows it up (a lead of the pool is claimed first: parkctl lead claim)',
                        l.number, coalesce(l.owner || '''s', 'in the pool')
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF l.stage IN ('won', 'lost') THEN
        RAISE EXCEPTION 'lead % is %: a closed lead is not followed up', l.number, l.stage
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_follow_up_open', TABLE = 'lead_follow_up';
    END IF;
    IF NEW.happened_on < l.created_on THEN
        RAISE EXCEPTION 'lead % was added on %: a follow-up of % is before it', l.number, l.created_on, NEW.happened_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_follow_up_not_future', TABLE = 'lead_follow_up';
    END IF;
    RETURN NEW;
END $$;
