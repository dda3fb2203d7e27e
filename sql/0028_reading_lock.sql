-- 0028: readings are checked one statement at a time. 0026 took a transaction lock per
-- meter (an advisory one) in the check of each reading; an import of the readings of
-- 100,000 meters in one statement would need 100,000 of them, more than the server's
-- lock table holds. Instead each statement that writes readings first takes the
-- table's SHARE ROW EXCLUSIVE lock, once: two writers of readings (a meter reader at
-- the door, an import) run one after the other, and each reading's check, which reads
-- the committed readings anew (READ COMMITTED), sees what the one before wrote.

CREATE FUNCTION meter_reading_lock() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    LOCK TABLE public.meter_reading IN SHARE ROW EXCLUSIVE MODE;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION meter_reading_lock() FROM PUBLIC;
CREATE TRIGGER meter_reading_lock BEFORE INSERT OR UPDATE ON meter_reading
    FOR EACH STATEMENT EXECUTE FUNCTION meter_reading_lock();

-- The check of 0026 without its lock per meter.
CREATE OR REPLACE FUNCTION meter_reading_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    m public.meter;
    prev public.meter_reading;
    next public.meter_reading;
BEGIN
    SELECT * INTO m FROM public.meter WHERE id = NEW.meter_id;
    NEW.multiplier := coalesce(NEW.multiplier, m.multiplier);
    IF NEW.read_on < m.installed_on OR NEW.read_on > m.removed_on THEN
        RAISE EXCEPTION 'meter % is in service from %: a reading on % is outside its days', m.code,
                        m.installed_on || coalesce(' to ' || m.removed_on, ''), NEW.read_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_in_service', TABLE = 'meter_reading';
    END IF;
    SELECT * INTO prev FROM public.meter_reading r
    WHERE r.meter_id = NEW.meter_id AND r.read_on < NEW.read_on AND r.id IS DISTINCT FROM NEW.id ORDER BY r.read_on DESC LIMIT 1;
    SELECT * INTO next FROM public.meter_reading r
    WHERE r.meter_id = NEW.meter_id AND r.read_on > NEW.read_on AND r.id IS DISTINCT FROM NEW.id ORDER BY r.read_on LIMIT 1;
    IF prev.id IS NULL AND NEW.kind <> 'regular' THEN
        RAISE EXCEPTION 'the first reading of meter % is its register when installed, not a %', m.code, NEW.kind
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    IF NEW.kind = 'regular' AND NEW.value < prev.value THEN
        RAISE EXCEPTION 'meter % read % on %, below its % of %: a register never goes back (if it rolled over, or the meter was replaced, record it so: parkctl meter read --rollover, parkctl meter replace)',
                        m.code, NEW.value, NEW.read_on, prev.value, prev.read_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    IF NEW.kind = 'rollover' AND (m.rolls_over_at IS NULL OR NEW.value >= prev.value OR NEW.value >= m.rolls_over_at) THEN
        RAISE EXCEPTION 'meter % read % on % is no rollover: a rollover reads below the reading before (%), on a meter that rolls over (%)',
                        m.code, NEW.value, NEW.read_on, prev.value, coalesce('at ' || m.rolls_over_at, 'this one does not')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    IF NEW.kind = 'replacement' AND NEW.replaced_final < prev.value THEN
        RAISE EXCEPTION 'the old meter % ended at %, below its % of %: a register never goes back', m.code, NEW.replaced_final,
                        prev.value, prev.read_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    IF next.kind = 'regular' AND next.value < NEW.value THEN
        RAISE EXCEPTION 'meter % read % on %, above its later % of %: a register never goes back', m.code, NEW.value, NEW.read_on,
                        next.value, next.read_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    RETURN NEW;
END $$;
