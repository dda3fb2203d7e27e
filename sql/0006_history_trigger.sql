-- 0006: one history trigger for every system-versioned table (lease, lease_unit)
-- instead of a copy per table: the version a change replaces goes to
-- <table>_history with the period during which it was the recorded truth.
CREATE FUNCTION keep_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A version made earlier in this same transaction was never seen: keep none.
    IF lower(OLD.sys_period) < now() THEN
        OLD.sys_period := tstzrange(lower(OLD.sys_period), now());
        EXECUTE format('INSERT INTO %I SELECT ($1).*', TG_TABLE_NAME || '_history') USING OLD;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.sys_period := tstzrange(now(), NULL);
        RETURN NEW;
    END IF;
    RETURN OLD;
END $$;

DROP TRIGGER lease_keep_history ON lease;
DROP TRIGGER lease_unit_keep_history ON lease_unit;
DROP FUNCTION lease_keep_history();
DROP FUNCTION lease_unit_keep_history();
CREATE TRIGGER lease_keep_history BEFORE UPDATE OR DELETE ON lease FOR EACH ROW EXECUTE FUNCTION keep_history();
CREATE TRIGGER lease_unit_keep_history BEFORE UPDATE OR DELETE ON lease_unit FOR EACH ROW EXECUTE FUNCTION keep_history();
