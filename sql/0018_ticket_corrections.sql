-- 0018: correcting a ticket's timeline (`ticket correct`, issue 14), which stays
-- append-only: a wrong event is corrected by an appended `correction` event that
-- names it and gives its right time or note, with a reason; and a comment or an
-- assignment forgotten at the time may still be recorded in its place in time.
-- The ticket's first response, resolution and closing times and its assignee are
-- those of the timeline as corrected. A breach recorded before a correction stays
-- in the timeline as what was seen then; the breach flags follow the corrected times.

ALTER TABLE ticket_event
    ADD COLUMN corrects bigint REFERENCES ticket_event (id),
    ADD COLUMN corrected_at timestamptz,
    ADD COLUMN corrected_note text CONSTRAINT ticket_event_corrected_note_length CHECK (length(corrected_note) BETWEEN 1 AND 10000)
        CONSTRAINT ticket_event_corrected_note_plain_text CHECK (public.parkctl_is_plain_text(corrected_note, true));
ALTER TABLE ticket_event DROP CONSTRAINT ticket_event_kind_valid;
ALTER TABLE ticket_event ADD CONSTRAINT ticket_event_kind_valid CHECK (kind IN
    ('created', 'assigned', 'comment', 'status', 'sla_breach', 'correction'));
ALTER TABLE ticket_event ADD CONSTRAINT ticket_event_correction_complete CHECK (
    kind <> 'correction' OR (corrects IS NOT NULL AND (corrected_at IS NOT NULL OR corrected_note IS NOT NULL)
                             AND length(btrim(note)) BETWEEN 1 AND 10000));
CREATE INDEX ticket_event_corrects_idx ON ticket_event (corrects) WHERE corrects IS NOT NULL;

-- A ticket's events as corrected: each event (not the corrections and breaches
-- themselves) with the latest corrected time and note given for it.
CREATE FUNCTION ticket_events_as_corrected(p_ticket bigint)
RETURNS TABLE (id bigint, kind text, to_status text, actor text, at timestamptz, note text)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT e.id, e.kind, e.to_status, e.actor,
           coalesce((SELECT c.corrected_at FROM public.ticket_event c WHERE c.corrects = e.id AND c.corrected_at IS NOT NULL
                     ORDER BY c.id DESC LIMIT 1), e.at),
           coalesce((SELECT c.corrected_note FROM public.ticket_event c WHERE c.corrects = e.id AND c.corrected_note IS NOT NULL
                     ORDER BY c.id DESC LIMIT 1), e.note)
    FROM public.ticket_event e
    WHERE e.ticket_id = p_ticket AND e.kind NOT IN ('correction', 'sla_breach')
$$;
REVOKE ALL ON FUNCTION ticket_events_as_corrected(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ticket_events_as_corrected(bigint) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

-- Checks a correction (called by ticket_event_apply, as the owner, for the caller's
-- park): it names an assignment, comment or status event of the same ticket; a
-- corrected time lies after the opening, not in the future, and for a status event
-- between the status events before and after it (the order of statuses stays).
CREATE FUNCTION ticket_correction_check(c public.ticket_event) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    target record;
    t public.ticket;
    before_at timestamptz;
    after_at timestamptz;
BEGIN
    SELECT * INTO t FROM public.ticket WHERE id = c.ticket_id AND park_id = c.park_id;
    SELECT e.* INTO target FROM public.ticket_events_as_corrected(c.ticket_id) e WHERE e.id = c.corrects;
    IF NOT FOUND OR target.kind NOT IN ('assigned', 'comment', 'status') THEN
        RAISE EXCEPTION 'a correction names an assignment, comment or status event of the same ticket'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_event_correctable';
    END IF;
    IF c.corrected_at IS NULL THEN
        RETURN;
    END IF;
    IF c.corrected_at > now() + interval '1 minute' THEN
        RAISE EXCEPTION 'the time % lies in the future', c.corrected_at
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_event_not_in_future';
    END IF;
    IF c.corrected_at < t.opened_at THEN
        RAISE EXCEPTION 'the time % is before the ticket was opened (%)', c.corrected_at, t.opened_at
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_event_after_opening';
    END IF;
    IF target.kind = 'status' THEN
        SELECT max(e.at) INTO before_at FROM public.ticket_events_as_corrected(c.ticket_id) e
        WHERE e.kind = 'status' AND (e.at, e.id) < (target.at, target.id);
        SELECT min(e.at) INTO after_at FROM public.ticket_events_as_corrected(c.ticket_id) e
        WHERE e.kind = 'status' AND (e.at, e.id) > (target.at, target.id);
        IF c.corrected_at < before_at OR c.corrected_at > after_at THEN
            RAISE EXCEPTION 'the time % would put this status change out of order: it lies between % and %',
                c.corrected_at, coalesce(before_at, t.opened_at), coalesce(after_at, now())
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_correction_in_order';
        END IF;
    END IF;
END $$;
REVOKE ALL ON FUNCTION ticket_correction_check(public.ticket_event) FROM PUBLIC;

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
    IF NEW.kind = 'correction' THEN
        -- Recorded now; what it changes is the event it names (see below and ticket_event_corrects).
        NEW.at := now();
        NEW.from_status := NULL;
        NEW.to_status := NULL;
        PERFORM public.ticket_correction_check(NEW);
        RETURN NEW;
    END IF;
    NEW.corrects := NULL;
    NEW.corrected_at := NULL;
    NEW.corrected_note := NULL;
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
    -- A comment or an assignment forgotten at the time may be recorded in its place
    -- (after the opening): it changes no status, and ticket_event_corrects recomputes
    -- the first response and the assignee from the timeline.
    IF NEW.kind IN ('comment', 'assigned') AND NEW.at < now() AND NEW.at < t.opened_at THEN
        RAISE EXCEPTION 'the time % is before the ticket was opened (%)', NEW.at, t.opened_at
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ticket_event_after_opening';
    ELSIF NEW.kind NOT IN ('sla_breach', 'comment', 'assigned') OR NEW.at >= now() THEN
        SELECT max(e.at) INTO last_at FROM public.ticket_event e
        WHERE e.ticket_id = NEW.ticket_id AND e.kind NOT IN ('sla_breach', 'correction');
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

-- After a correction, or a comment or assignment (which may have been recorded in
-- its place in time): the ticket's times and assignee as the corrected timeline says.
CREATE FUNCTION ticket_event_corrects() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    t public.ticket;
BEGIN
    IF TG_TABLE_SCHEMA <> 'public' OR TG_TABLE_NAME <> 'ticket_event' THEN
        RAISE EXCEPTION 'parkctl''s triggers run on parkctl''s tables only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO t FROM public.ticket WHERE id = NEW.ticket_id FOR UPDATE;
    UPDATE public.ticket SET (first_response_at, resolved_at, closed_at, assignee) = (x.first_response_at, x.resolved_at, x.closed_at, x.assignee)
    FROM (SELECT
        (SELECT min(e.at) FROM public.ticket_events_as_corrected(t.id) e
         WHERE e.kind = 'assigned' OR (e.kind = 'status' AND e.to_status IN ('in_progress', 'resolved'))
            OR (e.kind = 'comment' AND e.actor <> coalesce(t.reporter, ''))) AS first_response_at,
        CASE WHEN t.status IN ('resolved', 'closed') THEN
            (SELECT e.at FROM public.ticket_events_as_corrected(t.id) e
             WHERE e.kind = 'status' AND e.to_status = 'resolved' ORDER BY e.at DESC, e.id DESC LIMIT 1) END AS resolved_at,
        CASE WHEN t.status IN ('closed', 'cancelled') THEN
            (SELECT e.at FROM public.ticket_events_as_corrected(t.id) e
             WHERE e.kind = 'status' AND e.to_status IN ('closed', 'cancelled') ORDER BY e.at DESC, e.id DESC LIMIT 1) END AS closed_at,
        (SELECT e.note FROM public.ticket_events_as_corrected(t.id) e
         WHERE e.kind = 'assigned' ORDER BY e.at DESC, e.id DESC LIMIT 1) AS assignee) x
    -- Only when the timeline says otherwise than the ticket (a plain comment changes nothing).
    WHERE id = t.id AND (public.ticket.first_response_at, public.ticket.resolved_at, public.ticket.closed_at, public.ticket.assignee)
                        IS DISTINCT FROM (x.first_response_at, x.resolved_at, x.closed_at, x.assignee);
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_event_corrects AFTER INSERT ON ticket_event FOR EACH ROW
    WHEN (NEW.kind IN ('correction', 'comment', 'assigned')) EXECUTE FUNCTION ticket_event_corrects();
