-- Rebuilt obligations that no rule gives any more are found as a set difference (issue 23).
--
-- `visit_obligations_rebuild` (0046) deletes a rebuilt person's obligations that no rule in force
-- at their unit gives any more: `not exists (select from wanted w where …)`. `wanted` is a
-- materialized CTE over a set-returning function, which PostgreSQL estimates at one row, so it
-- planned that test as a nested loop that scans all of `wanted` once for every obligation of the
-- set: quadratic in the chunk. A ledger import that moved 1,000 people to another village (2,500
-- obligations) spent 795 ms of a 986 ms rebuild in it (auto_explain), and moving 10,000 people ran
-- at 638-642 rows/s. The obligations to delete are now the set's obligations `except` the wanted
-- ones, which PostgreSQL computes by hashing or sorting whatever it estimates, then deletes by
-- primary key: under 10 ms for the same chunk (auto_explain), and the same move of 10,000 people
-- ran at 824 rows/s just after a restart of the cluster (a first version with a hashed `not in`,
-- which PostgreSQL may still plan as a loop, ran at 1,008 warm). What remains of the rebuild is
-- mostly looking for each obligation's latest check.
--
-- Otherwise the function is 0046's, statement for statement.

create or replace function visit_obligations_rebuild(p_people uuid[]) returns void
    language sql security definer set search_path = public, pg_temp
    as $$
        -- Each statement of this (volatile) function reads what committed before it began: people
        -- changed by a transaction this lock waited for are read newest below.
        select from visit_obligation o where o.person_id = any (p_people) order by o.person_id, o.rule_key for update;
        with people as materialized (
            select p.id, p.unit_id, p.household_id, p.status, p.categories, p.risk_level, p.created_at
            from (select distinct x.id from unnest(p_people) as x (id)) x
            join person p on p.id = x.id
        ), wanted as materialized (
            select p.id as person_id, p.unit_id, p.household_id, p.created_at, r.unit_path, r.rule_id, r.rule_key, r.check_kinds, r.cadence
            from people p
            join visit_rules_in_force((select array_agg(distinct a.unit_id) from people a where a.status = 'active')) r
                on r.unit_id = p.unit_id and r.categories && p.categories
                and (r.risk_levels is null or p.risk_level = any (r.risk_levels))
            where p.status = 'active'
        ), gone as (
            -- Obligations no rule gives any more. Disjoint from the rows the insert below touches.
            -- A set difference (hashed or sorted), not a test of each obligation against `wanted`.
            delete from visit_obligation o
            using (
                select x.person_id, x.rule_key from visit_obligation x join people p on p.id = x.person_id
                except
                select w.person_id, w.rule_key from wanted w
            ) g
            where o.person_id = g.person_id and o.rule_key = g.rule_key
        )
        insert into visit_obligation as o (person_id, rule_key, rule_id, unit_id, unit_path, check_kinds, cadence, last_check_id,
            last_check_at, next_due_at)
        select w.person_id, w.rule_key, w.rule_id, w.unit_id, w.unit_path, w.check_kinds, w.cadence, c.id, c.occurred_at,
            coalesce(c.occurred_at, greatest(w.created_at, now())) + w.cadence
        from wanted w
        left join visit_obligation kept on kept.person_id = w.person_id and kept.rule_key = w.rule_key
        left join lateral (
            -- The latest check of the person or their household, of a kind that satisfies the rule and
            -- that saw the person; not looked for when the obligation already has a last check.
            -- Each side is read newest first through its index and stops at its first match.
            select c.id, c.occurred_at from (
                (select c.id, c.occurred_at from door_check c
                    where c.person_id = w.person_id and c.kind = any (w.check_kinds) and door_check_outcome_sees_person(c.outcome)
                    order by c.occurred_at desc limit 1)
                union all
                (select c.id, c.occurred_at from door_check c
                    where w.household_id is not null and c.household_id = w.household_id and c.kind = any (w.check_kinds)
                      and door_check_outcome_sees_person(c.outcome)
                    order by c.occurred_at desc limit 1)
            ) c
            where kept.last_check_id is null
            order by c.occurred_at desc limit 1
        ) c on true
        on conflict (person_id, rule_key) do update
            set rule_id = excluded.rule_id, unit_id = excluded.unit_id, unit_path = excluded.unit_path, check_kinds = excluded.check_kinds,
                cadence = excluded.cadence,
                next_due_at = coalesce(o.last_check_at, excluded.last_check_at, o.next_due_at - o.cadence) + excluded.cadence,
                last_check_id = coalesce(o.last_check_id, excluded.last_check_id),
                last_check_at = coalesce(o.last_check_at, excluded.last_check_at)
            where (o.rule_id, o.unit_id, o.unit_path, o.check_kinds, o.cadence, o.last_check_id, o.next_due_at)
                is distinct from (excluded.rule_id, excluded.unit_id, excluded.unit_path, excluded.check_kinds, excluded.cadence,
                    coalesce(o.last_check_id, excluded.last_check_id),
                    coalesce(o.last_check_at, excluded.last_check_at, o.next_due_at - o.cadence) + excluded.cadence)
    $$;

