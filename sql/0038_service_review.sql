-- 0038: what the review of 0037 found.
--
-- 1. The stage log kept one row per lead and stage, overwritten when a reopened lead
--    entered a stage again: the days in stage of report pipeline lost the first stay.
--    It is a log now, one row per stage entered (the funnel reads it as before).
-- 2. staff_serves_park answered a scoped admin about parks outside theirs (who works
--    where, in what role): it answers for the caller's own parks only.
-- 3. A tenant's follow-up had no first day: a clerk could date a visit into any past
--    quarter. It is not before the tenant came to the park (its application there or
--    its first lease there, whichever was first).
-- 4. The audit trail labels an account manager's row by the manager, a follow-up by its
--    day and way.

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

CREATE OR REPLACE FUNCTION staff_serves_park(p_name text, p_park bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT (public.parkctl_parks_of(session_user) IS NULL OR p_park = ANY (public.parkctl_parks_of(session_user)))
       AND EXISTS (SELECT 1 FROM public.staff s
                   WHERE s.name = p_name AND s.role IN ('admin', 'leasing') AND s.revoked_at IS NULL
                     AND (s.park_ids IS NULL OR p_park = ANY (s.park_ids)))
$$;

-- The first day a tenant was at a park: its first application there or its first
-- lease there, whichever came first (a tenant recorded after the fact has leases
-- older than its application). Read as the caller, under row security.
CREATE FUNCTION tenant_first_day_at(p_park bigint, p_tenant bigint) RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT least((SELECT min((o.applied_at AT TIME ZONE public.park_time_zone(p_park))::date) FROM public.onboarding o
                  WHERE o.park_id = p_park AND o.tenant_id = p_tenant),
                 (SELECT min(lower(l.term)) FROM public.lease l WHERE l.park_id = p_park AND l.tenant_id = p_tenant))
$$;
REVOKE ALL ON FUNCTION tenant_first_day_at(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_first_day_at(bigint, bigint) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

CREATE OR REPLACE FUNCTION lead_follow_up_recorded() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    l public.lead;
    first_day date;
BEGIN
    NEW.actor := public.parkctl_actor();
    NEW.recorded_at := now();
    IF NEW.happened_on > public.park_today(NEW.park_id) THEN
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
                USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_follow_up_not_future', TABLE = 'lead_follow_up';
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

CREATE OR REPLACE FUNCTION audit_row_label(j jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(j->>'number', j->>'credit_code', j->>'code', j->>'item', j->>'to_stage', j->>'stage',
                    j->>'day', j->>'category' || '/' || (j->>'priority'), j->>'kind',
                    (j->>'isodow') || ' ' || (j->>'starts') || '-' || (j->>'ends'),
                    j->>'manager', (j->>'happened_on') || ' ' || (j->>'way'))
$$;
