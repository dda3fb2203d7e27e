-- 0007: unit (park_id) is already the leading column of the UNIQUE (park_id, id)
-- index, which serves every lookup by park; the separate index only cost inserts
-- (about 1 s per million imported units).
DROP INDEX unit_park_idx;
