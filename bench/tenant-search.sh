#!/usr/bin/env bash
# Tenant search speed: median wall time of `parkctl tenant list --name TEXT --format json`
# against psql running the same statement (TenantService.listQuery, captured with
# PARKCTL_TRACE and replayed with the same values), TENANTS tenants with Chinese
# company names at one park, RUNS runs each, interleaved, in one run; for a rare
# 2-character Chinese text, a 4-character one and a Latin one typed in other case.
# Prints the rows, the medians and the ratios, the start-up floor of both clients,
# the plan of the 2-character search and the database's character type (the
# embedded cluster is initialised with the C locale: no trigram index, so the plan
# is a sequential scan of tenant; see sql/0014_tenant_names.sql).
#
#   bench/tenant-search.sh [TENANTS] [RUNS]     (defaults: 100000 tenants; 20 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
TENANTS=${1:-100000}
RUNS=${2:-20}

# A release build with the Swift runtime and Foundation linked statically (see bench/cli.sh).
source bench/common.sh
bench_setup -c release --static-swift-stdlib --product parkctl

"$BIN/parkctl" park add --code SW --name 软件园 --kind software --industries software,ai,internet >/dev/null
echo "generating $TENANTS tenants..."
t0=$(date +%s)
# Names: 湖南 + a city + 2 to 4 words + 科技有限公司 (湖南衡阳智能星辰科技有限公司), or for
# about 8% a Latin name and a word (Smart Soft 智能). 麒麟 is planted as the second
# word of one name in 1,000 (no other word has 麒 or 麟). A short name (at most 8
# characters: two words, or the first Latin word) for about 70%. Credit codes:
# 91 + the city's region code + 9 characters that number the tenant + the GB
# 32100-2015 check character, computed here (the table's CHECK verifies it). One
# application per tenant at SW, stage applied, over the last three years, with its
# applied step, as `tenant apply` records it.
psql -X -q -v ON_ERROR_STOP=1 "$CONN" -v tenants="$TENANTS" <<'SQL'
SET client_min_messages = warning;
SELECT setseed(0.14) \g /dev/null

CREATE TEMP TABLE vocab AS SELECT
    ARRAY['长沙', '株洲', '湘潭', '衡阳', '邵阳', '岳阳', '常德', '张家界', '益阳', '郴州', '永州', '怀化', '娄底'] AS cities,
    ARRAY['430100', '430200', '430300', '430400', '430500', '430600', '430700', '430800', '430900', '431000', '431100',
          '431200', '431300'] AS regions,
    ARRAY['智能', '数字', '云端', '信息', '网络', '创新', '未来', '星辰', '天宇', '恒通', '华信', '博远', '鑫达', '中科', '联创',
          '瑞丰', '睿思', '融合', '数据', '芯片', '光电', '新材', '蓝海', '汇智', '启明', '卓越', '致远', '宏图', '金石', '锦程'] AS words,
    ARRAY['Smart Soft', 'Blue Ocean', 'Bright Data', 'Cloud Peak', 'Deep Vision', 'Open Grid', 'Star Bridge', 'Green Leaf',
          'Swift Link', 'Red Maple'] AS latin;

-- The random choices, drawn once per tenant.
CREATE TEMP TABLE gen AS
SELECT g,
       1 + floor(random() * 13)::int AS city,
       2 + floor(random() * 3)::int AS nwords,
       floor(random() * 30)::int AS w0,
       ARRAY[0, 1 + floor(random() * 9)::int, 1 + floor(random() * 9)::int, 1 + floor(random() * 9)::int] AS steps,
       random() < 0.08 AND g % 1000 <> 500 AS is_latin,
       1 + floor(random() * 10)::int AS li,
       random() < 0.70 AS has_short,
       random() * 1095 AS days_ago
FROM generate_series(1, :tenants) g;

CREATE TEMP TABLE gen_tenant AS
SELECT g.g, n.name, n.short_name, b.body || c.check_char AS credit_code, g.days_ago
FROM gen g CROSS JOIN vocab v,
-- Distinct words: each a step of 1 to 9 further round the list of 30.
LATERAL (SELECT array_agg(CASE WHEN k = 2 AND g.g % 1000 = 500 THEN '麒麟'
                               ELSE v.words[1 + (g.w0 + (SELECT sum(s) FROM unnest(g.steps[1:k]) s))::int % 30] END ORDER BY k) AS w
         FROM generate_series(1, g.nwords) k) ws,
LATERAL (SELECT CASE WHEN g.is_latin THEN v.latin[g.li] || ' ' || ws.w[1]
                     ELSE '湖南' || v.cities[g.city] || array_to_string(ws.w, '') || '科技有限公司' END AS name,
                CASE WHEN NOT g.has_short THEN NULL
                     WHEN g.is_latin THEN split_part(v.latin[g.li], ' ', 1)
                     ELSE ws.w[1] || ws.w[2] END AS short_name) n,
-- 9 characters of the code alphabet numbering the tenant: (g * 123456789011 + 104729)
-- mod 31^9 in base 31, one to one for g < 31^9 (31 does not divide the multiplier).
LATERAL (SELECT '91' || v.regions[g.city] ||
                string_agg(substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
                                  (div((g.g::numeric * 123456789011 + 104729) % 26439622160671, 31::numeric ^ k) % 31)::int + 1, 1),
                           '' ORDER BY k DESC) AS body
         FROM generate_series(0, 8) k) b,
-- The check character: alphabet[(31 - sum(value * weight) % 31) % 31].
LATERAL (SELECT substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
                       ((31 - sum((strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(b.body, i::int, 1)) - 1) * w) % 31) % 31)::int + 1,
                       1) AS check_char
         FROM unnest(ARRAY[1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]) WITH ORDINALITY AS cw(w, i)) c;

-- A short name names one tenant (0014's unique index): the first tenant to draw one keeps it.
INSERT INTO tenant (name, short_name, credit_code, industry, contact, phone)
SELECT name, CASE WHEN row_number() OVER (PARTITION BY short_name ORDER BY g) = 1 THEN short_name END,
       credit_code, 'software', '陈静', '0734-8100101'
FROM gen_tenant ORDER BY g;

INSERT INTO onboarding (park_id, tenant_id, stage, applied_at)
SELECT p.id, tn.id, 'applied', now() - t.days_ago * interval '1 day'
FROM gen_tenant t JOIN tenant tn ON tn.credit_code = t.credit_code, park p
WHERE p.code = 'SW'
ORDER BY t.g;

INSERT INTO onboarding_step (park_id, onboarding_id, from_stage, to_stage, effective_on, actor)
SELECT o.park_id, o.id, NULL, 'applied', (o.applied_at AT TIME ZONE p.time_zone)::date, session_user
FROM onboarding o JOIN park p ON p.id = o.park_id
WHERE p.code = 'SW';

ANALYZE;
SQL
echo "generated in $(( $(date +%s) - t0 )) s"

# Search name | text
SEARCHES=(
  "2 Chinese characters, rare|麒麟"
  "4 Chinese characters|衡阳数字"
  "Latin, other case|SMART"
)

us() { echo $(( $(date +%s%N) / 1000 )); }
declare -A ROWS_K ROWS_P MED_P MED_K
i=0
for entry in "${SEARCHES[@]}"; do
    text=${entry#*|}
    i=$((i + 1))
    rm -f "$WORK/trace$i.jsonl"
    PARKCTL_TRACE="$WORK/trace$i.jsonl" "$BIN/parkctl" tenant list --name "$text" --format json >"$WORK/out$i.json"
    replay_script "$WORK/trace$i.jsonl" >"$WORK/q$i.sql"
    ROWS_K[$i]=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1], encoding="utf-8"))))' "$WORK/out$i.json")
    ROWS_P[$i]=$(psql -X -q -At "$CONN" -f "$WORK/q$i.sql" | wc -l)
done

# Every search, RUNS runs of each client, interleaved; then the start-up floor: the
# smallest listing of each (parkctl park list, and the statement it sends in psql).
rm -f "$WORK/trace0.jsonl"
PARKCTL_TRACE="$WORK/trace0.jsonl" "$BIN/parkctl" park list --format json >/dev/null
replay_script "$WORK/trace0.jsonl" >"$WORK/q0.sql"
for i in 0 $(seq 1 ${#SEARCHES[@]}); do
    declare -a TP=() TK=()
    if [ "$i" = 0 ]; then args=(park list --format json); else text=${SEARCHES[$((i - 1))]#*|}; args=(tenant list --name "$text" --format json); fi
    for _ in $(seq 1 "$RUNS"); do
        a=$(us); psql -X -q -At "$CONN" -f "$WORK/q$i.sql" >/dev/null; b=$(us); TP+=($((b - a)))
        a=$(us); "$BIN/parkctl" "${args[@]}" >/dev/null; b=$(us); TK+=($((b - a)))
    done
    MED_P[$i]=$(median "${TP[@]}"); MED_K[$i]=$(median "${TK[@]}")
done

echo
echo "$RUNS runs each, interleaved; $TENANTS tenants, one application each at SW"
printf '%6s %10s %12s %7s  %s\n' "rows" "psql ms" "parkctl ms" "ratio" "search"
i=0
for entry in "${SEARCHES[@]}"; do
    i=$((i + 1))
    name=${entry%%|*}; text=${entry#*|}
    if [ "${ROWS_K[$i]}" != "${ROWS_P[$i]}" ]; then
        echo "WARNING: '$text': parkctl listed ${ROWS_K[$i]} rows, psql ${ROWS_P[$i]}"
    fi
    awk -v n="--name $text ($name)" -v r="${ROWS_K[$i]}" -v p="${MED_P[$i]}" -v k="${MED_K[$i]}" \
        'BEGIN { printf "%6d %10.1f %12.1f %7.2f  %s\n", r, p / 1000, k / 1000, k / p, n }'
done
awk -v p="${MED_P[0]}" -v k="${MED_K[0]}" \
    'BEGIN { printf "%6s %10.1f %12.1f %7.2f  %s\n", "-", p / 1000, k / 1000, k / p, "start-up floor: park list (1 park)" }'
echo "(target: ratio <= 1.5)"

echo
echo "database character type: $(psql -X -At "$CONN" -c "SELECT datctype FROM pg_database WHERE datname = current_database()")"
echo "trigram index: $(psql -X -At "$CONN" -c "SELECT coalesce((SELECT 'tenant_search_trgm' FROM pg_indexes WHERE indexname = 'tenant_search_trgm'), 'none')")"
echo "plan of the 2-character search (${SEARCHES[0]#*|}):"
{ echo "EXPLAIN (ANALYZE, BUFFERS)"; cat "$WORK/q1.sql"; } >"$WORK/plan.sql"
psql -X -q "$CONN" -f "$WORK/plan.sql"
