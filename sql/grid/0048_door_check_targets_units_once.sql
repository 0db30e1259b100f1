-- A door check's targets look each unit up once a call, not twice a person (issue 23).
--
-- `door_check_targets` (0044) answered every person named with the paths of their unit and their
-- school, each through `liushou_unit_brief`: a PL/pgSQL security-definer call with its own query,
-- two a person even when the school is empty. A batch of 1,000 checks made 2,000 of them for a few
-- dozen units: 15.6 of the 16.9 ms the call took (pg_stat_statements, a village cadre's batches
-- against a bench county). The people are now read first (under the caller's policies, as
-- before), then each distinct unit and school once, and joined; the rows are the same, person by
-- person.

create or replace function door_check_targets(p_people uuid[], p_households uuid[], p_account uuid)
    returns table (id uuid, unit_id uuid, path text, school_path text, assigned boolean)
    language plpgsql stable
    -- The plans do not depend on the values: one generic plan a session.
    set plan_cache_mode = force_generic_plan
    as $$
    #variable_conflict use_column
    begin
        -- The active people named, with their unit, their school and whether they are paired with
        -- the caller.
        if cardinality(p_people) > 0 then
            return query
                with people as materialized (
                    select p.id, p.unit_id, p.school_id,
                        exists (select from person_assignment a where a.person_id = p.id and a.account_id = p_account
                                   and a.started_at <= now() and (a.ended_at is null or a.ended_at > now())) as assigned
                    from person p where p.id = any (p_people) and p.status = 'active'
                ), units as materialized (
                    select u.unit, (select b.path from liushou_unit_brief(u.unit) b) as path
                    from (select p.unit_id as unit from people p union select p.school_id from people p where p.school_id is not null) u
                )
                select p.id, p.unit_id, pu.path, su.path, p.assigned
                from people p
                left join units pu on pu.unit = p.unit_id
                left join units su on su.unit = p.school_id;
        end if;
        if cardinality(p_households) > 0 then
            return query
                select h.id, h.unit_id, (select b.path from liushou_unit_brief(h.unit_id) b), null::text, false
                from household h where h.id = any (p_households);
        end if;
    end
    $$;
