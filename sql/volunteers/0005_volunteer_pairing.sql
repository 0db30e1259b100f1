-- Volunteer pairing (结对帮扶): the volunteer register, pairings of helpers with people, the
-- guardian's consent, visits with their activities and duration (service hours), and the
-- periodic effect checks (进步档案).
--
-- A pairing gives each helper's login a person_assignment per paired person for the pairing's
-- dates: that is what lets a volunteer see (the reduced file of) exactly the people paired with
-- them, and only while the pairing runs. Assignments now carry a window (started_at .. ended_at),
-- so the visibility helper is replaced here to honour it.

create table volunteer (
    id uuid primary key,
    -- The register it belongs to: a town's (or, for a village's own volunteers, the village).
    unit_id uuid not null references org_unit (id),
    -- The volunteer's login (volunteer role, or school staff for a teacher), when they have one.
    account_id uuid references account (id),
    name text not null check (length(btrim(name)) between 1 and 50),
    phone text check (phone ~ '^[0-9+ -]{5,20}$'),
    id_number_sealed bytea,
    id_number_digest bytea,
    organisation text not null
        check (organisation in ('party_member', 'five_elders', 'teacher', 'student', 'womens_federation', 'company', 'other')),
    organisation_name text check (length(organisation_name) <= 100),
    skills text[] not null default '{}'
        check (skills <@ array['tutoring', 'counselling', 'medical', 'legal', 'daily_care']),
    availability text check (length(availability) <= 500),
    screening_status text not null check (screening_status in ('pending', 'passed', 'failed')),
    screened_on date,
    content_hash bytea not null,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((id_number_sealed is null) = (id_number_digest is null)),
    check (screening_status = 'pending' or screened_on is not null)
);
create unique index volunteer_id_number on volunteer (unit_id, id_number_digest) where id_number_digest is not null;
create unique index volunteer_account on volunteer (account_id) where account_id is not null;
create index volunteer_unit on volunteer (unit_id, name);

create table pairing (
    id uuid primary key,
    -- The smallest unit holding all the paired people (filed there; scopes are checked on it).
    unit_id uuid not null references org_unit (id),
    kind text not null check (kind in ('proxy_parent', 'caring_mother', 'temporary_father', 'learning_buddy', 'elder_companion', 'other')),
    goals text not null check (length(btrim(goals)) between 1 and 2000),
    start_on date not null,
    end_on date,
    status text not null check (status in ('active', 'ended')),
    ended_on date,
    end_reason text check (length(btrim(end_reason)) between 1 and 1000),
    ended_by uuid references account (id),
    created_by uuid not null references account (id),
    content_hash bytea not null,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (end_on is null or end_on >= start_on),
    check ((status = 'ended') = (ended_on is not null and end_reason is not null))
);
create index pairing_unit on pairing (unit_id, status);

create table pairing_person (
    pairing_id uuid not null references pairing (id),
    person_id uuid not null references person (id),
    -- The guardian's consent for a child (who consented, on which day).
    consent_by text check (length(btrim(consent_by)) between 1 and 50),
    consent_on date,
    primary key (pairing_id, person_id),
    check ((consent_by is null) = (consent_on is null))
);
create index pairing_person_person on pairing_person (person_id);

create table pairing_helper (
    pairing_id uuid not null references pairing (id),
    volunteer_id uuid not null references volunteer (id),
    primary key (pairing_id, volunteer_id)
);
create index pairing_helper_volunteer on pairing_helper (volunteer_id);

-- A volunteer's visit: the door check (kind volunteer_visit) plus what was done and for how long.
create table volunteer_visit (
    check_id uuid primary key references door_check (id),
    pairing_id uuid not null references pairing (id),
    volunteer_id uuid not null references volunteer (id),
    person_id uuid not null references person (id),
    occurred_at timestamptz not null,
    activities text[] not null check (cardinality(activities) between 1 and 6 and activities <@ array['tutoring', 'heart_to_heart',
        'daily_care', 'shopping', 'reading_and_chatting', 'family_video_call']),
    duration_minutes integer not null check (duration_minutes between 1 and 720),
    content_hash bytea not null
);
create index volunteer_visit_volunteer on volunteer_visit (volunteer_id, occurred_at);
create index volunteer_visit_pairing on volunteer_visit (pairing_id, occurred_at);

-- Effect checks of a pairing for one person (进步档案), by the village cadre or a teacher.
create table pairing_progress (
    id uuid primary key,
    pairing_id uuid not null references pairing (id),
    person_id uuid not null references person (id),
    assessed_on date not null,
    study text check (study in ('improved', 'steady', 'declined')),
    mood text not null check (mood in ('improved', 'steady', 'declined')),
    living text not null check (living in ('improved', 'steady', 'declined')),
    notes text check (length(notes) <= 2000),
    assessor_account_id uuid not null references account (id),
    assessor_name text not null,
    content_hash bytea not null,
    created_at timestamptz not null default now(),
    foreign key (pairing_id, person_id) references pairing_person (pairing_id, person_id)
);
create index pairing_progress_pairing on pairing_progress (pairing_id, assessed_on desc);

-- Whether one of the pairing's helpers is the caller (security definer: no policy recursion).
create function liushou_pairing_helped_by_me(p_pairing uuid) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return exists (select from pairing_helper h join volunteer v on v.id = h.volunteer_id
                       where h.pairing_id = p_pairing and v.account_id = liushou_account());
    end
    $$;
revoke all on function liushou_pairing_helped_by_me(uuid) from public;
grant execute on function liushou_pairing_helped_by_me(uuid) to liushou_app;

-- Whether a unit is inside, or holds, one of the caller's units of a scope (a town's register
-- is read by the town's village cadres as well as by the town and county).
create function liushou_unit_related(p_unit uuid, p_scope text) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        scope ltree[] := liushou_scope_for(p_scope);
    begin
        return exists (select from org_unit u where u.id = p_unit and (u.path <@ scope or u.path @> scope));
    end
    $$;
revoke all on function liushou_unit_related(uuid, text) from public;
grant execute on function liushou_unit_related(uuid, text) to liushou_app;

-- The smallest unit holding all the given people's units, as the caller sees them (invoker: row-level
-- security leaves out people the caller cannot see).
create function liushou_common_unit(p_people uuid[]) returns uuid
    language plpgsql stable
    as $$
    declare
        common ltree;
        unit_path ltree;
    begin
        for unit_path in select u.path from person p join org_unit u on u.id = p.unit_id where p.id = any(p_people) loop
            if common is null then
                common := unit_path;
            end if;
            while not (unit_path <@ common) loop
                common := subpath(common, 0, nlevel(common) - 1);
            end loop;
        end loop;
        return (select u.id from org_unit u where u.path = common);
    end
    $$;
grant execute on function liushou_common_unit(uuid[]) to liushou_app;

alter table volunteer enable row level security;
create policy volunteer_read on volunteer for select
    using (account_id = liushou_account() or liushou_unit_related(unit_id, 'person_area'));
create policy volunteer_insert on volunteer for insert with check (liushou_unit_in_scope(unit_id, 'person_area'));
create policy volunteer_update on volunteer for update
    using (liushou_unit_in_scope(unit_id, 'person_area')) with check (liushou_unit_in_scope(unit_id, 'person_area'));

alter table pairing enable row level security;
create policy pairing_read on pairing for select
    using (liushou_pairing_helped_by_me(id) or exists (select from pairing_person pp where pp.pairing_id = id));
create policy pairing_insert on pairing for insert
    with check (liushou_unit_in_scope(unit_id, 'person_area') and created_by = liushou_account());
create policy pairing_update on pairing for update
    using (liushou_unit_in_scope(unit_id, 'person_area')) with check (liushou_unit_in_scope(unit_id, 'person_area'));

alter table pairing_person enable row level security;
-- Helpers see a pairing's people (and the guardian's consent) only while they may see the person,
-- i.e. while the pairing runs.
create policy pairing_person_read on pairing_person for select using (exists (select from person p where p.id = person_id));
create policy pairing_person_insert on pairing_person for insert
    with check (liushou_unit_in_scope(liushou_person_unit(person_id), 'person_area'));

alter table pairing_helper enable row level security;
create policy pairing_helper_read on pairing_helper for select using (exists (select from pairing p where p.id = pairing_id));
create policy pairing_helper_insert on pairing_helper for insert
    with check (exists (select from volunteer v where v.id = volunteer_id) and exists (select from pairing p where p.id = pairing_id));

alter table volunteer_visit enable row level security;
create policy volunteer_visit_read on volunteer_visit for select
    using (exists (select from volunteer v where v.id = volunteer_id and v.account_id = liushou_account())
        or exists (select from person p where p.id = person_id));
-- Only the volunteer records their own visits, for their own door check.
create policy volunteer_visit_insert on volunteer_visit for insert
    with check (exists (select from volunteer v where v.id = volunteer_id and v.account_id = liushou_account())
        and exists (select from door_check c where c.id = check_id and c.visitor_account_id = liushou_account() and c.person_id = volunteer_visit.person_id)
        and liushou_pairing_helped_by_me(pairing_id));

alter table pairing_progress enable row level security;
create policy pairing_progress_read on pairing_progress for select using (exists (select from person p where p.id = person_id));
create policy pairing_progress_insert on pairing_progress for insert
    with check (assessor_account_id = liushou_account() and exists (select from person p where p.id = person_id));

grant select, insert, update on volunteer, pairing to liushou_app;
grant select, insert on pairing_person, pairing_helper, volunteer_visit, pairing_progress to liushou_app;

-- Assignments with a window: visible from started_at until ended_at (a pairing's dates).
create or replace function liushou_person_visible(p_person uuid, p_unit uuid, p_village uuid, p_school uuid) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        if exists (select from org_unit u where u.id = p_unit and u.path <@ liushou_scope_for('person_area')) then
            return true;
        end if;
        if p_school is not null and exists (select from org_unit s where s.id = p_school and s.path <@ liushou_scope_for('school')) then
            return true;
        end if;
        if exists (select from clinic_service_area a join org_unit c on c.id = a.clinic_id
                   where a.village_id = p_village and c.path <@ liushou_scope_for('clinic')) then
            return true;
        end if;
        return exists (select from person_assignment pa
                       where pa.person_id = p_person and pa.account_id = liushou_account()
                         and pa.started_at <= now() and (pa.ended_at is null or pa.ended_at > now()));
    end
    $$;

create or replace function person_card_directory(p_person uuid)
    returns table (kind text, name text)
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
            select g.role, a.display_name
            from role_grant g join account a on a.id = g.account_id
            where g.revoked_at is null and a.disabled_at is null and a.kind = 'user'
              and ((g.role = 'village_cadre' and g.unit_id = p.village_id) or (g.role = 'grid_worker' and g.unit_id = p.grid_id))
            union all
            select 'clinic', c.name from clinic_service_area s join org_unit c on c.id = s.clinic_id
            where s.village_id = p.village_id and c.active
            union all
            select 'assignee:' || pa.source, a.display_name from person_assignment pa join account a on a.id = pa.account_id
            where pa.person_id = p.id and pa.started_at <= now() and (pa.ended_at is null or pa.ended_at > now())
            order by 1, 2;
    end
    $$;

-- Pairing rate (结对帮扶率) for a unit and each of its direct children: active people with a
-- pairing running today (China time) ÷ active people. Runs as the caller (row-level security
-- keeps people outside the caller's scope out of both counts).
create function pairing_rate(p_unit uuid)
    returns table (unit_id uuid, unit_name text, paired bigint, people bigint)
    language sql stable
    as $$
    with today as (select (now() at time zone 'Asia/Shanghai')::date as d),
    units as (
        select u.id, u.name, u.path from org_unit u where u.id = p_unit
        union all
        select c.id, c.name, c.path from org_unit c where c.parent_id = p_unit and c.kind in ('village', 'grid', 'town') and c.active
    ),
    people as (
        select p.id, pu.path,
            exists (select from pairing_person pp join pairing g on g.id = pp.pairing_id, today
                    where pp.person_id = p.id and g.status = 'active' and g.start_on <= today.d
                      and (g.end_on is null or g.end_on >= today.d)) as paired
        from person p join org_unit pu on pu.id = p.unit_id
        where p.status = 'active' and pu.path <@ (select path from units where id = p_unit)
    )
    select u.id, u.name, count(*) filter (where pe.paired), count(pe.id)
    from units u left join people pe on pe.path <@ u.path
    group by u.id, u.name, u.path
    order by u.path = (select path from units where id = p_unit) desc, u.name
    $$;
grant execute on function pairing_rate(uuid) to liushou_app;

-- A pairing assigns people to its helpers' logins; such a login may live in the town above the
-- village staff who make the pairing, so the account may also be one the caller's volunteer
-- register shows (the rest of the check is unchanged).
-- Ending an assignment keeps its unit: the check is the caller's scope on the unit it was filed
-- under (the person may have moved since, which made ending a pairing fail).
drop policy person_assignment_update on person_assignment;
create policy person_assignment_update on person_assignment for update
    using (liushou_unit_in_scope(unit_id, 'person_area')) with check (liushou_unit_in_scope(unit_id, 'person_area'));

drop policy person_assignment_insert on person_assignment;
create policy person_assignment_insert on person_assignment for insert
    with check (unit_id = liushou_person_unit(person_id) and liushou_unit_in_scope(unit_id, 'person_area')
        and (exists (select from account a where a.id = account_id)
             or exists (select from volunteer v where v.account_id = person_assignment.account_id)));
