-- 0004: tenant service tickets with service levels on a working-day calendar.

-- Working hours: a park's own rows, else the group's defaults (park_id NULL).
CREATE TABLE work_hours (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id  bigint REFERENCES park,
    isodow   int NOT NULL CONSTRAINT work_hours_isodow_range CHECK (isodow BETWEEN 1 AND 7),
    starts   time NOT NULL,
    ends     time NOT NULL,
    CONSTRAINT work_hours_order CHECK (starts < ends)
);
INSERT INTO work_hours (park_id, isodow, starts, ends)
SELECT NULL, d, s, e FROM generate_series(1, 5) d,
     (VALUES (time '08:30', time '12:00'), (time '13:30', time '18:00')) AS h(s, e);

-- Public holidays and make-up working days (调休): for every park (park_id NULL) or one.
CREATE TABLE calendar_day (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id  bigint REFERENCES park,
    day      date NOT NULL,
    kind     text NOT NULL CONSTRAINT calendar_day_kind_valid CHECK (kind IN ('holiday', 'workday')),
    name     text CONSTRAINT calendar_day_name_length CHECK (length(name) <= 100)
);
CREATE UNIQUE INDEX calendar_day_once ON calendar_day (coalesce(park_id, 0), day);

CREATE FUNCTION park_work_hours(p_park bigint)
RETURNS TABLE (isodow int, starts time, ends time) LANGUAGE sql STABLE AS $$
    SELECT h.isodow, h.starts, h.ends FROM work_hours h
    WHERE h.park_id IS NOT DISTINCT FROM
          (SELECT CASE WHEN EXISTS (SELECT 1 FROM work_hours w WHERE w.park_id = p_park) THEN p_park END)
$$;

-- The working hours of one local day of a park: none on a holiday, Monday's on a
-- make-up working day, else the weekday's.
CREATE FUNCTION park_day_hours(p_park bigint, d date)
RETURNS TABLE (starts time, ends time) LANGUAGE sql STABLE AS $$
    WITH kind AS (
        SELECT c.kind FROM calendar_day c WHERE c.day = d AND (c.park_id = p_park OR c.park_id IS NULL)
        ORDER BY c.park_id NULLS LAST LIMIT 1
    )
    SELECT h.starts, h.ends FROM park_work_hours(p_park) h
    WHERE NOT EXISTS (SELECT 1 FROM kind WHERE kind = 'holiday')
      AND h.isodow = CASE WHEN EXISTS (SELECT 1 FROM kind WHERE kind = 'workday') THEN 1 ELSE extract(isodow FROM d)::int END
    ORDER BY h.starts
$$;

-- One working day of a park, in minutes (8 h with the default hours).
CREATE FUNCTION park_working_day_minutes(p_park bigint) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(extract(epoch FROM ends - starts) / 60), 480) FROM park_work_hours(p_park) WHERE isodow = 1
$$;

-- The instant that lies `p_minutes` working minutes after `p_start` on the park's calendar.
CREATE FUNCTION working_time_add(p_park bigint, p_start timestamptz, p_minutes numeric) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
    tz text;
    local_start timestamp;
    d date;
    remaining numeric := p_minutes;
    iv record;
    s timestamp;
    e timestamp;
    avail numeric;
BEGIN
    SELECT time_zone INTO tz FROM park WHERE id = p_park;
    local_start := p_start AT TIME ZONE tz;
    d := local_start::date;
    IF remaining <= 0 THEN RETURN p_start; END IF;
    FOR i IN 0..3660 LOOP
        FOR iv IN SELECT * FROM park_day_hours(p_park, d) LOOP
            s := greatest(d + iv.starts, local_start);
            e := d + iv.ends;
            IF e > s THEN
                avail := extract(epoch FROM e - s) / 60;
                IF avail >= remaining THEN
                    RETURN (s + remaining * interval '1 minute') AT TIME ZONE tz;
                END IF;
                remaining := remaining - avail;
            END IF;
        END LOOP;
        d := d + 1;
    END LOOP;
    RAISE EXCEPTION 'park % has no working time in the ten years after %', p_park, p_start;
END $$;

-- Working minutes between two instants on the park's calendar (0 if b <= a).
CREATE FUNCTION working_minutes_between(p_park bigint, a timestamptz, b timestamptz) RETURNS numeric
LANGUAGE plpgsql STABLE AS $$
DECLARE
    tz text;
    la timestamp;
    lb timestamp;
    d date;
    total numeric := 0;
    iv record;
BEGIN
    IF b <= a THEN RETURN 0; END IF;
    SELECT time_zone INTO tz FROM park WHERE id = p_park;
    la := a AT TIME ZONE tz;
    lb := b AT TIME ZONE tz;
    d := la::date;
    WHILE d <= lb::date LOOP
        FOR iv IN SELECT * FROM park_day_hours(p_park, d) LOOP
            total := total + greatest(0, extract(epoch FROM least(d + iv.ends, lb) - greatest(d + iv.starts, la)) / 60);
        END LOOP;
        d := d + 1;
    END LOOP;
    RETURN total;
END $$;

-- Targets per category and priority: a number and a unit (m, h working minutes or
-- hours; d working days), on working time or round the clock.
CREATE TABLE service_level (
    category          text NOT NULL,
    priority          text NOT NULL,
    response_value    numeric(8,2) NOT NULL CONSTRAINT service_level_response_positive CHECK (response_value > 0),
    response_unit     text NOT NULL CONSTRAINT service_level_response_unit CHECK (response_unit IN ('m', 'h', 'd')),
    resolution_value  numeric(8,2) NOT NULL CONSTRAINT service_level_resolution_positive CHECK (resolution_value > 0),
    resolution_unit   text NOT NULL CONSTRAINT service_level_resolution_unit CHECK (resolution_unit IN ('m', 'h', 'd')),
    clock             text NOT NULL DEFAULT 'working' CONSTRAINT service_level_clock CHECK (clock IN ('working', '24x7')),
    PRIMARY KEY (category, priority)
);

CREATE TABLE ticket (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number             text NOT NULL CONSTRAINT ticket_number_key UNIQUE,
    park_id            bigint NOT NULL REFERENCES park,
    tenant_id          bigint NOT NULL REFERENCES tenant,
    unit_id            bigint,
    category           text NOT NULL CONSTRAINT ticket_category_valid CHECK (category IN
                       ('repair', 'property', 'network', 'security', 'cleaning', 'policy', 'financing', 'other')),
    priority           text NOT NULL CONSTRAINT ticket_priority_valid CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
    title              text NOT NULL CONSTRAINT ticket_title_length CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    description        text CONSTRAINT ticket_description_length CHECK (length(description) <= 10000),
    reporter           text,
    assignee           text,
    status             text NOT NULL DEFAULT 'open' CONSTRAINT ticket_status_valid CHECK (status IN
                       ('open', 'assigned', 'in_progress', 'resolved', 'closed', 'cancelled')),
    clock              text NOT NULL DEFAULT 'working',
    opened_at          timestamptz NOT NULL,
    first_response_at  timestamptz,
    resolved_at        timestamptz,
    closed_at          timestamptz,
    response_due_at    timestamptz NOT NULL,
    resolution_due_at  timestamptz NOT NULL,
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, unit_id) REFERENCES unit (park_id, id)
);
CREATE INDEX ticket_park_status_idx ON ticket (park_id, status);
CREATE INDEX ticket_tenant_idx ON ticket (tenant_id);
CREATE INDEX ticket_opened_idx ON ticket (park_id, opened_at);
CREATE SEQUENCE ticket_number_seq;

CREATE TABLE ticket_transition (
    from_status  text NOT NULL,
    to_status    text NOT NULL,
    PRIMARY KEY (from_status, to_status)
);
INSERT INTO ticket_transition VALUES
    ('open', 'assigned'), ('open', 'in_progress'), ('open', 'cancelled'),
    ('assigned', 'in_progress'), ('assigned', 'resolved'), ('assigned', 'cancelled'),
    ('in_progress', 'resolved'), ('in_progress', 'cancelled'),
    ('resolved', 'closed'), ('resolved', 'in_progress'),
    ('closed', 'in_progress');

-- The timeline: append-only. A ticket's status is the result of its events: the
-- event trigger moves the ticket, and nothing else may.
CREATE TABLE ticket_event (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id      bigint NOT NULL,
    ticket_id    bigint NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,
    kind         text NOT NULL CONSTRAINT ticket_event_kind_valid CHECK (kind IN
                 ('created', 'assigned', 'comment', 'status', 'sla_breach')),
    from_status  text,
    to_status    text,
    note         text CONSTRAINT ticket_event_note_length CHECK (length(note) <= 10000),
    FOREIGN KEY (park_id, ticket_id) REFERENCES ticket (park_id, id)
);
CREATE INDEX ticket_event_ticket_idx ON ticket_event (ticket_id, id);
CREATE UNIQUE INDEX ticket_event_one_breach ON ticket_event (ticket_id, note) WHERE kind = 'sla_breach';

CREATE FUNCTION ticket_event_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE t ticket;
BEGIN
    SELECT * INTO t FROM ticket WHERE id = NEW.ticket_id FOR UPDATE;
    IF NEW.kind = 'status' THEN
        IF NEW.from_status IS DISTINCT FROM t.status THEN
            RAISE EXCEPTION 'ticket % is %, not %', t.number, t.status, NEW.from_status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_event_from_current';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM ticket_transition WHERE from_status = t.status AND to_status = NEW.to_status) THEN
            RAISE EXCEPTION 'ticket % cannot move from % to %', t.number, t.status, NEW.to_status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_transition_allowed';
        END IF;
        UPDATE ticket SET status = NEW.to_status,
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
        UPDATE ticket SET assignee = NEW.note,
               status = CASE WHEN t.status = 'open' THEN 'assigned' ELSE t.status END,
               first_response_at = coalesce(first_response_at, NEW.at)
        WHERE id = t.id;
        IF t.status = 'open' THEN
            NEW.from_status := 'open';
            NEW.to_status := 'assigned';
        END IF;
    ELSIF NEW.kind = 'comment' THEN
        UPDATE ticket SET first_response_at = coalesce(first_response_at, NEW.at) WHERE id = t.id AND NEW.actor <> coalesce(t.reporter, '');
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ticket_event_apply BEFORE INSERT ON ticket_event FOR EACH ROW EXECUTE FUNCTION ticket_event_apply();

CREATE FUNCTION ticket_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ticket timeline is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER ticket_event_append_only BEFORE UPDATE OR DELETE ON ticket_event
    FOR EACH ROW EXECUTE FUNCTION ticket_event_append_only();

CREATE FUNCTION ticket_status_from_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'a ticket''s status changes only through its timeline (ticket_event)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_status_from_events';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ticket_status_from_events BEFORE UPDATE ON ticket FOR EACH ROW EXECUTE FUNCTION ticket_status_from_events();

-- Records an sla_breach event, once per ticket and target, for tickets whose
-- response or resolution is late by `at`; returns how many were recorded. Without
-- p_ticket it looks at the unfinished tickets of a park (or of all parks), which a
-- partial index finds; a finished ticket had its check when it last moved (p_ticket).
CREATE INDEX ticket_unfinished_idx ON ticket (park_id) WHERE status IN ('open', 'assigned', 'in_progress');

CREATE FUNCTION ticket_record_breaches(p_park bigint, at timestamptz DEFAULT now(), p_ticket bigint DEFAULT NULL) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    recorded int;
BEGIN
    -- Separate branches, so that each query plans for the index it can use.
    IF p_ticket IS NOT NULL THEN
        ids := ARRAY[p_ticket];
    ELSIF p_park IS NOT NULL THEN
        SELECT coalesce(array_agg(id), '{}') INTO ids FROM ticket
        WHERE park_id = p_park AND status IN ('open', 'assigned', 'in_progress');
    ELSE
        SELECT coalesce(array_agg(id), '{}') INTO ids FROM ticket WHERE status IN ('open', 'assigned', 'in_progress');
    END IF;
    -- The breaches already recorded are read once and hashed (a fresh timeline has no
    -- statistics yet, and a nested loop over it would be quadratic).
    WITH candidates AS (
        SELECT t.* FROM ticket t WHERE t.id = ANY(ids)
    ), known AS (
        SELECT e.ticket_id, e.note FROM ticket_event e WHERE e.kind = 'sla_breach' AND e.ticket_id = ANY(ids)
    ), late AS (
        SELECT c.park_id, c.id, 'response' AS target, c.response_due_at AS due FROM candidates c
        WHERE c.status <> 'cancelled' AND coalesce(c.first_response_at, at) > c.response_due_at AND c.response_due_at <= at
        UNION ALL
        SELECT c.park_id, c.id, 'resolution', c.resolution_due_at FROM candidates c
        WHERE c.status <> 'cancelled' AND coalesce(c.resolved_at, at) > c.resolution_due_at AND c.resolution_due_at <= at
    ), new AS (
        SELECT l.* FROM late l LEFT JOIN known k ON k.ticket_id = l.id AND k.note = l.target WHERE k.ticket_id IS NULL
    ), inserted AS (
        INSERT INTO ticket_event (park_id, ticket_id, at, actor, kind, note)
        SELECT park_id, id, due, 'parkctl', 'sla_breach', target FROM new
        ON CONFLICT (ticket_id, note) WHERE kind = 'sla_breach' DO NOTHING
        RETURNING 1
    )
    SELECT count(*)::int INTO recorded FROM inserted;
    RETURN recorded;
END $$;

INSERT INTO service_level (category, priority, response_value, response_unit, resolution_value, resolution_unit)
SELECT c, p.priority, p.rv, p.ru, p.sv, p.su
FROM unnest(ARRAY['repair', 'property', 'network', 'security', 'cleaning', 'policy', 'financing', 'other']) c,
     (VALUES ('urgent', 0.5, 'h', 4, 'h'), ('high', 2, 'h', 1, 'd'), ('normal', 4, 'h', 3, 'd'), ('low', 1, 'd', 5, 'd'))
         AS p(priority, rv, ru, sv, su);

CREATE TRIGGER ticket_audit AFTER INSERT OR UPDATE OR DELETE ON ticket FOR EACH ROW EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER calendar_day_audit AFTER INSERT OR UPDATE OR DELETE ON calendar_day FOR EACH ROW EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER service_level_audit AFTER INSERT OR UPDATE OR DELETE ON service_level FOR EACH ROW EXECUTE FUNCTION audit_row_change();

-- Tables keyed by something other than an id (service_level) get a readable key.
CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_j jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_j jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    j     jsonb := coalesce(new_j, old_j);
BEGIN
    INSERT INTO audit_log (actor, table_name, row_key, label, action, park_id, old_row, new_row)
    VALUES (coalesce(nullif(current_setting('parkctl.actor', true), ''), session_user),
            TG_TABLE_NAME,
            coalesce(j->>'id', j->>'onboarding_id' || '/' || (j->>'item'), j->>'lease_id' || '/' || (j->>'unit_id'),
                     j->>'category' || '/' || (j->>'priority'), md5(j::text)),
            coalesce(j->>'number', j->>'credit_code', j->>'code', j->>'item', j->>'to_stage', j->>'stage',
                     j->>'day', j->>'category' || '/' || (j->>'priority')),
            lower(TG_OP),
            CASE WHEN TG_TABLE_NAME = 'park' THEN (j->>'id')::bigint ELSE (j->>'park_id')::bigint END,
            old_j, new_j);
    RETURN NULL;
END $$;
