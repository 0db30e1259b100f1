-- Legal aid (法律援助): intake, eligibility (means-tested or regardless of means), assignment to an
-- officer or a lawyer, progress, outcome, with the details confidential to the town's legal-aid
-- office and administrators.
--
-- A case is split in two: `legal_case` holds only that a case exists for a person and its stage
-- (what everyone who may see the person sees, on the timeline too); `legal_case_detail` and
-- `legal_case_note` hold the matter, parties, facts, decisions and notes, readable only under the
-- new scope liushou.scope.legal_aid (legal-aid officers, town and county administrators).
-- Stage changes are compare-and-set on `legal_case.version`; a trigger refuses any change that is
-- not one of the workflow's transitions or that does not advance the version by one.

-- The county holding a unit (the deployment's rules are set per county).
create function liushou_county_of(p_unit uuid) returns uuid
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return (select c.id from org_unit u join org_unit c on u.path <@ c.path
                where u.id = p_unit and c.kind = 'county' order by nlevel(c.path) desc limit 1);
    end
    $$;
revoke all on function liushou_county_of(uuid) from public;
grant execute on function liushou_county_of(uuid) to liushou_app;

-- The display name of an active login holding the legal-aid officer role over a unit (the unit or
-- one above it), or null: cases are assigned only to such officers.
create function liushou_legal_officer_name(p_account uuid, p_unit uuid) returns text
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return (select a.display_name from account a
                where a.id = p_account and a.disabled_at is null
                  and exists (select from role_grant g join org_unit gu on gu.id = g.unit_id join org_unit u on u.id = p_unit
                              where g.account_id = a.id and g.role = 'legal_aid_officer' and g.revoked_at is null and u.path <@ gu.path));
    end
    $$;
revoke all on function liushou_legal_officer_name(uuid, uuid) from public;
grant execute on function liushou_legal_officer_name(uuid, uuid) to liushou_app;

-- Matters (案由): the national list below (county_id null) plus what a county adds.
create table legal_matter (
    id uuid primary key,
    county_id uuid references org_unit (id),
    code text not null check (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name text not null check (length(btrim(name)) between 1 and 50),
    -- Eligible regardless of means (e.g. victims of domestic violence, 法律援助法 art. 32).
    means_free boolean not null default false,
    content_hash bytea,
    created_by uuid references account (id),
    created_at timestamptz not null default now()
);
create unique index legal_matter_national on legal_matter (code) where county_id is null;
create unique index legal_matter_county on legal_matter (county_id, code) where county_id is not null;

insert into legal_matter (id, code, name, means_free) values
    (gen_random_uuid(), 'elder_support', '赡养', false),
    (gen_random_uuid(), 'inheritance', '继承', false),
    (gen_random_uuid(), 'forest_land', '林权纠纷', false),
    (gen_random_uuid(), 'custody_guardianship', '抚养 / 监护', false),
    (gen_random_uuid(), 'domestic_violence', '家庭暴力', true),
    (gen_random_uuid(), 'child_victim_or_offender', '未成年人受侵害或涉罪', true),
    (gen_random_uuid(), 'migrant_wages', '外出务工劳动报酬', true),
    (gen_random_uuid(), 'other', '其他', false);

-- A county's rules: which assistance counts as economic hardship, which person categories are
-- aided regardless of means (minors always are), and the days allowed for the first contact after
-- assignment. A county without a row uses the column defaults.
create table legal_aid_setting (
    county_id uuid primary key references org_unit (id),
    hardship_assistance text[] not null default '{minimum_living,extreme_poverty}'
        check (hardship_assistance <@ array['minimum_living', 'extreme_poverty', 'temporary', 'medical', 'housing']),
    means_free_categories text[] not null default '{}'
        check (means_free_categories <@ array['left_behind_child', 'child_in_difficulty', 'left_behind_woman', 'left_behind_elder']),
    first_contact_days integer not null default 3 check (first_contact_days between 1 and 60),
    version integer not null default 1,
    updated_by uuid references account (id),
    updated_at timestamptz not null default now()
);

create table legal_case (
    id uuid primary key,
    person_id uuid not null references person (id),
    -- The person's unit at intake (grid, else village): the scopes are checked on it.
    unit_id uuid not null references org_unit (id),
    stage text not null check (stage in ('intake', 'eligible', 'refused', 'refusal_upheld', 'assigned', 'in_progress', 'closed')),
    opened_at timestamptz not null default now(),
    version integer not null default 1,
    updated_at timestamptz not null default now()
);
create index legal_case_person on legal_case (person_id, opened_at desc);
create index legal_case_unit on legal_case (unit_id, stage);

create table legal_case_detail (
    case_id uuid primary key references legal_case (id),
    unit_id uuid not null references org_unit (id),
    matter_id uuid not null references legal_matter (id),
    -- The applicant: the person themself, or a guardian acting for a child.
    applicant text not null check (applicant in ('self', 'guardian')),
    guardian_name text check (length(btrim(guardian_name)) between 1 and 50),
    guardian_relationship text check (length(btrim(guardian_relationship)) between 1 and 20),
    guardian_person_id uuid references person (id),
    -- The other parties, by name only.
    parties text[] not null check (cardinality(parties) <= 20),
    facts text not null check (length(btrim(facts)) between 1 and 8000),
    urgency text not null check (urgency in ('normal', 'urgent', 'emergency')),
    channel text not null check (channel in ('follow_up', 'walk_in', 'police', 'school', 'court')),
    follow_up_id uuid references follow_up (id),
    involves_left_behind_child boolean not null,
    opened_by uuid not null references account (id),
    opened_by_name text not null,
    content_hash bytea not null,
    decision text check (decision in ('eligible', 'refused')),
    basis text check (basis in ('economic_hardship', 'minor', 'category', 'matter')),
    refusal_reason text check (length(btrim(refusal_reason)) between 1 and 2000),
    decided_by uuid references account (id),
    decided_by_name text,
    decided_at timestamptz,
    review_decision text check (review_decision in ('overturned', 'upheld')),
    review_reason text check (length(btrim(review_reason)) between 1 and 2000),
    reviewed_by uuid references account (id),
    reviewed_by_name text,
    reviewed_at timestamptz,
    assignee_kind text check (assignee_kind in ('officer', 'lawyer')),
    assignee_account_id uuid references account (id),
    assignee_name text check (length(btrim(assignee_name)) between 1 and 50),
    lawyer_firm text check (length(btrim(lawyer_firm)) between 1 and 100),
    lawyer_licence text check (lawyer_licence ~ '^[0-9A-Za-z]{5,30}$'),
    assigned_at timestamptz,
    first_contact_due timestamptz,
    first_contact_at timestamptz,
    mode text check (mode in ('mediation', 'litigation', 'advice')),
    outcome text check (outcome in ('mediated', 'judgment', 'withdrawn', 'referred')),
    closed_on date,
    closing_summary text check (length(closing_summary) <= 2000),
    check ((channel = 'follow_up') = (follow_up_id is not null)),
    check ((applicant = 'guardian') = (guardian_name is not null and guardian_relationship is not null)),
    check (decision is null or (decided_by is not null and decided_at is not null)),
    check (decision <> 'eligible' or basis is not null),
    check (decision <> 'refused' or refusal_reason is not null),
    check (review_decision is null or (decision is not null and reviewed_by is not null and reviewed_by <> decided_by and review_reason is not null)),
    check (assignee_kind is null or (assigned_at is not null and first_contact_due is not null and assignee_name is not null)),
    check (assignee_kind <> 'officer' or assignee_account_id is not null),
    check (assignee_kind <> 'lawyer' or (lawyer_firm is not null and lawyer_licence is not null)),
    check ((outcome is null) = (closed_on is null))
);
create index legal_case_detail_due on legal_case_detail (first_contact_due) where first_contact_at is null and assigned_at is not null;

create table legal_case_note (
    id uuid primary key,
    case_id uuid not null references legal_case (id),
    unit_id uuid not null references org_unit (id),
    at timestamptz not null default now(),
    author_id uuid not null references account (id),
    author_name text not null,
    body text not null check (length(btrim(body)) between 1 and 4000),
    content_hash bytea not null
);
create index legal_case_note_case on legal_case_note (case_id, at);

-- The workflow's transitions (LegalWorkflow in LiushouLegalAid); anything else is refused.
create function legal_case_stage_guard() returns trigger
    language plpgsql
    as $$
    begin
        if new.version <> old.version + 1 then
            raise exception 'a legal case''s version advances by one per change' using errcode = 'check_violation';
        end if;
        if new.person_id <> old.person_id or new.unit_id <> old.unit_id or new.opened_at <> old.opened_at then
            raise exception 'a legal case keeps its person, unit and intake time' using errcode = 'check_violation';
        end if;
        if (old.stage, new.stage) not in (
            ('intake', 'eligible'), ('intake', 'refused'), ('intake', 'closed'),
            ('refused', 'eligible'), ('refused', 'refusal_upheld'),
            ('eligible', 'assigned'), ('eligible', 'closed'),
            ('assigned', 'assigned'), ('assigned', 'in_progress'), ('assigned', 'closed'),
            ('in_progress', 'closed')) then
            raise exception 'no transition from % to %', old.stage, new.stage using errcode = 'check_violation';
        end if;
        return new;
    end
    $$;
create trigger legal_case_stage_guard before update on legal_case for each row execute function legal_case_stage_guard();

alter table legal_matter enable row level security;
create policy legal_matter_read on legal_matter for select using (county_id is null or liushou_unit_related(county_id, 'legal_aid'));
create policy legal_matter_insert on legal_matter for insert
    with check (county_id is not null and liushou_unit_in_scope(county_id, 'legal_aid') and created_by = liushou_account());

alter table legal_aid_setting enable row level security;
create policy legal_aid_setting_read on legal_aid_setting for select using (liushou_unit_related(county_id, 'legal_aid'));
create policy legal_aid_setting_insert on legal_aid_setting for insert
    with check (liushou_unit_in_scope(county_id, 'legal_aid') and updated_by = liushou_account());
create policy legal_aid_setting_update on legal_aid_setting for update
    using (liushou_unit_in_scope(county_id, 'legal_aid'))
    with check (liushou_unit_in_scope(county_id, 'legal_aid') and updated_by = liushou_account());

-- That a case exists, and its stage: whoever sees the person, and the legal-aid office.
alter table legal_case enable row level security;
create policy legal_case_read on legal_case for select
    using (liushou_unit_in_scope(unit_id, 'legal_aid') or exists (select from person p where p.id = person_id));
create policy legal_case_insert on legal_case for insert
    with check (stage = 'intake' and version = 1 and unit_id = liushou_person_unit(person_id)
        and liushou_unit_in_scope(unit_id, 'legal_aid'));
create policy legal_case_update on legal_case for update
    using (liushou_unit_in_scope(unit_id, 'legal_aid')) with check (liushou_unit_in_scope(unit_id, 'legal_aid'));

-- The details and notes: the legal-aid scope only.
alter table legal_case_detail enable row level security;
create policy legal_case_detail_read on legal_case_detail for select using (liushou_unit_in_scope(unit_id, 'legal_aid'));
create policy legal_case_detail_insert on legal_case_detail for insert
    with check (liushou_unit_in_scope(unit_id, 'legal_aid') and opened_by = liushou_account()
        and exists (select from legal_case c where c.id = case_id and c.unit_id = legal_case_detail.unit_id));
create policy legal_case_detail_update on legal_case_detail for update
    using (liushou_unit_in_scope(unit_id, 'legal_aid')) with check (liushou_unit_in_scope(unit_id, 'legal_aid'));

alter table legal_case_note enable row level security;
create policy legal_case_note_read on legal_case_note for select using (liushou_unit_in_scope(unit_id, 'legal_aid'));
create policy legal_case_note_insert on legal_case_note for insert
    with check (liushou_unit_in_scope(unit_id, 'legal_aid') and author_id = liushou_account()
        and exists (select from legal_case c where c.id = case_id and c.unit_id = legal_case_note.unit_id));

grant select, insert on legal_matter, legal_case_note to liushou_app;
grant select, insert, update on legal_aid_setting, legal_case, legal_case_detail to liushou_app;

-- The stage event on the person's timeline, written for the legal-aid office of the case's unit even
-- when the person has since moved out of its scope (the event carries the stage only).
create function legal_case_timeline(p_case uuid, p_person uuid, p_summary text) returns boolean
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        if not exists (select from legal_case c where c.id = p_case and c.person_id = p_person
                       and liushou_unit_in_scope(c.unit_id, 'legal_aid')) then
            raise exception 'legal case not in scope' using errcode = '42501';
        end if;
        insert into person_event (id, person_id, module, kind, summary, account_name, record_id)
        values (gen_random_uuid(), p_person, 'legal_aid', 'legal_case.stage', p_summary, '司法所', p_case::text);
        return true;
    end
    $$;
revoke all on function legal_case_timeline(uuid, uuid, text) from public;
grant execute on function legal_case_timeline(uuid, uuid, text) to liushou_app;
