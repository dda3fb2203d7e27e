-- 0026: utility meters and their readings (水电抄表), the first part of the utility
-- billing of issue 18.
--
-- A meter is a park's: water, electricity, gas or heat; a tenant's sub-meter measures
-- one unit, a public meter (公共表) none; a master meter (总表) is the parent of the
-- meters under it. A reading is a meter's register on a day. What a meter used between
-- two readings is the difference of their registers times the multiplier (倍率, 80 for a
-- meter behind an 400/5 current transformer) in force over those days, which each
-- reading keeps: a replacement may change it, and the past stays as it was.
--
-- A register never goes back. A reading lower than the one before is refused unless it
-- is a rollover (the register passed its last value and started again from 0: the
-- meter says at which value it rolls over) or a replacement (the old meter was taken
-- away with a final reading, and `value` is the new meter's first: the days before use
-- the old meter's final reading and multiplier). The database holds that rule, meter
-- by meter under the meter's row lock, whoever writes.

CREATE TABLE meter (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id       bigint NOT NULL REFERENCES park,
    code          text NOT NULL CONSTRAINT meter_code_format CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$'),
    kind          text NOT NULL CONSTRAINT meter_kind_valid CHECK (kind IN ('water', 'electricity', 'gas', 'heat')),
    multiplier    numeric(10,2) NOT NULL DEFAULT 1 CONSTRAINT meter_multiplier_positive CHECK (multiplier > 0),
    -- The unit a tenant's sub-meter measures; NULL for a public or master meter.
    unit_id       bigint,
    -- The master meter above it.
    parent_id     bigint,
    -- The register's modulus: after 99999.9 a 100000 meter shows 0 again. NULL: it never rolls over.
    rolls_over_at numeric(14,2) CONSTRAINT meter_rolls_over_positive CHECK (rolls_over_at > 0),
    installed_on  date NOT NULL,
    removed_on    date,
    note          text CONSTRAINT meter_note_length CHECK (note IS NULL OR length(note) BETWEEN 1 AND 500)
                  CONSTRAINT meter_note_plain_text CHECK (public.parkctl_is_plain_text(note)),
    actor         text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT meter_code_key UNIQUE (park_id, code),
    CONSTRAINT meter_park_id_key UNIQUE (park_id, id),
    FOREIGN KEY (park_id, unit_id) REFERENCES unit (park_id, id),
    CONSTRAINT meter_parent_in_park FOREIGN KEY (park_id, parent_id) REFERENCES meter (park_id, id),
    CONSTRAINT meter_removed_after_installed CHECK (removed_on IS NULL OR removed_on >= installed_on)
);
CREATE INDEX meter_parent_idx ON meter (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX meter_unit_idx ON meter (unit_id) WHERE unit_id IS NOT NULL;

-- A master meter is a meter of the same kind with no parent of its own and no unit:
-- the tree is two levels deep, as a park's wiring is drawn.
CREATE FUNCTION meter_parent_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    parent public.meter;
BEGIN
    IF NEW.parent_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT * INTO parent FROM public.meter m WHERE m.id = NEW.parent_id;
    IF parent.id = NEW.id OR parent.kind <> NEW.kind OR parent.parent_id IS NOT NULL OR parent.unit_id IS NOT NULL THEN
        RAISE EXCEPTION 'meter % cannot be under meter %: a master meter measures the same kind (%), has no master of its own and measures no unit',
                        NEW.code, parent.code, NEW.kind
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_parent_is_master', TABLE = 'meter';
    END IF;
    IF EXISTS (SELECT 1 FROM public.meter m WHERE m.parent_id = NEW.id) AND NEW.parent_id IS NOT NULL THEN
        RAISE EXCEPTION 'meter % has meters under it: a master meter has no master of its own', NEW.code
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_parent_is_master', TABLE = 'meter';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION meter_parent_check() FROM PUBLIC;
CREATE TRIGGER meter_parent_check BEFORE INSERT OR UPDATE OF parent_id, kind, unit_id ON meter
    FOR EACH ROW EXECUTE FUNCTION meter_parent_check();

CREATE TABLE meter_reading (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id        bigint NOT NULL,
    meter_id       bigint NOT NULL,
    read_on        date NOT NULL,
    value          numeric(14,2) NOT NULL CONSTRAINT meter_reading_value_not_negative CHECK (value >= 0),
    kind           text NOT NULL DEFAULT 'regular'
                   CONSTRAINT meter_reading_kind_valid CHECK (kind IN ('regular', 'rollover', 'replacement')),
    -- The multiplier over the days up to this reading (the meter's, when it was read).
    multiplier     numeric(10,2) NOT NULL CONSTRAINT meter_reading_multiplier_positive CHECK (multiplier > 0),
    -- A replacement: the old meter's last register.
    replaced_final numeric(14,2) CONSTRAINT meter_reading_final_not_negative CHECK (replaced_final >= 0),
    read_by        text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT meter_reading_once_a_day UNIQUE (meter_id, read_on),
    CONSTRAINT meter_reading_park_id_key UNIQUE (park_id, id),
    CONSTRAINT meter_reading_of_park_meter FOREIGN KEY (park_id, meter_id) REFERENCES meter (park_id, id),
    CONSTRAINT meter_reading_final_of_replacement CHECK ((kind = 'replacement') = (replaced_final IS NOT NULL))
);

-- The rules of a reading, against the readings before and after it on its meter. Two
-- readings of one meter written at once are checked one after the other: the check
-- takes a transaction lock on the meter (an advisory one, keyed (26, meter): a meter
-- reader may not update the meter's row, which a row lock would need).
CREATE FUNCTION meter_reading_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    m public.meter;
    prev public.meter_reading;
    next public.meter_reading;
BEGIN
    PERFORM pg_advisory_xact_lock(26, NEW.meter_id::int);
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
REVOKE ALL ON FUNCTION meter_reading_check() FROM PUBLIC;
CREATE TRIGGER meter_reading_check BEFORE INSERT OR UPDATE ON meter_reading
    FOR EACH ROW EXECUTE FUNCTION meter_reading_check();

-- What each reading says a meter used since the reading before it (the first reading
-- of a meter, its register when installed, has none): the register's difference, across
-- a rollover or up to a replaced meter's final register, times the multiplier.
CREATE VIEW meter_usage WITH (security_barrier, security_invoker) AS
SELECT r.park_id, r.meter_id, r.id AS reading_id, p.read_on AS from_day, r.read_on AS to_day,
       (CASE r.kind WHEN 'regular' THEN r.value - p.value
                    WHEN 'rollover' THEN r.value + m.rolls_over_at - p.value
                    WHEN 'replacement' THEN r.replaced_final - p.value END) * r.multiplier AS used
FROM public.meter_reading r
JOIN public.meter m ON m.id = r.meter_id
JOIN LATERAL (SELECT x.read_on, x.value FROM public.meter_reading x
              WHERE x.meter_id = r.meter_id AND x.read_on < r.read_on ORDER BY x.read_on DESC LIMIT 1) p ON true;
REVOKE ALL ON meter_usage FROM PUBLIC;
GRANT SELECT ON meter_usage TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

SELECT parkctl_register_park_table('meter', writers => ARRAY['parkctl_admin']);
-- Meter readers are service staff; a mistyped reading is corrected (until a billing
-- period that uses it is confirmed: the next part).
SELECT parkctl_register_park_table('meter_reading', writers => ARRAY['parkctl_admin', 'parkctl_service']);
