-- A new person's visit rules are chosen once a unit, not once a person (issue 23).
--
-- `visit_obligations_people_inserted` (0032) names the rules in force at the inserted people's
-- units in a CTE, `effective`, that the insert reads once. PostgreSQL inlines a CTE read once, and
-- the plan then chose the deepest rule of every key again for every inserted person: for a ledger
-- chunk of 1,000 people in one village, 1,000 scans of the rules and of the unit tree instead of
-- one. Marking the CTE `materialized` computes it once for the statement's units; the insert joins
-- it by unit. The answers are 0032's: the same rules for the same units.
--
-- Measured on the import's obligations statement, a chunk of 1,000 new people with 2,500
-- obligations (`pg_stat_statements`, the same database, alternating): 90.6 and 77.2 ms before,
-- 69.0 and 64.6 ms after.

create or replace function visit_obligations_people_inserted() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        with units as (
            select distinct p.unit_id from new_rows p where p.status = 'active'
        ), effective as materialized (
            -- For each unit and rule key, the definition set deepest among the unit's ancestors.
            select n.unit_id as for_unit, u.path as unit_path, e.id, e.rule_key, e.categories, e.risk_levels, e.check_kinds, e.cadence
            from units n
            join org_unit u on u.id = n.unit_id
            cross join lateral (
                select distinct on (vr.rule_key) vr.*
                from visit_rule vr left join org_unit ru on ru.id = vr.unit_id
                where vr.unit_id is null or ru.path @> u.path
                order by vr.rule_key, coalesce(nlevel(ru.path), 0) desc
            ) e
            where e.active
        )
        insert into visit_obligation as o (person_id, rule_key, rule_id, unit_id, unit_path, check_kinds, cadence, last_check_id,
            last_check_at, next_due_at)
        select p.id, r.rule_key, r.id, p.unit_id, r.unit_path, r.check_kinds, r.cadence, c.id, c.occurred_at,
            coalesce(c.occurred_at, greatest(p.created_at, now())) + r.cadence
        from new_rows p
        join effective r on r.for_unit = p.unit_id and r.categories && p.categories
            and (r.risk_levels is null or p.risk_level = any (r.risk_levels))
        left join lateral (
            select c.id, c.occurred_at from door_check c
            where p.household_id is not null and c.household_id = p.household_id and c.kind = any (r.check_kinds)
              and door_check_outcome_sees_person(c.outcome)
            order by c.occurred_at desc limit 1
        ) c on true
        where p.status = 'active'
        on conflict (person_id, rule_key) do update
            set rule_id = excluded.rule_id, unit_id = excluded.unit_id, unit_path = excluded.unit_path, check_kinds = excluded.check_kinds,
                cadence = excluded.cadence,
                next_due_at = coalesce(o.last_check_at, excluded.last_check_at, excluded.next_due_at - excluded.cadence) + excluded.cadence,
                last_check_id = coalesce(o.last_check_id, excluded.last_check_id),
                last_check_at = coalesce(o.last_check_at, excluded.last_check_at);
        return null;
    end
    $$;
revoke all on function visit_obligations_people_inserted() from public;
