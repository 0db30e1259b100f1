-- New people's obligations are inserted plainly, without `on conflict` (issue 23).
--
-- `visit_obligations_people_inserted` (0032, 0051) wrote its rows with `on conflict (person_id,
-- rule_key) do update`. It runs after an insert into `person`, for the rows that insert made, and an
-- obligation references its person: no obligation of a person inserted by this very statement can
-- exist, so the conflict clause never acted. It still made every row a speculative insertion, which
-- probes `visit_obligation_pkey` before inserting and confirms afterwards. The rest of the function
-- is 0051's.
--
-- Measured on the import's obligations statement, 100 chunks of 1,000 new people with 2,500
-- obligations each (`pg_stat_statements`): 61 ms a chunk before, 50 ms after (with 0055). Timed
-- alone on one chunk, in one transaction, alternating: 71 and 64 ms with the clause, 59 and 56 without.

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
        insert into visit_obligation (person_id, rule_key, rule_id, unit_id, unit_path, check_kinds, cadence, last_check_id,
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
        where p.status = 'active';
        return null;
    end
    $$;
revoke all on function visit_obligations_people_inserted() from public;
