-- A volunteer's access follows their login across every pairing, whoever made it (stop 52's review).
--
-- When a volunteer failed the background check or their login changed, the server ended the old
-- login's assignments and gave the new login those of running pairings under the caller's own
-- policies. A pairing made by the town admin with a child of another village (the helper's
-- register is in village A, the child in village B) is outside village A's cadre, who manages the
-- register: the update matched no row, no error was raised, and the failed volunteer kept reading
-- the child until the pairing ended. The moves now run as the table owner, for a volunteer the
-- caller may manage (the register's unit in its area), so they reach every pairing of the helper.

create function volunteer_access_move(p_volunteer uuid, p_old uuid, p_new uuid) returns void
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        if not exists (select from volunteer v where v.id = p_volunteer and liushou_unit_in_scope(v.unit_id, 'person_area')) then
            raise exception 'volunteer % is not in your area', p_volunteer using errcode = '42501';
        end if;
        if p_old is not null and p_old is distinct from p_new then
            update person_assignment set ended_at = now()
            where source = 'pairing' and account_id = p_old and (ended_at is null or ended_at > now())
              and source_id in (select h.pairing_id from pairing_helper h where h.volunteer_id = p_volunteer);
        end if;
        if p_new is not null and p_old is distinct from p_new then
            -- A login that may help: enabled, with the volunteer or school staff role (as the server checks).
            if not exists (select from account a join role_grant g on g.account_id = a.id
                           where a.id = p_new and a.disabled_at is null and g.revoked_at is null
                             and g.role in ('volunteer', 'school_staff')) then
                raise exception 'account % may not help', p_new using errcode = '42501';
            end if;
            insert into person_assignment (id, person_id, account_id, unit_id, source, source_id, started_at, ended_at)
            select gen_random_uuid(), pp.person_id, p_new, liushou_person_unit(pp.person_id), 'pairing', g.id,
                greatest(now(), g.start_on::timestamp at time zone 'Asia/Shanghai'), (g.end_on + 1)::timestamp at time zone 'Asia/Shanghai'
            from pairing g join pairing_helper h on h.pairing_id = g.id join pairing_person pp on pp.pairing_id = g.id
            where h.volunteer_id = p_volunteer and g.status = 'active'
              and (g.end_on is null or g.end_on >= (now() at time zone 'Asia/Shanghai')::date);
        end if;
    end
    $$;
revoke all on function volunteer_access_move(uuid, uuid, uuid) from public;
grant execute on function volunteer_access_move(uuid, uuid, uuid) to liushou_app;
