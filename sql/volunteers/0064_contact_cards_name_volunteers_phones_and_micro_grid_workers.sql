-- A contact card (联系卡) names the paired volunteers with their phones and finds the grid worker of
-- a micro-grid (stop 52's review).
--
-- The card is what a family keeps by the phone: the brief asks for the grid worker, the volunteer,
-- the clinic, emergency and police numbers on it. `person_card_directory` gave names only, and
-- looked grid workers up on the person's own grid: a person filed in a micro-grid (a grid under a
-- grid) whose worker holds the grid above got no grid-worker line. `person_card_contacts` answers
-- the same rows with a phone where the register holds one (a volunteer's), and grid workers of the
-- person's grid or any grid above it. The server masks the phone as it masks the file's own
-- (full only with an audited reveal).

create function person_card_contacts(p_person uuid)
    returns table (kind text, name text, phone text)
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        p person%rowtype;
    begin
        select * into p from person where id = p_person;
        if not found or not liushou_person_visible(p.id, p.unit_id, p.village_id, p.school_id) then
            return;
        end if;
        return query
            select g.role, a.display_name, null::text
            from role_grant g join account a on a.id = g.account_id
            where g.revoked_at is null and a.disabled_at is null and a.kind = 'user'
              and ((g.role = 'village_cadre' and g.unit_id = p.village_id)
                   or (g.role = 'grid_worker' and p.grid_id is not null
                       and exists (select from org_unit gu join org_unit pg on pg.id = p.grid_id
                                   where gu.id = g.unit_id and gu.kind = 'grid' and pg.path <@ gu.path)))
            union all
            select 'clinic', c.name, null::text from clinic_service_area s join org_unit c on c.id = s.clinic_id
            where s.village_id = p.village_id and c.active
            union all
            select 'assignee:' || pa.source, a.display_name,
                (select v.phone from volunteer v where v.account_id = pa.account_id and v.screening_status <> 'failed' limit 1)
            from person_assignment pa join account a on a.id = pa.account_id
            where pa.person_id = p.id and pa.started_at <= now() and (pa.ended_at is null or pa.ended_at > now())
            order by 1, 2;
    end
    $$;
revoke all on function person_card_contacts(uuid) from public;
grant execute on function person_card_contacts(uuid) to liushou_app;

drop function person_card_directory(uuid);
