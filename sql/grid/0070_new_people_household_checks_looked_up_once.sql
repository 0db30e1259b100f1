-- New people's obligations look for a household's checks only where the household has one (issue 23).
--
-- `visit_obligations_people_inserted` (0056) starts each new obligation from the latest check of
-- the person's household that satisfies the rule and saw the person. It did so with a lateral
-- subquery for every new person and rule, over every month of `door_check`: even for a person
-- without a household the subquery was set up again for each row, one index scan a month (an
-- Append of every month's partition, rescanned per row). A ledger's new people mostly come with
-- households filed in the same import, which no one has knocked on yet, and the cost grew with
-- every month of history kept.
--
-- The households that have any check that saw their people are now found first, in one statement
-- (one index scan a month for all of the chunk's households together). The lateral subquery runs
-- only for the people of those households; everyone else starts from now, as the subquery found
-- nothing for them. The answer is the same, row for row.
--
-- Measured on the insert of a chunk of 1,000 new people into a demo county with 13 months of
-- `door_check` attached (a rolled-back transaction, as the application role, alternating the two
-- versions, `EXPLAIN (ANALYZE, TIMING OFF)`): see the README's ledger figures.

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
        ), wanted as materialized (
            select p.id as person_id, p.unit_id, p.household_id, p.created_at, r.rule_key, r.id as rule_id, r.unit_path, r.check_kinds,
                r.cadence
            from new_rows p
            join effective r on r.for_unit = p.unit_id and r.categories && p.categories
                and (r.risk_levels is null or p.risk_level = any (r.risk_levels))
            where p.status = 'active'
        ), checked as materialized (
            -- The households with a check that saw their people: one scan a month for them all.
            select distinct c.household_id from door_check c
            where c.household_id = any (array(select distinct w.household_id from wanted w where w.household_id is not null))
              and door_check_outcome_sees_person(c.outcome)
        )
        insert into visit_obligation (person_id, rule_key, rule_id, unit_id, unit_path, check_kinds, cadence, last_check_id,
            last_check_at, next_due_at)
        select w.person_id, w.rule_key, w.rule_id, w.unit_id, w.unit_path, w.check_kinds, w.cadence, null, null,
            greatest(w.created_at, now()) + w.cadence
        from wanted w
        where not exists (select from checked h where h.household_id = w.household_id)
        union all
        select w.person_id, w.rule_key, w.rule_id, w.unit_id, w.unit_path, w.check_kinds, w.cadence, c.id, c.occurred_at,
            coalesce(c.occurred_at, greatest(w.created_at, now())) + w.cadence
        from wanted w
        join checked h on h.household_id = w.household_id
        left join lateral (
            select c.id, c.occurred_at from door_check c
            where c.household_id = w.household_id and c.kind = any (w.check_kinds) and door_check_outcome_sees_person(c.outcome)
            order by c.occurred_at desc limit 1
        ) c on true;
        return null;
    end
    $$;
revoke all on function visit_obligations_people_inserted() from public;
