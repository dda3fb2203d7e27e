-- 0036: the investment pipeline (招商), issue 19 part 3.
--
-- A lead is a company the park courts: who it is, what it wants, where it came from,
-- and the staff member who owns it, through the stages new → contacted → visited →
-- negotiating → won (it applied: the lead keeps the tenant it became) or lost (with the
-- reason). Follow-ups (跟进记录) are dated visits, calls and meetings with a note and a
-- next step. A lead nobody has followed up for the park's pool days (default 30) is in
-- the shared pool (公海池): it keeps its last owner for the record, but any leasing member
-- of the park may claim it. The pool is computed from the days, never by a job.

ALTER TABLE park ADD COLUMN lead_pool_days int NOT NULL DEFAULT 30
    CONSTRAINT park_lead_pool_days_range CHECK (lead_pool_days BETWEEN 1 AND 365);

CREATE SEQUENCE lead_number_seq;

CREATE TABLE lead (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number          text NOT NULL CONSTRAINT lead_number_key UNIQUE,
    park_id         bigint NOT NULL REFERENCES park,
    company         text NOT NULL CONSTRAINT lead_company_length CHECK (length(btrim(company)) BETWEEN 1 AND 200)
                    CONSTRAINT lead_company_plain_text CHECK (public.parkctl_is_plain_text(company)),
    credit_code     text CONSTRAINT lead_credit_code_valid CHECK (credit_code IS NULL OR public.credit_code_is_valid(credit_code)),
    industry        text NOT NULL CONSTRAINT lead_industry_format CHECK (industry ~ '^[a-z][a-z0-9_]{0,39}$'),
    source          text NOT NULL CONSTRAINT lead_source_valid CHECK (source IN ('referral', 'event', 'online', 'walk_in', 'government')),
    wanted_area_m2  numeric(12,2) CONSTRAINT lead_wanted_area_positive CHECK (wanted_area_m2 > 0 AND wanted_area_m2 <> 'NaN'),
    wanted_kind     text CONSTRAINT lead_wanted_kind_valid CHECK (wanted_kind IN
                    ('office', 'factory', 'live_room', 'selection_center', 'warehouse', 'showroom', 'retail', 'dormitory')),
    contact         text NOT NULL CONSTRAINT lead_contact_length CHECK (length(btrim(contact)) BETWEEN 1 AND 100)
                    CONSTRAINT lead_contact_plain_text CHECK (public.parkctl_is_plain_text(contact)),
    phone           text NOT NULL CONSTRAINT lead_phone_format CHECK (phone ~ '^\+?[0-9][0-9 -]{4,24}$'),
    -- The staff member who owns it (a login name), and since when: the pool counts from
    -- the later of that day and the last follow-up.
    owner           text,
    owned_since     date,
    stage           text NOT NULL DEFAULT 'new'
                    CONSTRAINT lead_stage_valid CHECK (stage IN ('new', 'contacted', 'visited', 'negotiating', 'won', 'lost')),
    stage_since     date NOT NULL,
    lost_reason     text CONSTRAINT lead_lost_reason_length CHECK (lost_reason IS NULL OR length(btrim(lost_reason)) BETWEEN 1 AND 500)
                    CONSTRAINT lead_lost_reason_plain_text CHECK (public.parkctl_is_plain_text(lost_reason)),
    -- The tenant a won lead became (its application at the park).
    tenant_id       bigint REFERENCES tenant,
    created_on      date NOT NULL,
    actor           text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT lead_park_id_key UNIQUE (park_id, id),
    CONSTRAINT lead_owned_since CHECK ((owner IS NULL) = (owned_since IS NULL)),
    CONSTRAINT lead_lost_reasoned CHECK ((stage = 'lost') = (lost_reason IS NOT NULL)),
    CONSTRAINT lead_won_is_tenant CHECK ((stage = 'won') = (tenant_id IS NOT NULL))
);
CREATE INDEX lead_park_stage_idx ON lead (park_id, stage);

CREATE TABLE lead_follow_up (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id      bigint NOT NULL,
    lead_id      bigint NOT NULL,
    happened_on  date NOT NULL,
    way          text NOT NULL CONSTRAINT lead_follow_up_way_valid CHECK (way IN ('visit', 'call', 'meeting', 'online')),
    note         text NOT NULL CONSTRAINT lead_follow_up_note_length CHECK (length(btrim(note)) BETWEEN 1 AND 1000)
                 CONSTRAINT lead_follow_up_note_plain_text CHECK (public.parkctl_is_plain_text(note)),
    next_step_on date,
    actor        text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT lead_follow_up_of_lead FOREIGN KEY (park_id, lead_id) REFERENCES lead (park_id, id),
    CONSTRAINT lead_follow_up_next_after CHECK (next_step_on IS NULL OR next_step_on >= happened_on),
    CONSTRAINT lead_follow_up_days_finite CHECK (happened_on BETWEEN date '1900-01-01' AND date '2999-12-31'
                                                 AND (next_step_on IS NULL OR next_step_on BETWEEN date '1900-01-01' AND date '2999-12-31'))
);
CREATE INDEX lead_follow_up_lead_idx ON lead_follow_up (lead_id, happened_on);

-- Each stage a lead entered and when: the funnel and the conversion count from it.
CREATE TABLE lead_stage (
    park_id    bigint NOT NULL,
    lead_id    bigint NOT NULL,
    stage      text NOT NULL,
    entered_on date NOT NULL,
    actor      text NOT NULL DEFAULT public.parkctl_actor(),
    PRIMARY KEY (lead_id, stage),
    FOREIGN KEY (park_id, lead_id) REFERENCES lead (park_id, id)
);

-- The day a lead was last touched (owned or followed up), and whether it is in the pool.
CREATE FUNCTION lead_last_touched(p_lead bigint) RETURNS date
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT greatest(l.owned_since, l.created_on, (SELECT max(f.happened_on) FROM public.lead_follow_up f WHERE f.lead_id = l.id))
    FROM public.lead l WHERE l.id = p_lead
$$;
CREATE FUNCTION lead_in_pool(p_lead bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT l.stage NOT IN ('won', 'lost')
           AND (l.owner IS NULL OR public.lead_last_touched(l.id) < public.park_today(l.park_id) - p.lead_pool_days)
    FROM public.lead l JOIN public.park p ON p.id = l.park_id WHERE l.id = p_lead
$$;

-- The stages go forward one way: the open stages in order (a stage may be skipped),
-- lost from any open stage with a reason, won with the tenant it became; a closed lead
-- stays closed. Ownership: a leasing member takes a new lead for themselves or claims
-- one from the pool; an admin assigns any. The days (created, owned since, in stage
-- since) and who recorded are the database's; each stage entered is logged.
CREATE FUNCTION lead_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    stages text[] := ARRAY['new', 'contacted', 'visited', 'negotiating', 'won'];
    today date := public.park_today(NEW.park_id);
    is_admin boolean := pg_has_role(current_user, 'parkctl_admin', 'MEMBER')
                        OR pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'public.lead'::regclass), 'MEMBER');
BEGIN
    NEW.actor := public.parkctl_actor();
    NEW.recorded_at := now();
    IF TG_OP = 'INSERT' THEN
        IF NEW.stage <> 'new' THEN
            RAISE EXCEPTION 'a lead starts new, not %', NEW.stage
                USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_stage_flow', TABLE = 'lead';
        END IF;
        IF NEW.owner IS DISTINCT FROM public.parkctl_actor() AND NEW.owner IS NOT NULL AND NOT is_admin THEN
            RAISE EXCEPTION 'a lead is taken by the one who adds it, or assigned by an admin (parkctl lead assign)'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        NEW.created_on := today;
        NEW.stage_since := today;
        NEW.owned_since := CASE WHEN NEW.owner IS NOT NULL THEN today END;
        RETURN NEW;
    END IF;
    IF NEW.park_id <> OLD.park_id OR NEW.number <> OLD.number OR NEW.created_on <> OLD.created_on THEN
        RAISE EXCEPTION 'lead % keeps its park, number and day', OLD.number
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_kept', TABLE = 'lead';
    END IF;
    IF OLD.stage IN ('won', 'lost') AND (NEW.stage, NEW.tenant_id, NEW.lost_reason) IS DISTINCT FROM (OLD.stage, OLD.tenant_id, OLD.lost_reason) THEN
        RAISE EXCEPTION 'lead % is %: it stays so (add a new lead if the company comes back)', OLD.number, OLD.stage
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_stage_flow', TABLE = 'lead';
    END IF;
    IF NEW.stage <> OLD.stage AND NEW.stage <> 'lost'
       AND array_position(stages, NEW.stage) < array_position(stages, OLD.stage) THEN
        RAISE EXCEPTION 'lead % is %: it does not go back to %', OLD.number, OLD.stage, NEW.stage
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_stage_flow', TABLE = 'lead';
    END IF;
    IF NEW.stage = 'won' AND OLD.stage <> 'won' AND NOT EXISTS (
           SELECT 1 FROM public.onboarding o WHERE o.tenant_id = NEW.tenant_id AND o.park_id = NEW.park_id) THEN
        RAISE EXCEPTION 'lead % is won when the company applies to the park (parkctl lead win)', OLD.number
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_stage_flow', TABLE = 'lead';
    END IF;
    NEW.stage_since := CASE WHEN NEW.stage <> OLD.stage THEN today ELSE OLD.stage_since END;
    IF NEW.owner IS DISTINCT FROM OLD.owner THEN
        IF NOT is_admin AND NOT (NEW.owner = public.parkctl_actor() AND public.lead_in_pool(OLD.id)) THEN
            RAISE EXCEPTION 'lead % is owned by %: an admin assigns it (parkctl lead assign), or anyone claims it once it is back in the pool',
                            OLD.number, OLD.owner
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        NEW.owned_since := CASE WHEN NEW.owner IS NOT NULL THEN today END;
    ELSE
        NEW.owned_since := OLD.owned_since;
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION lead_guard() FROM PUBLIC;
CREATE TRIGGER lead_guard BEFORE INSERT OR UPDATE ON lead FOR EACH ROW EXECUTE FUNCTION lead_guard();

CREATE FUNCTION lead_stage_log() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.stage <> OLD.stage THEN
        INSERT INTO public.lead_stage (park_id, lead_id, stage, entered_on) VALUES (NEW.park_id, NEW.id, NEW.stage, NEW.stage_since)
        ON CONFLICT (lead_id, stage) DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION lead_stage_log() FROM PUBLIC;
CREATE TRIGGER lead_stage_log AFTER INSERT OR UPDATE OF stage ON lead FOR EACH ROW EXECUTE FUNCTION lead_stage_log();

CREATE FUNCTION lead_follow_up_recorded() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    NEW.actor := public.parkctl_actor();
    NEW.recorded_at := now();
    IF NEW.happened_on > public.park_today(NEW.park_id) THEN
        RAISE EXCEPTION 'a follow-up is of today or before, not %', NEW.happened_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_follow_up_not_future', TABLE = 'lead_follow_up';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION lead_follow_up_recorded() FROM PUBLIC;
CREATE TRIGGER lead_follow_up_recorded BEFORE INSERT OR UPDATE ON lead_follow_up FOR EACH ROW EXECUTE FUNCTION lead_follow_up_recorded();

REVOKE ALL ON FUNCTION lead_last_touched(bigint), lead_in_pool(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lead_last_touched(bigint), lead_in_pool(bigint) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
GRANT USAGE ON SEQUENCE lead_number_seq TO parkctl_admin, parkctl_leasing;

SELECT parkctl_register_park_table(t, writers => ARRAY['parkctl_admin', 'parkctl_leasing'])
FROM unnest(ARRAY['lead', 'lead_follow_up']) t;
-- The stage log is written by the lead's trigger as its writer: insert only.
SELECT parkctl_register_park_table('lead_stage', writers => ARRAY['parkctl_admin', 'parkctl_leasing'], append_only => true);
