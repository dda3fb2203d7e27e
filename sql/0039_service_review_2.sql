-- 0039: what the second review of the enterprise service found.
--
-- 1. A revoked login stayed the account manager of its tenants when revoked other than
--    through parkctl (the cleanup was the client's): the revoke itself releases them,
--    before it ends any session; and those of logins revoked before are released now.
-- 2. A clerk could date a visit into any past quarter the tenant was in, and so make a
--    quarter look covered after the fact. A tenant's follow-up is recorded within 31
--    days of its day (an admin may record older ones, as when moving records over),
--    and the tenant's first day counts only applications not rejected nor ended and
--    leases signed or terminated (not cancelled).

CREATE OR REPLACE FUNCTION parkctl_staff_revoke(p_name text) RETURNS public.staff
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    mine bigint[] := public.parkctl_parks_of(session_user);
    result public.staff;
BEGIN
    SELECT * INTO result FROM public.staff s WHERE s.name = p_name AND s.revoked_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no staff named %', p_name USING ERRCODE = 'no_data_found';
    END IF;
    IF p_name = session_user THEN
        RAISE EXCEPTION 'you cannot revoke yourself; another admin can' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF mine IS NOT NULL AND (result.park_ids IS NULL OR NOT result.park_ids <@ mine) THEN
        RAISE EXCEPTION 'you may only revoke staff of your own parks' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT coalesce(public.parkctl_is_plain_login(p_name), true) THEN
        RAISE EXCEPTION 'the PostgreSQL role % has powers of its own now; parkctl will not change it', p_name
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- A departed colleague serves no tenant: those it served have no account manager now
    -- (first, so that a lock held on one fails the revoke before any session is ended).
    DELETE FROM public.account_manager WHERE manager = p_name;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = p_name) THEN
        EXECUTE format('ALTER ROLE %I NOLOGIN', p_name);
        EXECUTE format('REVOKE parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer FROM %I', p_name);
        EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM %I', current_database(), p_name);
    END IF;
    UPDATE public.staff SET revoked_at = now(), revoked_by = public.parkctl_actor() WHERE name = p_name RETURNING * INTO result;
    -- Sessions still open lose their rights now (no group, no parks); end them too.
    BEGIN
        PERFORM pg_catalog.pg_terminate_backend(a.pid) FROM pg_catalog.pg_stat_activity a
        WHERE a.usename = p_name AND a.datname = current_database();
    EXCEPTION WHEN insufficient_privilege THEN
        NULL;
    END;
    RETURN result;
END $$;

DELETE FROM account_manager m
WHERE EXISTS (SELECT 1 FROM staff s WHERE s.name = m.manager AND s.revoked_at IS NOT NULL);

CREATE OR REPLACE FUNCTION tenant_first_day_at(p_park bigint, p_tenant bigint) RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT least((SELECT min((o.applied_at AT TIME ZONE public.park_time_zone(p_park))::date) FROM public.onboarding o
                  WHERE o.park_id = p_park AND o.tenant_id = p_tenant AND o.stage NOT IN ('rejected', 'exited')),
                 (SELECT min(lower(l.term)) FROM public.lease l
                  WHERE l.park_id = p_park AND l.tenant_id = p_tenant AND l.status IN ('signed', 'terminated')))
$$;

CREATE OR REPLACE FUNCTION lead_follow_up_recorded() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    l public.lead;
    first_day date;
    today date := public.park_today(NEW.park_id);
BEGIN
    NEW.actor := public.parkctl_actor();
    NEW.recorded_at := now();
    IF NEW.happened_on > today THEN
        RAISE EXCEPTION 'a follow-up is of today or before, not %', NEW.happened_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_follow_up_not_future', TABLE = 'lead_follow_up';
    END IF;
    IF NEW.tenant_id IS NOT NULL THEN
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
