-- Checks move obligations through indexes, whatever the statistics say (issue 23).
--
-- `visit_obligations_satisfy_many` (0031) runs for every stored door check, single or batched.
-- Measured on a village of 20,000 people:
-- * Its read of the stored checks joined them on `(id, occurred_at)` with the batch's first and last
--   times as bounds. A batch whose checks share a time (a phone stamping a whole round at once) or
--   span a few days made the planner read the bounds' range of the month through the
--   `(unit_id, occurred_at)` index and compare every check in it with every item: 5,000 checks ×
--   1,000 items, 545 ms for a batch of 1,000. The range grows with the village and the batch's span.
-- * Its lock and its update of the obligations are planned once a session (a generic plan). Planned
--   while `visit_obligation` had no statistics (after a restore, or before autovacuum's first
--   analyze), they read the whole table with a hash join: 17 ms and 12 ms for one check with 55,000
--   obligations, and the plan stays for the life of the pooled connection.
-- Each check is now looked up by its own key (a lateral index probe of its months; the bounds still
-- prune the months when the statement is planned), and the obligations of each member by their
-- primary key, so the work is per check and per member, not per table.

create or replace function visit_obligations_satisfy_many(p_checks uuid[], p_at timestamptz[]) returns void
    language plpgsql security definer set search_path = public, pg_temp
    -- Its static statements are planned once a session: a custom plan for every call costs more
    -- than the write of one check. (The read of door_check below is planned each call, on purpose.)
    set plan_cache_mode = force_generic_plan
    as $$
    declare
        v_targets visit_check_target[];
        v_members uuid[];
    begin
        -- Planned with the checks' first and last times as constants (EXECUTE plans it with its
        -- values), so that only their months are opened and locked.
        execute $read$
            select array_agg(row(c.id, n.ord, coalesce(c.person_id, m.id), c.kind, c.occurred_at)::visit_check_target)
            from unnest($1, $2) with ordinality as n (id, at, ord)
            cross join lateral (
                select c.id, c.person_id, c.household_id, c.kind, c.occurred_at, c.outcome
                from door_check c
                where c.id = n.id and c.occurred_at = n.at and c.occurred_at between $3 and $4
                -- An id is stored once (door_check_key); the limit also keeps the planner from
                -- flattening the lookup into a join that reads the bounds' range.
                limit 1
            ) c
            left join person m on c.household_id is not null and m.household_id = c.household_id and m.status = 'active'
            where door_check_outcome_sees_person(c.outcome) and (c.person_id is not null or m.id is not null)
            $read$
            into v_targets
            using p_checks, p_at, (select min(a) from unnest(p_at) a), (select max(a) from unnest(p_at) a);
        if v_targets is null then
            return;
        end if;
        v_members := array(select distinct t.member from unnest(v_targets) t);
        perform from visit_obligation o where o.person_id = any (v_members)
            order by o.person_id, o.rule_key for update;
        update visit_obligation o
            set last_check_id = b.check_id, last_check_at = b.occurred_at, next_due_at = b.occurred_at + o.cadence
            from (
                select distinct on (v.person_id, v.rule_key) v.person_id, v.rule_key, t.check_id, t.occurred_at
                from unnest(v_targets) t
                cross join lateral (
                    select v.person_id, v.rule_key, v.check_kinds from visit_obligation v where v.person_id = t.member offset 0
                ) v
                where t.kind = any (v.check_kinds)
                order by v.person_id, v.rule_key, t.occurred_at desc, t.ord
            ) b
            where o.person_id = b.person_id and o.rule_key = b.rule_key
              and (o.last_check_at is null or o.last_check_at < b.occurred_at);
    end
    $$;
revoke all on function visit_obligations_satisfy_many(uuid[], timestamptz[]) from public;
