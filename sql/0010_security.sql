-- 0010: security. Closes what a hostile review of 0001-0009 found (issue 12).
--
-- 1. Names. When pg_temp is not in a function's search_path, PostgreSQL searches the
--    caller's temporary schema FIRST for tables, views and types: a temporary view
--    named like a relation a SECURITY DEFINER function reads ran the caller's code
--    with the owner's rights (a viewer made itself superuser). Every definer function,
--    and every trigger function that keeps an invariant, now runs with
--    search_path = pg_catalog, public, pg_temp (pg_temp LAST) and names every relation
--    and row type with its schema. Nobody but the owner may create in public.
-- 2. Scope. Inserts that name a tenant must name one the caller can see (foreign keys
--    ignore row-level security); a tenant known to other parks is reached only
--    through parkctl_apply_known_tenant, with its credit code and exact name. Breaches
--    are recorded for the caller's parks, never after now(). A ticket's status, due
--    times and number are the database's: set by triggers that run as the owner,
--    with column grants for the rest. Actors are the login for staff. Group-wide
--    service levels are changed by staff of every park only.
-- 3. Reach. Staff log in to the databases they are staff of (CONNECT per database,
--    not to PUBLIC); PUBLIC executes no function; the functions that answer about a
--    role answer only about the caller; a scoped admin sees the staff of their parks.
-- 4. Text. Free-text columns refuse control characters (escape sequences, C1) and
--    bidirectional overrides, whatever the client.

REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- ---------------------------------------------------------------------------------
-- Who is who.

CREATE OR REPLACE FUNCTION parkctl_is_owner(who name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT who = (SELECT pg_catalog.pg_get_userbyid(d.datdba) FROM pg_catalog.pg_database d
                  WHERE d.datname = pg_catalog.current_database())
        OR coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = who), false)
$$;

-- The parks a role may see: NULL for every park, '{}' for none. It answers only about
-- the login asking (policies ask about current_user, which is the login outside
-- definer functions, and the owner inside them) or for the owner.
CREATE OR REPLACE FUNCTION parkctl_parks_of(who name) RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE parks bigint[];
BEGIN
    IF public.parkctl_is_owner(who) THEN RETURN NULL; END IF;
    IF who <> session_user AND NOT public.parkctl_is_owner(session_user) THEN RETURN '{}'; END IF;
    SELECT s.park_ids INTO parks FROM public.staff s WHERE s.name = who AND s.revoked_at IS NULL;
    IF NOT FOUND THEN RETURN '{}'; END IF;
    RETURN parks;
END $$;

CREATE OR REPLACE FUNCTION parkctl_hidden_tenants(who name) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT o.tenant_id FROM public.onboarding o
    WHERE who = session_user OR public.parkctl_is_owner(session_user)
    GROUP BY o.tenant_id
    HAVING NOT bool_or(o.park_id = ANY (public.parkctl_parks_of(who)))
$$;

-- Raises unless the login may act in the park (for definer triggers, which run
-- before row-level security checks the row).
CREATE FUNCTION parkctl_require_park(p_park bigint) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE mine bigint[] := public.parkctl_parks_of(session_user);
BEGIN
    IF mine IS NOT NULL AND (p_park IS NULL OR NOT p_park = ANY (mine)) THEN
        RAISE EXCEPTION 'new row violates row-level security policy: park % is outside your parks', p_park
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION parkctl_actor() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN public.parkctl_is_owner(session_user)
                THEN coalesce(nullif(pg_catalog.current_setting('parkctl.actor', true), ''), session_user::text)
                ELSE session_user::text END
$$;

-- A login's row-level view of tenants: none for a login that is not staff.
ALTER POLICY park_scope ON tenant
    USING ((SELECT public.parkctl_parks_of(current_user)) IS NULL
           OR (cardinality((SELECT public.parkctl_parks_of(current_user))) > 0
               AND id NOT IN (SELECT public.parkctl_hidden_tenants(current_user))));

-- ---------------------------------------------------------------------------------
-- Audit and history, written by the owner's triggers into the real tables.

-- Timeline events are labelled by their kind.
CREATE OR REPLACE FUNCTION audit_row_label(j jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(j->>'number', j->>'credit_code', j->>'code', j->>'item', j->>'to_stage', j->>'stage',
                    j->>'day', j->>'category' || '/' || (j->>'priority'), j->>'kind')
$$;

CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    old_j jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_j jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    j     jsonb := coalesce(new_j, old_j);
BEGIN
    -- Definer triggers run only on parkctl's own tables: never on a table of the
    -- caller's, where its rights and the caller's triggers would meet.
    IF TG_TABLE_SCHEMA <> 'public' THEN
        RAISE EXCEPTION 'parkctl''s triggers run on parkctl''s tables only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO public.audit_log (actor, table_name, row_key, label, action, park_id, old_row, new_row)
    VALUES (public.parkctl_actor(), TG_TABLE_NAME, public.audit_row_key(j), public.audit_row_label(j), lower(TG_OP),
            public.audit_row_park(TG_TABLE_NAME, j), old_j, new_j);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION audit_rows_inserted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    who text := public.parkctl_actor();   -- once per statement, not per row
BEGIN
    -- Definer triggers run only on parkctl's own tables: never on a table of the
    -- caller's, where its rights and the caller's triggers would meet.
    IF TG_TABLE_SCHEMA <> 'public' THEN
        RAISE EXCEPTION 'parkctl''s triggers run on parkctl''s tables only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO public.audit_log (actor, table_name, row_key, label, action, park_id, old_row, new_row)
    SELECT who, TG_TABLE_NAME, public.audit_row_key(j), public.audit_row_label(j), 'insert',
           public.audit_row_park(TG_TABLE_NAME, j), NULL, j
    -- OFFSET 0 keeps the subquery: flattened, to_jsonb would run once per use of j.
    -- new_rows is the transition table, which no relation of any schema can shadow.
    FROM (SELECT to_jsonb(n) AS j FROM new_rows n OFFSET 0) rows;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION keep_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> 'public' OR TG_TABLE_NAME NOT IN ('lease', 'lease_unit') THEN
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

-- The timeline of tickets is audited like every other table.
CREATE TRIGGER ticket_event_audit_insert AFTER INSERT ON ticket_event REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_rows_inserted();

-- ---------------------------------------------------------------------------------
-- The invariant triggers, which run as the caller, read the real tables too.

CREATE OR REPLACE FUNCTION unit_floor_in_building() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE b public.building;
BEGIN
    SELECT * INTO b FROM public.building WHERE id = NEW.building_id;
    IF NEW.floor = 0 OR NEW.floor > b.floors_above OR NEW.floor < -b.floors_below THEN
        RAISE EXCEPTION 'floor % is not in building % (floors -% to %, no floor 0)',
            NEW.floor, b.code, b.floors_below, b.floors_above
            USING ERRCODE = 'check_violation', CONSTRAINT = 'unit_floor_in_building', TABLE = 'unit', COLUMN = 'floor';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION units_floor_in_building() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE bad record;
BEGIN
    SELECT n.floor, b.code, b.floors_below, b.floors_above INTO bad
    FROM new_rows n JOIN public.building b ON b.id = n.building_id
    WHERE n.floor = 0 OR n.floor > b.floors_above OR n.floor < -b.floors_below
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'floor % is not in building % (floors -% to %, no floor 0)',
            bad.floor, bad.code, bad.floors_below, bad.floors_above
            USING ERRCODE = 'check_violation', CONSTRAINT = 'unit_floor_in_building', TABLE = 'unit', COLUMN = 'floor';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION onboarding_stage_change_allowed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.stage IS DISTINCT FROM OLD.stage AND NOT EXISTS (
        SELECT 1 FROM public.onboarding_transition t WHERE t.from_stage = OLD.stage AND t.to_stage = NEW.stage) THEN
        RAISE EXCEPTION 'onboarding cannot move from % to %', OLD.stage, NEW.stage
            USING ERRCODE = 'check_violation', CONSTRAINT = 'onboarding_transition_allowed', TABLE = 'onboarding', COLUMN = 'stage';
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION lease_sync_units() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.term IS DISTINCT FROM OLD.term OR NEW.terminated_on IS DISTINCT FROM OLD.terminated_on
       OR NEW.status IS DISTINCT FROM OLD.status THEN
        UPDATE public.lease_unit SET during = public.lease_occupancy(NEW.term, NEW.terminated_on),
                                     cancelled = (NEW.status = 'cancelled')
        WHERE lease_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION ticket_event_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'the ticket timeline is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;

-- Who did a step or ticked an item, and when it was recorded: the login for staff,
-- whatever the client says (the owner may name someone: parkctl --actor), and now.
-- (The day a step takes effect, effective_on, may be given.)
CREATE FUNCTION actor_is_login() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    -- The login itself is always true; anything else is checked.
    IF NEW.actor IS DISTINCT FROM session_user::text THEN
        NEW.actor := public.parkctl_actor();
    END IF;
    IF TG_TABLE_NAME = 'onboarding_step' THEN
        NEW.at := now();
    ELSE
        NEW.done_at := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER onboarding_step_actor BEFORE INSERT OR UPDATE ON onboarding_step
    FOR EACH ROW EXECUTE FUNCTION actor_is_login();
CREATE TRIGGER onboarding_check_actor BEFORE INSERT OR UPDATE ON onboarding_check
    FOR EACH ROW EXECUTE FUNCTION actor_is_login();
-- The steps and the checklist are a record: staff add to them, never rewrite them.
REVOKE UPDATE, DELETE ON onboarding_step, onboarding_check FROM parkctl_leasing, parkctl_admin;
-- Tenants, applications and leases end by their own steps (reject, move out,
-- terminate, cancel), never by a DELETE.
REVOKE DELETE ON tenant, onboarding, lease, lease_unit FROM parkctl_leasing, parkctl_admin;

-- A change to a tenant, which several parks may share, shows in the audit trail of
-- every park whose staff see the tenant (its rows carry no park).
CREATE POLICY tenant_rows ON audit_log FOR SELECT
    USING (table_name = 'tenant' AND row_key IN (SELECT tv.id::text FROM public.tenant tv));

-- ---------------------------------------------------------------------------------
-- Tickets: the number, the clock and the due times come from the database; the
-- status and its times move only through the timeline.

CREATE FUNCTION ticket_prepare() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    sl public.service_level;
    tz text;
    day_minutes numeric;
    response_minutes numeric;
    resolution_minutes numeric;
BEGIN
    IF TG_TABLE_SCHEMA <> 'public' OR TG_TABLE_NAME <> 'ticket' THEN
        RAISE EXCEPTION 'parkctl''s triggers run on parkctl''s tables only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- The caller's parks first: this runs as the owner, before row-level security.
    PERFORM public.parkctl_require_park(NEW.park_id);
    SELECT * INTO sl FROM public.service_level s WHERE s.category = NEW.category AND s.priority = NEW.priority;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no service level for %/%', NEW.category, NEW.priority
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_service_level_exists';
    END IF;
    NEW.opened_at := coalesce(NEW.opened_at, now());
    IF NEW.opened_at > now() + interval '1 minute' THEN
        RAISE EXCEPTION 'opened-at % lies in the future', NEW.opened_at
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_opened_not_in_future';
    END IF;
    SELECT p.time_zone INTO tz FROM public.park p WHERE p.id = NEW.park_id;
    NEW.number := 'T-' || to_char(NEW.opened_at AT TIME ZONE coalesce(tz, 'UTC'), 'YYYY') || '-'
                  || lpad(nextval('public.ticket_number_seq')::text, 6, '0');
    NEW.status := 'open';
    NEW.assignee := NULL;
    NEW.first_response_at := NULL;
    NEW.resolved_at := NULL;
    NEW.closed_at := NULL;
    NEW.clock := sl.clock;
    day_minutes := CASE WHEN sl.clock = '24x7' THEN 1440 ELSE public.park_working_day_minutes(NEW.park_id) END;
    response_minutes := sl.response_value * CASE sl.response_unit WHEN 'm' THEN 1 WHEN 'h' THEN 60 ELSE day_minutes END;
    resolution_minutes := sl.resolution_value * CASE sl.resolution_unit WHEN 'm' THEN 1 WHEN 'h' THEN 60 ELSE day_minutes END;
    IF sl.clock = '24x7' THEN
        NEW.response_due_at := NEW.opened_at + response_minutes * interval '1 minute';
        NEW.resolution_due_at := NEW.opened_at + resolution_minutes * interval '1 minute';
    ELSE
        NEW.response_due_at := public.working_time_add(NEW.park_id, NEW.opened_at, response_minutes);
        NEW.resolution_due_at := public.working_time_add(NEW.park_id, NEW.opened_at, resolution_minutes);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ticket_prepare BEFORE INSERT ON ticket FOR EACH ROW EXECUTE FUNCTION ticket_prepare();

-- A ticket's first event, written by the database with the ticket: its time is the
-- opening time, its note the title (staff may not write a `created` event).
CREATE FUNCTION ticket_created() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> 'public' OR TG_TABLE_NAME <> 'ticket' THEN
        RAISE EXCEPTION 'parkctl''s triggers run on parkctl''s tables only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO public.ticket_event (park_id, ticket_id, at, actor, kind, to_status, note)
    VALUES (NEW.park_id, NEW.id, NEW.opened_at, public.parkctl_actor(), 'created', 'open', NEW.title);
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_created AFTER INSERT ON ticket FOR EACH ROW EXECUTE FUNCTION ticket_created();

-- Applies an event to its ticket, as the owner: the only way a ticket's status and
-- its times change.
CREATE OR REPLACE FUNCTION ticket_event_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    t public.ticket;
    last_at timestamptz;
BEGIN
    IF TG_TABLE_SCHEMA <> 'public' OR TG_TABLE_NAME <> 'ticket_event' THEN
        RAISE EXCEPTION 'parkctl''s triggers run on parkctl''s tables only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- The caller's parks first: this runs as the owner, before row-level security,
    -- and must neither lock nor describe another park's ticket.
    PERFORM public.parkctl_require_park(NEW.park_id);
    NEW.actor := CASE WHEN NEW.kind = 'sla_breach' THEN 'parkctl' ELSE public.parkctl_actor() END;
    NEW.at := coalesce(NEW.at, now());
    IF NEW.at > now() + interval '1 minute' THEN
        RAISE EXCEPTION 'the time % lies in the future', NEW.at
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_event_not_in_future';
    END IF;
    -- Only a status event (and an assignment of an open ticket, below) moves the status.
    IF NEW.kind <> 'status' THEN
        NEW.from_status := NULL;
        NEW.to_status := CASE WHEN NEW.kind = 'created' THEN 'open' END;
    END IF;
    IF NEW.kind = 'created' THEN
        -- Written by ticket_created, with the ticket (whose row this statement cannot see).
        IF pg_trigger_depth() < 2 OR EXISTS (SELECT 1 FROM public.ticket_event e WHERE e.ticket_id = NEW.ticket_id) THEN
            RAISE EXCEPTION 'a ticket''s created event is written by the database when the ticket is opened'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_event_created_once';
        END IF;
        RETURN NEW;
    END IF;
    SELECT * INTO t FROM public.ticket WHERE id = NEW.ticket_id AND park_id = NEW.park_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no ticket % in park %', NEW.ticket_id, NEW.park_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    -- A timeline runs forward: no event before the ticket opened or before the last
    -- one (breaches carry their due time, and come later). An event of now (the
    -- transaction's start) that waited for the ticket behind a later one takes its time.
    IF NEW.kind <> 'sla_breach' THEN
        SELECT max(e.at) INTO last_at FROM public.ticket_event e WHERE e.ticket_id = NEW.ticket_id AND e.kind <> 'sla_breach';
        IF NEW.at >= now() AND NEW.at < greatest(t.opened_at, last_at) THEN
            NEW.at := greatest(t.opened_at, last_at);
        ELSIF NEW.at < greatest(t.opened_at, last_at) THEN
            RAISE EXCEPTION 'the time % is before the ticket''s last event (%)', NEW.at, greatest(t.opened_at, last_at)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_event_in_order';
        END IF;
    END IF;
    IF NEW.kind = 'status' THEN
        IF NEW.from_status IS DISTINCT FROM t.status THEN
            RAISE EXCEPTION 'ticket % is %, not %', t.number, t.status, NEW.from_status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_event_from_current';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM public.ticket_transition tr WHERE tr.from_status = t.status AND tr.to_status = NEW.to_status) THEN
            RAISE EXCEPTION 'ticket % cannot move from % to %', t.number, t.status, NEW.to_status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_transition_allowed';
        END IF;
        UPDATE public.ticket SET status = NEW.to_status,
               resolved_at = CASE WHEN NEW.to_status = 'resolved' THEN NEW.at
                                  WHEN NEW.to_status = 'in_progress' AND t.status IN ('resolved', 'closed') THEN NULL
                                  ELSE resolved_at END,
               closed_at = CASE WHEN NEW.to_status IN ('closed', 'cancelled') THEN NEW.at
                                WHEN NEW.to_status = 'in_progress' THEN NULL ELSE closed_at END,
               first_response_at = coalesce(first_response_at, CASE WHEN NEW.to_status IN ('in_progress', 'resolved') THEN NEW.at END)
        WHERE id = t.id;
    ELSIF NEW.kind = 'assigned' THEN
        IF t.status IN ('resolved', 'closed', 'cancelled') THEN
            RAISE EXCEPTION 'ticket % is %; it cannot be assigned', t.number, t.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_assign_open';
        END IF;
        UPDATE public.ticket SET assignee = NEW.note,
               status = CASE WHEN t.status = 'open' THEN 'assigned' ELSE t.status END,
               first_response_at = coalesce(first_response_at, NEW.at)
        WHERE id = t.id;
        IF t.status = 'open' THEN
            NEW.from_status := 'open';
            NEW.to_status := 'assigned';
        END IF;
    ELSIF NEW.kind = 'comment' THEN
        UPDATE public.ticket SET first_response_at = coalesce(first_response_at, NEW.at)
        WHERE id = t.id AND NEW.actor <> coalesce(t.reporter, '');
    END IF;
    RETURN NEW;
END $$;

-- The state of a ticket changes only inside ticket_event_apply (a trigger running
-- as the owner), never by a direct UPDATE, not even one fired from a trigger of the
-- caller's own.
CREATE OR REPLACE FUNCTION ticket_status_from_events() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF (NEW.status, NEW.assignee, NEW.first_response_at, NEW.resolved_at, NEW.closed_at)
           IS DISTINCT FROM (OLD.status, OLD.assignee, OLD.first_response_at, OLD.resolved_at, OLD.closed_at)
       AND NOT (pg_trigger_depth() >= 2 AND public.parkctl_is_owner(current_user)) THEN
        RAISE EXCEPTION 'a ticket''s status changes only through its timeline (ticket_event)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_status_from_events';
    END IF;
    IF (NEW.number, NEW.clock, NEW.opened_at, NEW.response_due_at, NEW.resolution_due_at, NEW.park_id)
           IS DISTINCT FROM (OLD.number, OLD.clock, OLD.opened_at, OLD.response_due_at, OLD.resolution_due_at, OLD.park_id) THEN
        RAISE EXCEPTION 'a ticket''s number, park, opening time and due times are fixed when it is opened'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_fixed_at_opening';
    END IF;
    RETURN NEW;
END $$;

-- Records an sla_breach event, once per ticket and target, for late tickets of the
-- caller's parks; `at` is capped at now() (a breach is a fact about the past).
CREATE OR REPLACE FUNCTION ticket_record_breaches(p_park bigint, at timestamptz DEFAULT now(), p_ticket bigint DEFAULT NULL)
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    mine bigint[] := public.parkctl_parks_of(session_user);
    ids bigint[];
    recorded int;
BEGIN
    at := least(coalesce(at, now()), now());
    -- Separate branches, so that each query plans for the index it can use.
    IF p_ticket IS NOT NULL THEN
        SELECT coalesce(array_agg(t.id), '{}') INTO ids FROM public.ticket t
        WHERE t.id = p_ticket AND (mine IS NULL OR t.park_id = ANY (mine));
    ELSIF p_park IS NOT NULL THEN
        SELECT coalesce(array_agg(t.id), '{}') INTO ids FROM public.ticket t
        WHERE t.park_id = p_park AND (mine IS NULL OR p_park = ANY (mine)) AND t.status IN ('open', 'assigned', 'in_progress');
    ELSE
        SELECT coalesce(array_agg(t.id), '{}') INTO ids FROM public.ticket t
        WHERE t.status IN ('open', 'assigned', 'in_progress') AND (mine IS NULL OR t.park_id = ANY (mine));
    END IF;
    -- The breaches already recorded are read once and hashed (a fresh timeline has no
    -- statistics yet, and a nested loop over it would be quadratic).
    WITH candidates AS (
        SELECT t.* FROM public.ticket t WHERE t.id = ANY (ids)
    ), known AS (
        SELECT e.ticket_id, e.note FROM public.ticket_event e WHERE e.kind = 'sla_breach' AND e.ticket_id = ANY (ids)
    ), late AS (
        SELECT c.park_id, c.id, 'response' AS target, c.response_due_at AS due FROM candidates c
        WHERE c.status <> 'cancelled' AND coalesce(c.first_response_at, at) > c.response_due_at AND c.response_due_at <= at
        UNION ALL
        SELECT c.park_id, c.id, 'resolution', c.resolution_due_at FROM candidates c
        WHERE c.status <> 'cancelled' AND coalesce(c.resolved_at, at) > c.resolution_due_at AND c.resolution_due_at <= at
    ), new AS (
        SELECT l.* FROM late l LEFT JOIN known k ON k.ticket_id = l.id AND k.note = l.target WHERE k.ticket_id IS NULL
    ), inserted AS (
        INSERT INTO public.ticket_event (park_id, ticket_id, at, actor, kind, note)
        SELECT n.park_id, n.id, n.due, 'parkctl', 'sla_breach', n.target FROM new n
        ON CONFLICT (ticket_id, note) WHERE kind = 'sla_breach' DO NOTHING
        RETURNING 1
    )
    SELECT count(*)::int INTO recorded FROM inserted;
    RETURN recorded;
END $$;

-- Only the owner's functions write breaches and creations.
CREATE POLICY breaches_by_the_database ON ticket_event AS RESTRICTIVE FOR INSERT
    WITH CHECK (kind NOT IN ('sla_breach', 'created') OR public.parkctl_is_owner(current_user));

-- ---------------------------------------------------------------------------------
-- Tenants of other parks: foreign keys ignore row-level security, so an insert that
-- names a tenant must name one the caller can see.

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['onboarding', 'lease', 'ticket'] LOOP
        EXECUTE format($p$CREATE POLICY tenant_visible_insert ON public.%I AS RESTRICTIVE FOR INSERT
            WITH CHECK (EXISTS (SELECT 1 FROM public.tenant tv WHERE tv.id = tenant_id))$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_visible_update ON public.%I AS RESTRICTIVE FOR UPDATE
            USING (true) WITH CHECK (EXISTS (SELECT 1 FROM public.tenant tv WHERE tv.id = tenant_id))$p$, t);
    END LOOP;
END $$;

-- A lease renews a lease of its own park: a foreign key to another park's lease
-- would block that lease's renewal and tell whether a lease id exists elsewhere.
ALTER TABLE lease DROP CONSTRAINT lease_renews_lease_id_fkey,
    ADD CONSTRAINT lease_renews_in_park FOREIGN KEY (park_id, renews_lease_id) REFERENCES lease (park_id, id);

-- An application to one of the caller's parks by a tenant already known elsewhere:
-- the caller proves they know it by its credit code AND its exact registered name,
-- and learns nothing else (a wrong name is refused without saying the right one).
-- Returns the new application's id, or NULL when no tenant has this credit code.
CREATE FUNCTION parkctl_apply_known_tenant(p_park bigint, p_credit_code text, p_name text, p_wanted_area numeric,
                                           p_wanted_kind text, p_applied_at timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    mine bigint[] := public.parkctl_parks_of(session_user);
    t public.tenant;
    application bigint;
BEGIN
    IF NOT (public.parkctl_is_owner(session_user) OR pg_catalog.pg_has_role(session_user, 'parkctl_leasing', 'MEMBER')
            OR pg_catalog.pg_has_role(session_user, 'parkctl_admin', 'MEMBER')) THEN
        RAISE EXCEPTION 'only leasing staff and admins record applications' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF mine IS NOT NULL AND NOT p_park = ANY (mine) THEN
        RAISE EXCEPTION 'park % is outside your parks', p_park USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO t FROM public.tenant WHERE credit_code = p_credit_code;
    IF NOT FOUND THEN RETURN NULL; END IF;
    IF t.name IS DISTINCT FROM p_name THEN
        RAISE EXCEPTION 'credit code % is registered under another company name', p_credit_code
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'tenant_registered_name';
    END IF;
    INSERT INTO public.onboarding (park_id, tenant_id, wanted_area_m2, wanted_kind, applied_at)
    VALUES (p_park, t.id, p_wanted_area, p_wanted_kind, coalesce(p_applied_at, now()))
    RETURNING id INTO application;
    RETURN application;
END $$;

-- ---------------------------------------------------------------------------------
-- Group-wide rows (service levels; holidays and hours without a park) are written
-- by staff of every park only.

ALTER TABLE service_level ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON service_level FOR SELECT USING (true);
CREATE POLICY group_wide_insert ON service_level FOR INSERT
    WITH CHECK ((SELECT public.parkctl_parks_of(current_user)) IS NULL);
CREATE POLICY group_wide_update ON service_level FOR UPDATE
    USING (true) WITH CHECK ((SELECT public.parkctl_parks_of(current_user)) IS NULL);
CREATE POLICY group_wide_delete ON service_level FOR DELETE
    USING ((SELECT public.parkctl_parks_of(current_user)) IS NULL);
-- 0008's policy lets everyone see the group-wide holidays and hours, and so delete
-- or update them: only staff of every park may.
CREATE POLICY group_wide_delete ON calendar_day AS RESTRICTIVE FOR DELETE
    USING (park_id IS NOT NULL OR (SELECT public.parkctl_parks_of(current_user)) IS NULL);
CREATE POLICY group_wide_delete ON work_hours AS RESTRICTIVE FOR DELETE
    USING (park_id IS NOT NULL OR (SELECT public.parkctl_parks_of(current_user)) IS NULL);
-- Nor move them into their park (and then delete them there).
CREATE POLICY group_wide_update ON calendar_day AS RESTRICTIVE FOR UPDATE
    USING (park_id IS NOT NULL OR (SELECT public.parkctl_parks_of(current_user)) IS NULL);
CREATE POLICY group_wide_update ON work_hours AS RESTRICTIVE FOR UPDATE
    USING (park_id IS NOT NULL OR (SELECT public.parkctl_parks_of(current_user)) IS NULL);

-- ---------------------------------------------------------------------------------
-- Staff management.

-- A scoped admin sees the staff whose parks lie within theirs (and themselves).
-- Not forced: the owner's definer functions read every row.
ALTER TABLE staff ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff_scope ON staff
    USING ((SELECT public.parkctl_parks_of(current_user)) IS NULL
           OR name = current_user
           OR (park_ids IS NOT NULL AND park_ids <@ (SELECT public.parkctl_parks_of(current_user))));

-- Whether a role is a plain staff login that these functions may change: no powers
-- of its own, a member of nothing but the parkctl groups, nobody's group, not the
-- owner, owner of nothing and grantee of nothing in any database. Read from
-- pg_catalog itself.
CREATE FUNCTION parkctl_is_plain_login(p_name text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT NOT (r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls)
       AND NOT public.parkctl_is_owner(r.rolname)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                       WHERE m.member = r.oid
                         AND g.rolname NOT IN ('parkctl_admin', 'parkctl_leasing', 'parkctl_service', 'parkctl_viewer'))
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m WHERE m.roleid = r.oid)
       -- Owns nothing, anywhere, and holds no privilege but CONNECT and TEMPORARY on
       -- this database: the group roles are the cluster's, so a login that is staff of
       -- another database too (a copy on the same server) is managed there, not here.
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_shdepend d
                       WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid
                         AND NOT (d.deptype = 'a' AND d.classid = 'pg_catalog.pg_database'::regclass
                                  AND d.objid = (SELECT db.oid FROM pg_catalog.pg_database db
                                                 WHERE db.datname = pg_catalog.current_database())))
    FROM pg_catalog.pg_roles r WHERE r.rolname = p_name
$$;

CREATE OR REPLACE FUNCTION parkctl_staff_add(p_name text, p_role text, p_parks bigint[], p_password text) RETURNS public.staff
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    mine bigint[] := public.parkctl_parks_of(session_user);
    previous public.staff;
    result public.staff;
BEGIN
    IF mine IS NOT NULL AND (p_parks IS NULL OR NOT p_parks <@ mine) THEN
        RAISE EXCEPTION 'you may only give staff the parks you have yourself' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_name !~ '^[a-z][a-z0-9_]{0,62}$' OR p_name LIKE 'pg\_%' OR p_name LIKE 'parkctl%' THEN
        RAISE EXCEPTION 'a staff name is 1-63 lower-case letters, digits or _, starting with a letter (not pg_… or parkctl…)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'staff_name_format';
    END IF;
    IF p_role IS NULL OR p_role NOT IN ('admin', 'leasing', 'service', 'viewer') THEN
        RAISE EXCEPTION 'a staff role is admin, leasing, service or viewer' USING ERRCODE = 'check_violation', CONSTRAINT = 'staff_role_valid';
    END IF;
    SELECT * INTO previous FROM public.staff s WHERE s.name = p_name;
    IF FOUND AND previous.revoked_at IS NULL THEN
        RAISE EXCEPTION 'staff % exists already', p_name USING ERRCODE = 'unique_violation', CONSTRAINT = 'staff_pkey';
    END IF;
    -- Reviving a revoked login gives back a name that may have held more parks: only
    -- someone whose own scope covers the scope it had may do so.
    IF previous.name IS NOT NULL AND mine IS NOT NULL AND (previous.park_ids IS NULL OR NOT previous.park_ids <@ mine) THEN
        RAISE EXCEPTION 'staff % was revoked with parks outside yours; only an admin of those parks may give the name back', p_name
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = p_name) THEN
        IF previous.name IS NULL THEN
            RAISE EXCEPTION 'a PostgreSQL role named % exists already and is not staff of this database', p_name
                USING ERRCODE = 'unique_violation', CONSTRAINT = 'staff_role_name_taken';
        END IF;
        IF NOT public.parkctl_is_plain_login(p_name) THEN
            RAISE EXCEPTION 'the PostgreSQL role % has powers of its own now (superuser, role or database creation, memberships); parkctl will not change it',
                p_name USING ERRCODE = 'insufficient_privilege';
        END IF;
        EXECUTE format('ALTER ROLE %I LOGIN', p_name);
    ELSE
        EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', p_name);
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
    -- Staff of this database, so they may connect to it (and to no other by default).
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), p_name);
    INSERT INTO public.staff (name, role, park_ids, created_by) VALUES (p_name, p_role, p_parks, public.parkctl_actor())
    ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role, park_ids = EXCLUDED.park_ids, created_at = now(),
        created_by = EXCLUDED.created_by, revoked_at = NULL, revoked_by = NULL
    RETURNING * INTO result;
    RETURN result;
END $$;

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

-- Database-level access: CONNECT and TEMPORARY for this database's staff only.
-- Database grants are not copied by CREATE DATABASE ... TEMPLATE, so `parkctl db
-- migrate` runs this again every time (it is idempotent).
CREATE FUNCTION parkctl_grant_database_access() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE s record;
BEGIN
    EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    FOR s IN SELECT st.name FROM public.staff st
             WHERE st.revoked_at IS NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = st.name) LOOP
        EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), s.name);
    END LOOP;
END $$;
SELECT parkctl_grant_database_access();

-- ---------------------------------------------------------------------------------
-- Free text refuses what would drive a terminal or disguise text: C0 controls but
-- the line breaks and tabs that multi-line text may hold, DEL, C1 controls, the
-- Unicode line and paragraph separators and the bidirectional marks, embeddings,
-- overrides and isolates (U+061C, U+200E, U+200F, U+2028-U+202E, U+2066-U+2069).

CREATE FUNCTION parkctl_is_plain_text(t text, multiline boolean DEFAULT false) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN multiline THEN t !~ '[\x01-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]'
                ELSE t !~ '[\x01-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]' END
$$;

-- Characters that free text may not hold, written as \u{1B} (rows older than the
-- rule may hold them; exports never send them raw to a terminal).
CREATE FUNCTION parkctl_escape_controls(t text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    out text := '';
    c text;
BEGIN
    FOREACH c IN ARRAY regexp_split_to_array(t, '') LOOP
        out := out || CASE WHEN public.parkctl_is_plain_text(c, true) THEN c ELSE '\u{' || upper(to_hex(ascii(c))) || '}' END;
    END LOOP;
    RETURN out;
END $$;

-- A text cell of a CSV export as a spreadsheet must see it: one that starts like a
-- formula (= + - @, tab, CR) gets a leading ' so that Excel or WPS shows it instead
-- of running it (=HYPERLINK(…), @SUM(…)|cmd). Import drops a leading ' that comes
-- before such a character or another ', so a value starting with ' and one of those
-- gets one more: every value reads back as it was.
CREATE FUNCTION parkctl_formula_guard(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t ~ '^([-=+@\t\r]|''[-=+@\t\r''])' THEN '''' || t ELSE t END
$$;

-- Both, for every text cell of an export. Plain SQL without FROM, so that it is
-- inlined: the escaping function runs only for the rare dirty value.
CREATE FUNCTION parkctl_csv_text(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t IS NULL OR public.parkctl_is_plain_text(t, true) THEN public.parkctl_formula_guard(t)
                ELSE public.parkctl_formula_guard(public.parkctl_escape_controls(t)) END
$$;

-- Rows written before this migration are checked too; a table whose old rows hold
-- such characters keeps its constraint NOT VALID (new rows are checked; old ones are
-- shown escaped) and the migration says which, instead of failing.
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT * FROM (VALUES
        ('park', 'name', false), ('park', 'address', false), ('building', 'name', false),
        ('unit', 'off_market_reason', false), ('tenant', 'name', false), ('tenant', 'contact', false),
        ('tenant', 'email', false), ('onboarding', 'override_reason', false), ('onboarding_step', 'reason', false),
        ('onboarding_step', 'actor', false), ('onboarding_check', 'note', false), ('onboarding_check', 'actor', false),
        ('lease', 'end_reason', false), ('ticket', 'title', false), ('ticket', 'description', true),
        ('ticket', 'reporter', false), ('ticket', 'assignee', false), ('ticket_event', 'note', true),
        ('ticket_event', 'actor', false), ('calendar_day', 'name', false), ('audit_log', 'actor', false),
        ('staff', 'created_by', false), ('staff', 'revoked_by', false)
    ) AS v(tab, col, multiline) LOOP
        EXECUTE format('ALTER TABLE public.%I ADD CONSTRAINT %I CHECK (public.parkctl_is_plain_text(%I, %L)) NOT VALID',
                       c.tab, c.tab || '_' || c.col || '_plain_text', c.col, c.multiline);
        BEGIN
            EXECUTE format('ALTER TABLE public.%I VALIDATE CONSTRAINT %I', c.tab, c.tab || '_' || c.col || '_plain_text');
        EXCEPTION WHEN check_violation THEN
            RAISE WARNING 'old rows of %.% hold control characters or bidirectional overrides: they are shown escaped, and a change to such a row must remove them',
                c.tab, c.col;
        END;
    END LOOP;
END $$;

-- Coded columns hold their codes only (they are shown, and exported, as they are).
ALTER TABLE onboarding_step
    ADD CONSTRAINT onboarding_step_stages_valid CHECK (
        to_stage IN ('applied', 'approved', 'rejected', 'lease_signed', 'fitting_out', 'moved_in', 'exiting', 'exited')
        AND (from_stage IS NULL OR from_stage IN ('applied', 'approved', 'rejected', 'lease_signed', 'fitting_out', 'moved_in',
                                                  'exiting', 'exited'))) NOT VALID;
ALTER TABLE ticket_event
    ADD CONSTRAINT ticket_event_statuses_valid CHECK (
        (from_status IS NULL OR from_status IN ('open', 'assigned', 'in_progress', 'resolved', 'closed', 'cancelled'))
        AND (to_status IS NULL OR to_status IN ('open', 'assigned', 'in_progress', 'resolved', 'closed', 'cancelled'))) NOT VALID;
ALTER TABLE service_level
    ADD CONSTRAINT service_level_category_valid CHECK (category IN
        ('repair', 'property', 'network', 'security', 'cleaning', 'policy', 'financing', 'other')) NOT VALID,
    ADD CONSTRAINT service_level_priority_valid CHECK (priority IN ('urgent', 'high', 'normal', 'low')) NOT VALID;
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT * FROM (VALUES ('onboarding_step', 'onboarding_step_stages_valid'), ('ticket_event', 'ticket_event_statuses_valid'),
                                   ('service_level', 'service_level_category_valid'), ('service_level', 'service_level_priority_valid'))
             AS v(tab, con) LOOP
        BEGIN
            EXECUTE format('ALTER TABLE public.%I VALIDATE CONSTRAINT %I', c.tab, c.con);
        EXCEPTION WHEN check_violation THEN
            RAISE WARNING 'old rows of % break %: new rows are checked', c.tab, c.con;
        END;
    END LOOP;
END $$;

-- A park's time zone is one PostgreSQL knows (every due time is computed in it).
CREATE FUNCTION park_time_zone_known() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM now() AT TIME ZONE NEW.time_zone;
    RETURN NEW;
EXCEPTION WHEN invalid_parameter_value THEN
    RAISE EXCEPTION 'time zone % is not known', NEW.time_zone
        USING ERRCODE = 'check_violation', CONSTRAINT = 'park_time_zone_known', TABLE = 'park', COLUMN = 'time_zone';
END $$;
CREATE TRIGGER park_time_zone_known BEFORE INSERT OR UPDATE OF time_zone ON park
    FOR EACH ROW EXECUTE FUNCTION park_time_zone_known();

-- ---------------------------------------------------------------------------------
-- Grants.

-- Leases: the recorded-truth period and the signing time are the database's (the
-- history of what was recorded when cannot be forged); a lease keeps its number,
-- park and tenant.
REVOKE INSERT, UPDATE ON lease, lease_unit FROM parkctl_leasing, parkctl_admin;
GRANT INSERT (number, park_id, tenant_id, term, terminated_on, rent, property_fee, free_window, fit_out_window, deposit,
              escalation_pct, cycle, status, renews_lease_id, end_reason) ON lease TO parkctl_leasing, parkctl_admin;
GRANT UPDATE (term, terminated_on, rent, property_fee, free_window, fit_out_window, deposit, escalation_pct, cycle, status,
              renews_lease_id, end_reason) ON lease TO parkctl_leasing, parkctl_admin;
GRANT INSERT (park_id, lease_id, unit_id, during, cancelled) ON lease_unit TO parkctl_leasing, parkctl_admin;
GRANT UPDATE (during, cancelled) ON lease_unit TO parkctl_leasing, parkctl_admin;

-- Tickets: what staff give when they open one; the rest is the database's. UPDATE
-- on the text columns lets the service desk lock a ticket (SELECT ... FOR UPDATE).
REVOKE INSERT, UPDATE, DELETE ON ticket FROM parkctl_service, parkctl_admin;
GRANT INSERT (park_id, tenant_id, unit_id, category, priority, title, description, reporter, opened_at) ON ticket
    TO parkctl_service, parkctl_admin;
GRANT UPDATE (title, description) ON ticket TO parkctl_service, parkctl_admin;

-- Sequences: identity columns need no grant; lease numbers are drawn by the staff who
-- sign and import leases; ticket numbers by the database.
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
GRANT USAGE ON SEQUENCE lease_number_seq TO parkctl_admin, parkctl_leasing;

-- Functions: PUBLIC executes none of parkctl's (btree_gist's own are left as the
-- extension made them); staff execute those their work calls, and no trigger
-- function: EXECUTE is checked when a trigger is created, so a login that could
-- execute one could fire it, with the owner's rights, on a table of its own.
DO $$
DECLARE f record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS sig, p.prorettype = 'pg_catalog.trigger'::regtype AS is_trigger
             FROM pg_catalog.pg_proc p
             WHERE p.pronamespace = 'public'::regnamespace
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                               WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f.sig);
        IF NOT f.is_trigger THEN
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer', f.sig);
        END IF;
    END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION parkctl_staff_add(text, text, bigint[], text), parkctl_staff_revoke(text)
    FROM parkctl_leasing, parkctl_service, parkctl_viewer;
REVOKE EXECUTE ON FUNCTION parkctl_apply_known_tenant(bigint, text, text, numeric, text, timestamptz)
    FROM parkctl_service, parkctl_viewer;
REVOKE EXECUTE ON FUNCTION parkctl_grant_database_access(), parkctl_is_plain_login(text)
    FROM parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
-- Functions that later migrations create are not executable by PUBLIC either.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
