-- 0002: the portfolio (parks, buildings, units), tenants, onboarding with its
-- checklist, and an audit trail written by the database itself.

-- 统一社会信用代码 (GB 32100-2015): 18 characters from 0-9 and the capitals
-- without I, O, S, V, Z; the 18th is a check character over the first 17.
CREATE FUNCTION credit_code_check_char(code text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
                  ((31 - sum((strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(code, i::int, 1)) - 1) * w) % 31) % 31 + 1)::int, 1)
    FROM unnest(ARRAY[1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]) WITH ORDINALITY AS t(w, i)
$$;

CREATE FUNCTION credit_code_is_valid(code text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT code ~ '^[0-9A-HJ-NP-RTUWXY]{18}$' AND substr(code, 18, 1) = credit_code_check_char(code)
$$;

CREATE TABLE park (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL CONSTRAINT park_code_key UNIQUE
                CONSTRAINT park_code_format CHECK (code ~ '^[A-Z][A-Z0-9]{0,9}$'),
    name        text NOT NULL CONSTRAINT park_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind        text NOT NULL CONSTRAINT park_kind_valid CHECK (kind IN ('software', 'ecommerce', 'factory', 'mixed')),
    industries  text[] NOT NULL DEFAULT '{}'
                CONSTRAINT park_industries_format CHECK (array_to_string(industries, ',') ~ '^([a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*)?$'),
    address     text CONSTRAINT park_address_length CHECK (length(address) <= 500),
    time_zone   text NOT NULL DEFAULT 'Asia/Shanghai',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE building (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id       bigint NOT NULL REFERENCES park,
    code          text NOT NULL CONSTRAINT building_code_format CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$'),
    name          text NOT NULL CONSTRAINT building_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    floors_above  int NOT NULL CONSTRAINT building_floors_above_range CHECK (floors_above BETWEEN 1 AND 200),
    floors_below  int NOT NULL DEFAULT 0 CONSTRAINT building_floors_below_range CHECK (floors_below BETWEEN 0 AND 10),
    delivered_on  date,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT building_code_key UNIQUE (park_id, code),
    UNIQUE (park_id, id)
);

CREATE TABLE unit (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id            bigint NOT NULL,
    building_id        bigint NOT NULL,
    code               text NOT NULL CONSTRAINT unit_code_format CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$'),
    floor              int NOT NULL,
    area_m2            numeric(12,2) NOT NULL CONSTRAINT unit_area_positive CHECK (area_m2 > 0),
    kind               text NOT NULL CONSTRAINT unit_kind_valid CHECK (kind IN
                       ('office', 'factory', 'live_room', 'selection_center', 'warehouse', 'showroom', 'retail', 'dormitory')),
    list_rent          numeric(12,2) NOT NULL CONSTRAINT unit_list_rent_not_negative CHECK (list_rent >= 0),
    off_market_reason  text CONSTRAINT unit_off_market_reason_text CHECK (length(btrim(off_market_reason)) BETWEEN 1 AND 500),
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT unit_code_key UNIQUE (building_id, code),
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, building_id) REFERENCES building (park_id, id)
);
CREATE INDEX unit_park_idx ON unit (park_id);

-- A unit's floor must exist in its building (floors below ground are negative).
CREATE FUNCTION unit_floor_in_building() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE b building;
BEGIN
    SELECT * INTO b FROM building WHERE id = NEW.building_id;
    IF NEW.floor = 0 OR NEW.floor > b.floors_above OR NEW.floor < -b.floors_below THEN
        RAISE EXCEPTION 'floor % is not in building % (floors -% to %, no floor 0)',
            NEW.floor, b.code, b.floors_below, b.floors_above
            USING ERRCODE = 'check_violation', CONSTRAINT = 'unit_floor_in_building', TABLE = 'unit', COLUMN = 'floor';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER unit_floor_in_building BEFORE INSERT OR UPDATE OF floor, building_id ON unit
    FOR EACH ROW EXECUTE FUNCTION unit_floor_in_building();

CREATE TABLE tenant (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CONSTRAINT tenant_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    credit_code  text NOT NULL CONSTRAINT tenant_credit_code_key UNIQUE
                 CONSTRAINT tenant_credit_code_valid CHECK (credit_code_is_valid(credit_code)),
    industry     text NOT NULL CONSTRAINT tenant_industry_format CHECK (industry ~ '^[a-z][a-z0-9_]{0,39}$'),
    contact      text NOT NULL CONSTRAINT tenant_contact_length CHECK (length(btrim(contact)) BETWEEN 1 AND 100),
    phone        text NOT NULL CONSTRAINT tenant_phone_format CHECK (phone ~ '^\+?[0-9][0-9 -]{4,24}$'),
    email        text CONSTRAINT tenant_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 254),
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- A tenant's application to one park and its way to move-in (and out).
CREATE TABLE onboarding (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id          bigint NOT NULL REFERENCES park,
    tenant_id        bigint NOT NULL REFERENCES tenant,
    stage            text NOT NULL DEFAULT 'applied' CONSTRAINT onboarding_stage_valid CHECK (stage IN
                     ('applied', 'approved', 'rejected', 'lease_signed', 'fitting_out', 'moved_in', 'exiting', 'exited')),
    wanted_area_m2   numeric(12,2) CONSTRAINT onboarding_wanted_area_positive CHECK (wanted_area_m2 > 0),
    wanted_kind      text CONSTRAINT onboarding_wanted_kind_valid CHECK (wanted_kind IN
                     ('office', 'factory', 'live_room', 'selection_center', 'warehouse', 'showroom', 'retail', 'dormitory')),
    override_reason  text,
    applied_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (park_id, id)
);
-- One live application per tenant and park; a rejected or exited tenant may apply again.
CREATE UNIQUE INDEX onboarding_one_live_per_park ON onboarding (park_id, tenant_id)
    WHERE stage NOT IN ('rejected', 'exited');

CREATE TABLE onboarding_transition (
    from_stage  text NOT NULL,
    to_stage    text NOT NULL,
    PRIMARY KEY (from_stage, to_stage)
);
INSERT INTO onboarding_transition VALUES
    ('applied', 'approved'), ('applied', 'rejected'),
    ('approved', 'lease_signed'), ('approved', 'rejected'),
    ('lease_signed', 'fitting_out'), ('lease_signed', 'moved_in'),
    ('fitting_out', 'moved_in'),
    ('moved_in', 'exiting'), ('exiting', 'exited');

CREATE FUNCTION onboarding_stage_change_allowed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.stage IS DISTINCT FROM OLD.stage AND NOT EXISTS (
        SELECT 1 FROM onboarding_transition WHERE from_stage = OLD.stage AND to_stage = NEW.stage) THEN
        RAISE EXCEPTION 'onboarding cannot move from % to %', OLD.stage, NEW.stage
            USING ERRCODE = 'check_violation', CONSTRAINT = 'onboarding_transition_allowed', TABLE = 'onboarding', COLUMN = 'stage';
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER onboarding_stage_change_allowed BEFORE UPDATE OF stage ON onboarding
    FOR EACH ROW EXECUTE FUNCTION onboarding_stage_change_allowed();

-- Each dated step: who moved the application, when, and why.
CREATE TABLE onboarding_step (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id        bigint NOT NULL,
    onboarding_id  bigint NOT NULL,
    from_stage     text,
    to_stage       text NOT NULL,
    effective_on   date NOT NULL,
    at             timestamptz NOT NULL DEFAULT now(),
    actor          text NOT NULL,
    reason         text,
    FOREIGN KEY (park_id, onboarding_id) REFERENCES onboarding (park_id, id)
);
CREATE INDEX onboarding_step_onboarding_idx ON onboarding_step (onboarding_id);

CREATE TABLE onboarding_check (
    park_id        bigint NOT NULL,
    onboarding_id  bigint NOT NULL,
    item           text NOT NULL CONSTRAINT onboarding_check_item_valid CHECK (item IN
                   ('business_license', 'fire_safety', 'fit_out_plan', 'deposit_paid', 'keys_handed')),
    done_at        timestamptz NOT NULL DEFAULT now(),
    actor          text NOT NULL,
    note           text,
    PRIMARY KEY (onboarding_id, item),
    FOREIGN KEY (park_id, onboarding_id) REFERENCES onboarding (park_id, id)
);

-- The audit trail: every insert, update and delete, written by the database.
-- The actor comes from the transaction (SET LOCAL parkctl.actor), else the role.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor       text NOT NULL,
    table_name  text NOT NULL,
    row_key     text NOT NULL,
    label       text,
    action      text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    park_id     bigint,
    old_row     jsonb,
    new_row     jsonb,
    txid        bigint NOT NULL DEFAULT txid_current()
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_table_idx ON audit_log (table_name, at);

CREATE FUNCTION audit_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_j jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_j jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    j     jsonb := coalesce(new_j, old_j);
BEGIN
    INSERT INTO audit_log (actor, table_name, row_key, label, action, park_id, old_row, new_row)
    VALUES (coalesce(nullif(current_setting('parkctl.actor', true), ''), session_user),
            TG_TABLE_NAME,
            coalesce(j->>'id', j->>'onboarding_id' || '/' || (j->>'item')),
            coalesce(j->>'credit_code', j->>'code', j->>'item', j->>'to_stage', j->>'stage'),
            lower(TG_OP),
            CASE WHEN TG_TABLE_NAME = 'park' THEN (j->>'id')::bigint ELSE (j->>'park_id')::bigint END,
            old_j, new_j);
    RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['park', 'building', 'unit', 'tenant', 'onboarding', 'onboarding_step', 'onboarding_check'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION audit_row_change()',
                       t || '_audit', t);
    END LOOP;
END $$;
