-- Door checks: a knock can find nobody home (无人在家) or learn that the person is away (人员外出).
-- The field app offers both as outcomes. Neither proves the person was seen, so neither moves a
-- visit obligation forward: the person stays due until someone sees them. Neither opens follow-ups.
--
-- Rebuilding obligations (exit and re-activation, rule changes) now also counts checks recorded on
-- the person's household, as the incremental path always has: a household knock satisfies every
-- active member.

-- The new check only widens the old one: add it unvalidated (no long exclusive lock on a large
-- history) and validate it under a lock that lets writes go on.
alter table door_check drop constraint door_check_outcome_check;
alter table door_check add constraint door_check_outcome_known
    check (outcome in ('all_well', 'needs_follow_up', 'urgent', 'not_home', 'away')) not valid;
alter table door_check validate constraint door_check_outcome_known;

-- The outcomes that show the person was seen.
create function door_check_outcome_sees_person(p_outcome text) returns boolean
    language sql immutable
    as $$ select p_outcome in ('all_well', 'needs_follow_up', 'urgent') $$;

create or replace function visit_obligations_satisfy(p_check uuid) returns void
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        c door_check%rowtype;
    begin
        select * into c from door_check where id = p_check;
        if not found or not door_check_outcome_sees_person(c.outcome) then
            return;
        end if;
        if c.person_id is not null then
            update visit_obligation o
                set last_check_id = c.id, last_check_at = c.occurred_at, next_due_at = c.occurred_at + o.cadence
                where o.person_id = c.person_id and c.kind = any (o.check_kinds)
                  and (o.last_check_at is null or o.last_check_at < c.occurred_at);
        else
            update visit_obligation o
                set last_check_id = c.id, last_check_at = c.occurred_at, next_due_at = c.occurred_at + o.cadence
                where o.person_id in (select m.id from person m where m.household_id = c.household_id and m.status = 'active')
                  and c.kind = any (o.check_kinds) and (o.last_check_at is null or o.last_check_at < c.occurred_at);
        end if;
    end
    $$;

create or replace function visit_obligations_refresh(p_person uuid) returns void
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        p person%rowtype;
        v_path ltree;
        r record;
        v_keys text[] := '{}';
        v_last_id uuid;
        v_last_at timestamptz;
    begin
        select * into p from person where id = p_person;
        if not found then
            return;
        end if;
        if p.status <> 'active' then
            delete from visit_obligation where person_id = p_person;
            return;
        end if;
        select path into v_path from org_unit where id = p.unit_id;
        for r in
            select e.* from (
                select distinct on (vr.rule_key) vr.*
                from visit_rule vr left join org_unit u on u.id = vr.unit_id
                where vr.unit_id is null or u.path @> v_path
                order by vr.rule_key, coalesce(nlevel(u.path), 0) desc
            ) e
            where e.active and e.categories && p.categories and (e.risk_levels is null or p.risk_level = any (e.risk_levels))
        loop
            v_keys := v_keys || r.rule_key;
            -- A new obligation starts from the latest check of the person or their household, of a
            -- kind that satisfies it and that saw the person, else from now.
            select c.id, c.occurred_at into v_last_id, v_last_at from (
                select c.id, c.occurred_at from door_check c
                    where c.person_id = p.id and c.kind = any (r.check_kinds) and door_check_outcome_sees_person(c.outcome)
                union all
                select c.id, c.occurred_at from door_check c
                    where p.household_id is not null and c.household_id = p.household_id and c.kind = any (r.check_kinds)
                      and door_check_outcome_sees_person(c.outcome)
            ) c order by c.occurred_at desc limit 1;
            insert into visit_obligation as o (person_id, rule_key, rule_id, unit_id, unit_path, check_kinds, cadence, last_check_id,
                last_check_at, next_due_at)
            values (p.id, r.rule_key, r.id, p.unit_id, v_path, r.check_kinds, r.cadence, v_last_id, v_last_at,
                coalesce(v_last_at, greatest(p.created_at, now())) + r.cadence)
            on conflict (person_id, rule_key) do update
                set rule_id = excluded.rule_id, unit_id = excluded.unit_id, unit_path = excluded.unit_path, check_kinds = excluded.check_kinds,
                    cadence = excluded.cadence,
                    next_due_at = coalesce(o.last_check_at, excluded.last_check_at, greatest(p.created_at, now())) + excluded.cadence,
                    last_check_id = coalesce(o.last_check_id, excluded.last_check_id),
                    last_check_at = coalesce(o.last_check_at, excluded.last_check_at);
        end loop;
        delete from visit_obligation where person_id = p_person and rule_key <> all (v_keys);
    end
    $$;
