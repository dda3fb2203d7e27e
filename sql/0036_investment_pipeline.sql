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
-- A tenant is won by one lead.
CREATE UNIQUE INDEX lead_tenant_key ON lead (tenant_id) WHERE tenant_id IS NOT NULL;

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
    stage      text NOT NULL CONSTRAINT lead_stage_stage_valid CHECK (stage IN ('new', 'contacted', 'visited', 'negotiating', 'won', 'lost')),
    entered_on date NOT NULL,
    actor      text NOT NULL DEFAULT public.parkctl_actor(),
    PRIMARY KEY (lead_id, stage),
    FOREIGN KEY (park_id, lead_id) REFERENCES lead (park_id, id)
);

-- The day a lead was last touched (owned or followed up), and whether it is in the pool:
-- a lead nobody has touched for more than the park's pool days. Plain SQL with every
-- name qualified and no SET clause, so that the planner inlines them into a listing
-- (a function call per lead, with row security checked anew in each, took minutes for
-- 50,000 leads).
CREATE FUNCTION lead_last_touched(p_lead bigint) RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT greatest(l.owned_since, l.created_on, (SELECT max(f.happened_on) FROM public.lead_follow_up f WHERE f.lead_id = l.id))
    FROM public.lead l WHERE l.id = p_lead
$$;
CREATE FUNCTION lead_in_pool(p_lead bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT l.stage NOT IN ('won', 'lost')
           AND (l.owner IS NULL OR public.lead_last_touched(l.id) < public.park_today(l.park_id) - p.lead_pool_days)
    FROM public.lead l JOIN public.park p ON p.id = l.park_id WHERE l.id = p_lead
$$;

-- The stages go forward one way: the open stages in order (a stage may be skipped),
-- lost from any open stage with a reason, won with the tenant it became (an application
-- to the park that is not rejected; one lead wins a tenant). A closed lead stays closed,
-- but an admin may reopen a lost one. Ownership: a leasing member changes only the leads
-- they own; takes a new lead for themselves or claims one from the pool (their own
-- lapsed one too, which starts its days again); an admin assigns any. The number, the
-- days (created, owned since, in stage since) and who recorded are the database's.
CREATE FUNCTION lead_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    stages text[] := ARRAY['new', 'contacted', 'visited', 'negotiating', 'won'];
    today date := public.park_today(NEW.park_id);
    me text := public.parkctl_actor();
    is_admin boolean := public.parkctl_acts_as_admin();
    claiming boolean;
BEGIN
    NEW.actor := me;
    NEW.recorded_at := now();
    IF TG_OP = 'INSERT' THEN
        IF NEW.stage <> 'new' OR NEW.tenant_id IS NOT NULL THEN
            RAISE EXCEPTION 'a lead starts new, not %', NEW.stage
                USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_stage_flow', TABLE = 'lead';
        END IF;
        IF NEW.owner IS DISTINCT FROM me AND NEW.owner IS NOT NULL AND NOT is_admin THEN
            RAISE EXCEPTION 'a lead is taken by the one who adds it, or assigned by an admin (parkctl lead assign)'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        NEW.number := public.parkctl_number('LD', today, nextval('public.lead_number_seq'));
        NEW.created_on := today;
        NEW.stage_since := today;
        NEW.owned_since := CASE WHEN NEW.owner IS NOT NULL THEN today END;
        RETURN NEW;
    END IF;
    IF NEW.park_id <> OLD.park_id OR NEW.number <> OLD.number OR NEW.created_on <> OLD.created_on THEN
        RAISE EXCEPTION 'lead % keeps its park, number and day', OLD.number
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_kept', TABLE = 'lead';
    END IF;
    -- A claim: a leasing member takes a lead of the pool (their own lapsed one too).
    claiming := NEW.owner = me AND (NEW.owner IS DISTINCT FROM OLD.owner OR NEW.owned_since IS DISTINCT FROM OLD.owned_since);
    IF NOT is_admin THEN
        IF claiming THEN
            IF NOT public.lead_in_pool(OLD.id) THEN
                RAISE EXCEPTION 'lead % is %''s: an admin assigns it (parkctl lead assign), or anyone claims it once it is back in the pool',
                                OLD.number, OLD.owner
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF (NEW.company, NEW.credit_code, NEW.industry, NEW.source, NEW.wanted_area_m2, NEW.wanted_kind, NEW.contact, NEW.phone,
                NEW.stage, NEW.lost_reason, NEW.tenant_id)
               IS DISTINCT FROM (OLD.company, OLD.credit_code, OLD.industry, OLD.source, OLD.wanted_area_m2, OLD.wanted_kind, OLD.contact,
                                 OLD.phone, OLD.stage, OLD.lost_reason, OLD.tenant_id) THEN
                RAISE EXCEPTION 'a claim changes only the owner of lead %', OLD.number
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
        ELSIF OLD.owner IS DISTINCT FROM me OR NEW.owner IS DISTINCT FROM OLD.owner THEN
            RAISE EXCEPTION 'lead % is %: its owner or an admin changes it (a lead of the pool is claimed first: parkctl lead claim)',
                            OLD.number, coalesce(OLD.owner || '''s', 'in the pool')
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF OLD.stage = 'won' AND NEW.owner IS NOT DISTINCT FROM OLD.owner
       AND (NEW.company, NEW.credit_code, NEW.industry, NEW.source, NEW.wanted_area_m2, NEW.wanted_kind, NEW.contact, NEW.phone,
            NEW.stage, NEW.lost_reason, NEW.tenant_id)
           IS DISTINCT FROM (OLD.company, OLD.credit_code, OLD.industry, OLD.source, OLD.wanted_area_m2, OLD.wanted_kind, OLD.contact,
                             OLD.phone, OLD.stage, OLD.lost_reason, OLD.tenant_id) THEN
        RAISE EXCEPTION 'lead % is won: it stays as it was (add a new lead if the company comes back)', OLD.number
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_stage_flow', TABLE = 'lead';
    END IF;
    IF OLD.stage = 'lost' AND NEW.stage <> 'lost' AND NOT (is_admin AND NEW.stage IN ('new', 'contacted', 'visited', 'negotiating')) THEN
        RAISE EXCEPTION 'lead % is lost: an admin may reopen it, nobody else', OLD.number
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_stage_flow', TABLE = 'lead';
    END IF;
    IF OLD.stage = 'lost' AND NEW.stage = 'lost' AND NEW.lost_reason IS DISTINCT FROM OLD.lost_reason THEN
        RAISE EXCEPTION 'lead % is lost: its reason is kept', OLD.number
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_stage_flow', TABLE = 'lead';
    END IF;
    IF NEW.stage <> OLD.stage AND NEW.stage <> 'lost' AND OLD.stage <> 'lost'
       AND array_position(stages, NEW.stage) < array_position(stages, OLD.stage) THEN
        RAISE EXCEPTION 'lead % is %: it does not go back to %', OLD.number, OLD.stage, NEW.stage
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_stage_flow', TABLE = 'lead';
    END IF;
    IF NEW.stage = 'won' AND OLD.stage <> 'won' AND NOT EXISTS (
           SELECT 1 FROM public.onboarding o WHERE o.tenant_id = NEW.tenant_id AND o.park_id = NEW.park_id AND o.stage <> 'rejected') THEN
        RAISE EXCEPTION 'lead % is won when the company applies to the park (parkctl lead win)', OLD.number
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_stage_flow', TABLE = 'lead';
    END IF;
    IF NEW.stage <> 'lost' THEN
        NEW.lost_reason := NULL;
    END IF;
    NEW.stage_since := CASE WHEN NEW.stage <> OLD.stage THEN today ELSE OLD.stage_since END;
    NEW.owned_since := CASE WHEN NEW.owner IS NULL THEN NULL WHEN claiming OR NEW.owner IS DISTINCT FROM OLD.owner THEN today
                            ELSE OLD.owned_since END;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION lead_guard() FROM PUBLIC;
CREATE TRIGGER lead_guard BEFORE INSERT OR UPDATE ON lead FOR EACH ROW EXECUTE FUNCTION lead_guard();

-- Written by the lead's trigger alone, as the owner of the tables (staff hold no
-- privilege on the log), so that the funnel counts what happened.
CREATE FUNCTION lead_stage_log() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.stage <> OLD.stage THEN
        INSERT INTO public.lead_stage (park_id, lead_id, stage, entered_on, actor)
        VALUES (NEW.park_id, NEW.id, NEW.stage, NEW.stage_since, public.parkctl_actor())
        ON CONFLICT (lead_id, stage) DO UPDATE SET entered_on = EXCLUDED.entered_on, actor = EXCLUDED.actor;
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION lead_stage_log() FROM PUBLIC;
CREATE TRIGGER lead_stage_log AFTER INSERT OR UPDATE OF stage ON lead FOR EACH ROW EXECUTE FUNCTION lead_stage_log();

-- A follow-up is recorded, never changed (the log of who did what), by the lead's owner
-- or an admin, on an open lead, on a day from the lead's first to today.
CREATE FUNCTION lead_follow_up_recorded() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    l public.lead;
BEGIN
    NEW.actor := public.parkctl_actor();
    NEW.recorded_at := now();
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

-- Leads are kept (a lead added by mistake is lost, with the reason); follow-ups are a
-- log, inserted only; the stage log is the trigger's.
SELECT parkctl_register_park_table('lead', writers => ARRAY['parkctl_admin', 'parkctl_leasing'], privileges => 'INSERT, UPDATE');
SELECT parkctl_register_park_table('lead_follow_up', writers => ARRAY['parkctl_admin', 'parkctl_leasing'], append_only => true);
SELECT parkctl_register_park_table('lead_stage');
