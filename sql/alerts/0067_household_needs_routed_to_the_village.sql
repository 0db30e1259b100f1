-- Needs found at a household's door go to those who can see them (stop 52's review).
--
-- A household check names no person. Its health or study need was routed to the clinic's staff or
-- the school's, who see follow-ups only through a person (a clinic through the villages it serves,
-- a school through its roll): the clinic was told to handle a follow-up it could not find, and the
-- school was never told. Such a need now goes to the village cadre, who sees the household and can
-- pass it on. The alert of follow-ups opened only at households' doors read "（0人）": it says how
-- many households now. And a batch's study needs of several children raised one alert, whose
-- recipients were found through no child's school (the group named no single person): no teacher
-- heard of any. Study needs are raised a child at a time, so each child's school hears.

-- The role a door check's need is routed to: as `follow_up_role` says, but a household's health or
-- study need goes to the village cadre.
create function follow_up_routed_role(p_need text, p_person uuid) returns text
    language sql immutable
    as $$
        select case when p_person is null and follow_up_role(p_need) in ('clinic_staff', 'school_staff') then 'village_cadre'
                    else follow_up_role(p_need) end
    $$;

-- Set before the row is checked and stored (`door_checks_record` routes by the need alone).
create function follow_up_household_routing() returns trigger
    language plpgsql
    as $$
    begin
        new.routed_role := follow_up_routed_role(new.need, new.person_id);
        return new;
    end
    $$;
create trigger follow_up_household_routing before insert on follow_up for each row
    when (new.person_id is null and new.check_id is not null) execute function follow_up_household_routing();

-- 0031's policy, with the household's routing.
drop policy follow_up_insert on follow_up;
create policy follow_up_insert on follow_up for insert
    with check (status = 'open' and (
        (check_id is not null and routed_role = follow_up_routed_role(need, person_id)
         and exists (select from door_check c where c.id = check_id and c.unit_id = follow_up.unit_id
             and c.person_id is not distinct from follow_up.person_id and c.household_id is not distinct from follow_up.household_id))
        or (checkup_id is not null and need = 'health' and routed_role in ('clinic_staff', 'village_cadre')
            and exists (select from checkup c where c.id = checkup_id and c.person_id = follow_up.person_id)
            and follow_up.unit_id = liushou_person_unit(follow_up.person_id))
        or (school_status_change_id is not null and need = 'schooling' and routed_role in ('village_cadre', 'child_welfare_supervisor')
            and exists (select from school_status_change c where c.id = school_status_change_id and c.person_id = follow_up.person_id
                        and c.to_status in ('transferred_out', 'suspended', 'dropped_out', 'long_absence'))
            and follow_up.unit_id = liushou_person_unit(follow_up.person_id))));

create or replace function alert_flush_staged() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        taken record;
    begin
        with rows as (
            delete from alert_staged s
            where s.txid = new.txid and s.event = new.event and s.unit_id = new.unit_id and s.routed_role is not distinct from new.routed_role
              -- School staff are found through one child's school: their follow-ups are raised a child at a time.
              and (new.routed_role is distinct from 'school_staff' or s.person_id is not distinct from new.person_id)
            returning s.*
        )
        select count(*) as n, count(distinct r.person_id) as people, min(r.id) as first_id,
            (array_agg(r.person_id order by r.id))[1] as person_id, (array_agg(r.need order by r.id))[1] as need,
            count(distinct r.need) as needs
        into taken from rows r;
        if taken.n = 0 then return null; end if;
        if new.event = 'follow_up.opened' then
            perform alert_raise('follow_up.opened', new.unit_id,
                jsonb_build_object('unit', alert_unit_label(new.unit_id), 'count', taken.n::text,
                    'kind', case when taken.needs = 1 then alert_need_label(taken.need) else '多类' end,
                    'person', case when taken.people = 1 then coalesce(alert_masked_name(taken.person_id), '一户家庭')
                                   when taken.people = 0 then taken.n || '户家庭' else taken.people || '人' end),
                '/console/#/followups', 'follow_up.opened:' || taken.first_id,
                case when taken.people = 1 then taken.person_id end, null, new.routed_role);
        else
            perform alert_raise('person.no_capable_guardian', new.unit_id,
                jsonb_build_object('unit', alert_unit_label(new.unit_id), 'count', taken.people::text,
                    'person', case when taken.people = 1 then alert_masked_name(taken.person_id) else taken.people || '人' end),
                case when taken.people = 1 then '/console/#/person/' || taken.person_id else '/console/#/persons' end,
                'person.no_capable_guardian:' || taken.first_id, case when taken.people = 1 then taken.person_id end);
        end if;
        return null;
    end
    $$;

