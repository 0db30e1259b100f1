-- Schools (issue 10): each school's roll of left-behind children with its history, status changes
-- and the alerts they raise, dropout-control cases (控辍保学), monthly heart-to-heart talks (谈心),
-- the family-contact log ("五个一", 亲情电话, monthly feedback to migrant parents), learning help plans
-- with progress checks (学习帮扶计划, 进步档案), counsellor designations and counselling records (心理辅导), and the enrolment, retention and
-- kindergarten rates (入学率, 巩固率, 入园率).
--
-- The roll is the history: one row per stay of a child at a school (enrolled … transferred out or
-- completed). The open row (ended_on is null) is the child's current school: a trigger copies its
-- school, stage and boarding into the person file (person.school_id, school_stage and file.child), so
-- the registry and the school scope (liushou.scope.school, which shows staff the children whose
-- school_id is theirs) always follow the roll. A dropped-out child stays on the roll (辍学不销学籍):
-- the school keeps seeing the child while the dropout case is open.
--
-- Scopes set per transaction (LiushouAccess.RowScope):
--   liushou.scope.schools_manage  units whose school rolls the caller manages (county and town admins)
--   liushou.scope.dropout_close   units whose dropout cases the caller closes (town: admin, supervisor)
--   liushou.scope.counselling     units whose counselling details the caller reads (the town supervisor)

create table school_enrolment (
    id uuid primary key,
    person_id uuid not null references person (id),
    school_id uuid not null references org_unit (id),
    stage text not null check (stage in ('kindergarten', 'primary', 'junior_secondary', 'senior_secondary', 'vocational')),
    grade integer not null check (grade between 1 and 6),
    class_name text check (length(btrim(class_name)) between 1 and 30),
    class_teacher_id uuid references account (id),
    boarding boolean not null,
    enrolled_on date not null,
    status text not null check (status in ('enrolled', 'suspended', 'long_absence', 'dropped_out', 'transferred_out', 'completed')),
    ended_on date,
    -- The roll row at the previous school, for a transfer inside the county.
    transferred_from uuid references school_enrolment (id),
    -- Where a transfer went: a school of the county (which opens its own row) or one outside, by name.
    transfer_to_school_id uuid references org_unit (id),
    transfer_to_name text check (length(btrim(transfer_to_name)) between 1 and 100),
    content_hash bytea not null,
    created_by uuid not null references account (id),
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((status in ('transferred_out', 'completed')) = (ended_on is not null)),
    check (ended_on is null or ended_on >= enrolled_on),
    check (transfer_to_school_id is null or transfer_to_name is null)
);
-- One current school per child: concurrent enrolments of one child cannot both succeed.
create unique index school_enrolment_open on school_enrolment (person_id) where ended_on is null;
create index school_enrolment_school on school_enrolment (school_id, ended_on);
create index school_enrolment_person on school_enrolment (person_id, enrolled_on);

create table school_status_change (
    id uuid primary key,
    enrolment_id uuid not null references school_enrolment (id),
    person_id uuid not null references person (id),
    school_id uuid not null references org_unit (id),
    from_status text not null,
    to_status text not null check (to_status in ('enrolled', 'suspended', 'long_absence', 'dropped_out', 'transferred_out', 'completed')),
    effective_on date not null,
    reason text check (length(reason) <= 1000),
    to_school_id uuid references org_unit (id),
    to_school_name text check (length(btrim(to_school_name)) between 1 and 100),
    recorded_by uuid not null references account (id),
    recorded_by_name text not null,
    recorded_at timestamptz not null default now(),
    content_hash bytea not null,
    check (from_status <> to_status),
    check ((to_status = 'transferred_out') = (to_school_id is not null or to_school_name is not null))
);
create index school_status_change_enrolment on school_status_change (enrolment_id, effective_on, recorded_at);

-- 控辍保学: opened by a change to dropped_out (same id as that change), open until the child is back
-- in school (closed by the change that put the child back) or the town closes it with a reason.
create table dropout_case (
    id uuid primary key references school_status_change (id),
    person_id uuid not null references person (id),
    enrolment_id uuid not null references school_enrolment (id),
    school_id uuid not null references org_unit (id),
    -- The child's unit (grid, else village) when the case opened: the town's scopes are checked on it.
    unit_id uuid not null references org_unit (id),
    opened_on date not null,
    status text not null check (status in ('open', 'closed')),
    closed_on date,
    closed_how text check (closed_how in ('returned', 'closed_by_town')),
    close_reason text check (length(btrim(close_reason)) between 1 and 1000),
    closed_by uuid references account (id),
    closed_by_change uuid references school_status_change (id),
    version integer not null default 1,
    check ((status = 'closed') = (closed_on is not null and closed_how is not null)),
    check (closed_how is distinct from 'closed_by_town' or close_reason is not null),
    check (closed_how is distinct from 'returned' or closed_by_change is not null)
);
create unique index dropout_case_open on dropout_case (person_id) where status = 'open';
create index dropout_case_unit on dropout_case (unit_id, status);

-- 谈心: the class teacher's monthly talk with a child on the roll.
create table school_talk (
    id uuid primary key,
    person_id uuid not null references person (id),
    enrolment_id uuid not null references school_enrolment (id),
    school_id uuid not null references org_unit (id),
    talked_on date not null,
    topics text[] not null check (cardinality(topics) between 1 and 7
        and topics <@ array['study', 'family', 'friends', 'health', 'safety', 'feelings', 'other']),
    mood text not null check (mood in ('good', 'ordinary', 'low', 'worrying')),
    concerns text check (length(concerns) <= 2000),
    teacher_account_id uuid not null references account (id),
    teacher_name text not null,
    content_hash bytea not null,
    recorded_at timestamptz not null default now()
);
create index school_talk_school on school_talk (school_id, talked_on);
create index school_talk_person on school_talk (person_id, talked_on desc);

-- 亲情联系: the child's contacts with the migrant parents (亲情电话, video, letters), the parents' contacts
-- with the class and subject teachers, home visits, and the school's monthly feedback to the parents —
-- the "五个一" are counted from it per child per month.
create table family_contact (
    id uuid primary key,
    person_id uuid not null references person (id),
    enrolment_id uuid not null references school_enrolment (id),
    school_id uuid not null references org_unit (id),
    occurred_on date not null,
    kind text not null check (kind in ('phone', 'video', 'letter', 'class_teacher', 'subject_teacher', 'home_visit', 'school_feedback')),
    with_whom text not null check (with_whom in ('father', 'mother', 'both_parents', 'other_family')),
    notes text check (length(notes) <= 1000),
    recorded_by uuid not null references account (id),
    recorded_by_name text not null,
    content_hash bytea not null,
    recorded_at timestamptz not null default now()
);
create index family_contact_school on family_contact (school_id, occurred_on);
create index family_contact_person on family_contact (person_id, occurred_on);

-- 学习帮扶计划: a subject teacher's plan for a child (subjects, goals, measures, review date), linked to the
-- child's learning-buddy pairing (学习帮手) where one exists, with its progress checks (进步档案).
create table learning_plan (
    id uuid primary key,
    person_id uuid not null references person (id),
    enrolment_id uuid not null references school_enrolment (id),
    school_id uuid not null references org_unit (id),
    subjects text[] not null check (cardinality(subjects) between 1 and 6
        and subjects <@ array['chinese', 'mathematics', 'english', 'science', 'reading', 'other']),
    goals text not null check (length(btrim(goals)) between 1 and 2000),
    measures text check (length(measures) <= 2000),
    start_on date not null,
    review_on date not null check (review_on >= start_on),
    pairing_id uuid references pairing (id),
    teacher_account_id uuid not null references account (id),
    teacher_name text not null,
    content_hash bytea not null,
    created_at timestamptz not null default now()
);
create index learning_plan_person on learning_plan (person_id, start_on desc);

create table learning_check (
    id uuid primary key,
    plan_id uuid not null references learning_plan (id),
    person_id uuid not null references person (id),
    school_id uuid not null references org_unit (id),
    checked_on date not null,
    progress text not null check (progress in ('improved', 'steady', 'declined')),
    notes text check (length(notes) <= 2000),
    checked_by uuid not null references account (id),
    checked_by_name text not null,
    content_hash bytea not null,
    recorded_at timestamptz not null default now()
);
create index learning_check_plan on learning_check (plan_id, checked_on);

-- Who counsels at a school: accounts holding school_staff on the school, designated by the town.
create table school_counsellor (
    id uuid primary key,
    school_id uuid not null references org_unit (id),
    account_id uuid not null references account (id),
    designated_by uuid not null references account (id),
    designated_at timestamptz not null default now(),
    revoked_at timestamptz,
    revoked_by uuid references account (id)
);
create unique index school_counsellor_active on school_counsellor (school_id, account_id) where revoked_at is null;

-- 心理辅导: details only for the school's counsellors and the town supervisor.
create table counselling_session (
    id uuid primary key,
    person_id uuid not null references person (id),
    school_id uuid not null references org_unit (id),
    held_on date not null,
    issue text not null check (length(btrim(issue)) between 1 and 2000),
    notes text check (length(notes) <= 4000),
    plan text check (length(plan) <= 2000),
    risk_level text not null check (risk_level in ('low', 'medium', 'high')),
    counsellor_account_id uuid not null references account (id),
    counsellor_name text not null,
    content_hash bytea not null,
    recorded_at timestamptz not null default now()
);
create index counselling_session_person on counselling_session (person_id, held_on desc);

-- Whether a school is one the caller works at, or whose rolls the caller manages.
create function liushou_school_writable(p_school uuid) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return exists (select from org_unit s where s.id = p_school and s.kind = 'school'
                       and (s.path <@ liushou_scope_for('school') or s.path <@ liushou_scope_for('schools_manage')));
    end
    $$;
revoke all on function liushou_school_writable(uuid) from public;
grant execute on function liushou_school_writable(uuid) to liushou_app;

-- Whether the roll of a school is readable by the caller: staff of it, the town managing it, or the
-- staff of the child's own area (village cadres, the town) for the child's rows.
create function liushou_school_roll_visible(p_school uuid, p_person uuid) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return liushou_school_writable(p_school)
            or exists (select from person p join org_unit u on u.id = p.unit_id
                       where p.id = p_person and u.path <@ liushou_scope_for('person_area'));
    end
    $$;
revoke all on function liushou_school_roll_visible(uuid, uuid) from public;
grant execute on function liushou_school_roll_visible(uuid, uuid) to liushou_app;

-- Whether the caller is a designated counsellor of the school (and still its staff).
create function liushou_is_counsellor(p_school uuid) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return exists (select from school_counsellor c join org_unit s on s.id = c.school_id
                       where c.school_id = p_school and c.account_id = liushou_account() and c.revoked_at is null
                         and s.path <@ liushou_scope_for('school')
                         and exists (select from role_grant g where g.account_id = c.account_id and g.unit_id = c.school_id
                                     and g.role = 'school_staff' and g.revoked_at is null));
    end
    $$;
revoke all on function liushou_is_counsellor(uuid) from public;
grant execute on function liushou_is_counsellor(uuid) to liushou_app;

-- Whether an account holds school_staff on the school (a class teacher or counsellor must).
create function liushou_is_school_staff(p_account uuid, p_school uuid) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return exists (select from role_grant g join account a on a.id = g.account_id
                       where g.account_id = p_account and g.unit_id = p_school and g.role = 'school_staff' and g.revoked_at is null
                         and a.disabled_at is null);
    end
    $$;
revoke all on function liushou_is_school_staff(uuid, uuid) from public;
grant execute on function liushou_is_school_staff(uuid, uuid) to liushou_app;

-- Whether `p_to` is an active school of the same county as school `p_from`.
create function liushou_school_in_same_county(p_to uuid, p_from uuid) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return exists (select from org_unit t, org_unit f where t.id = p_to and f.id = p_from and t.kind = 'school' and t.active
                       and subpath(t.path, 0, 1) = subpath(f.path, 0, 1));
    end
    $$;
revoke all on function liushou_school_in_same_county(uuid, uuid) from public;
grant execute on function liushou_school_in_same_county(uuid, uuid) to liushou_app;

-- Copies the open roll row into the person file (school, stage, boarding), with field history.
create function school_roll_sync_person(p_person uuid) returns void
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        p person%rowtype;
        e school_enrolment%rowtype;
        v_school uuid;
        v_stage text;
        v_change uuid := gen_random_uuid();
        v_name text := (select a.username from account a where a.id = liushou_account());
    begin
        select * into p from person where id = p_person for update;
        if not found then
            return;
        end if;
        select * into e from school_enrolment where person_id = p_person and ended_on is null;
        if found then
            v_school := e.school_id;
            v_stage := case when e.status = 'dropped_out' then 'dropped_out' else e.stage end;
        else
            -- Off every roll of the county: a transfer elsewhere keeps the stage, the school is unknown here.
            v_school := null;
            v_stage := p.school_stage;
        end if;
        if p.school_id is not distinct from v_school and p.school_stage is not distinct from v_stage then
            return;
        end if;
        update person set school_id = v_school, school_stage = v_stage,
            file = file || jsonb_build_object('child', (coalesce(file -> 'child', '{}'::jsonb) - 'schoolId')
                || jsonb_build_object('schoolStage', v_stage)
                || case when v_school is null then '{}'::jsonb else jsonb_build_object('schoolId', v_school) end
                || case when e.id is null then '{}'::jsonb else jsonb_build_object('boarding', e.boarding) end),
            version = version + 1, updated_at = now()
        where id = p_person;
        insert into person_change (person_id, change_id, account_id, account_name, action, field, old_value, new_value)
        select p_person, v_change, liushou_account(), v_name, 'school.roll', f.field, f.old_value, f.new_value
        from (values ('child.schoolId', p.school_id::text, v_school::text), ('child.schoolStage', p.school_stage, v_stage)) as f (field, old_value, new_value)
        where f.old_value is distinct from f.new_value;
    end
    $$;
revoke all on function school_roll_sync_person(uuid) from public;

create function school_enrolment_changed() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        perform school_roll_sync_person(new.person_id);
        return null;
    end
    $$;
create trigger school_enrolment_sync after insert or update of school_id, stage, boarding, status, ended_on on school_enrolment
    for each row execute function school_enrolment_changed();

-- Opens the receiving school's roll row of a stored transfer the caller recorded (same id as the
-- change; grade, stage and boarding carried over, class to be set by the new school).
create function school_transfer_open(p_change uuid) returns uuid
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        c school_status_change%rowtype;
        e school_enrolment%rowtype;
    begin
        select * into c from school_status_change where id = p_change;
        if not found or c.to_status <> 'transferred_out' or c.to_school_id is null or c.recorded_by <> liushou_account() then
            return null;
        end if;
        select * into e from school_enrolment where id = c.enrolment_id;
        if e.status <> 'transferred_out' then
            return null;
        end if;
        if exists (select from school_enrolment x where x.id = c.id) then
            -- Opened already by this transfer (a retry), or the id is taken by another row: never silently lose the child.
            if exists (select from school_enrolment x where x.id = c.id and x.transferred_from = e.id and x.person_id = c.person_id) then
                return c.id;
            end if;
            raise exception 'the change id is already used by another enrolment' using errcode = '23505', constraint = 'school_enrolment_pkey';
        end if;
        insert into school_enrolment (id, person_id, school_id, stage, grade, boarding, enrolled_on, status, transferred_from, content_hash, created_by)
        values (c.id, c.person_id, c.to_school_id, e.stage, e.grade, e.boarding, c.effective_on, 'enrolled', e.id, c.content_hash, c.recorded_by);
        return c.id;
    end
    $$;
revoke all on function school_transfer_open(uuid) from public;
grant execute on function school_transfer_open(uuid) to liushou_app;

-- Row-level security.
alter table school_enrolment enable row level security;
create policy school_enrolment_read on school_enrolment for select using (liushou_school_roll_visible(school_id, person_id));
-- A school enrols a child its file names at the school; the town or county (person area) enrols any
-- child of theirs. Seeing a child through a pairing is not enough.
create policy school_enrolment_insert on school_enrolment for insert
    with check (created_by = liushou_account() and liushou_school_writable(school_id)
        and exists (select from person p where p.id = person_id and p.status = 'active'
                    and (p.school_id = school_enrolment.school_id or liushou_unit_in_scope(p.unit_id, 'person_area'))));
create policy school_enrolment_update on school_enrolment for update
    using (liushou_school_writable(school_id)) with check (liushou_school_writable(school_id));

-- A roll row stays the same child's stay at the same school: only placement and status change.
create function school_enrolment_keep_identity() returns trigger
    language plpgsql
    as $$
    begin
        if new.person_id <> old.person_id or new.school_id <> old.school_id or new.enrolled_on <> old.enrolled_on
            or new.transferred_from is distinct from old.transferred_from then
            raise exception 'a roll row keeps its child, school, enrolment date and origin' using errcode = '42501';
        end if;
        return new;
    end
    $$;
create trigger school_enrolment_keep_identity before update on school_enrolment
    for each row execute function school_enrolment_keep_identity();

alter table school_status_change enable row level security;
create policy school_status_change_read on school_status_change for select using (liushou_school_roll_visible(school_id, person_id));
create policy school_status_change_insert on school_status_change for insert
    with check (recorded_by = liushou_account() and liushou_school_writable(school_id)
        and exists (select from school_enrolment e where e.id = enrolment_id and e.person_id = school_status_change.person_id
                    and e.school_id = school_status_change.school_id)
        and (to_school_id is null or liushou_school_in_same_county(to_school_id, school_id)));

alter table dropout_case enable row level security;
create policy dropout_case_read on dropout_case for select
    using (liushou_school_roll_visible(school_id, person_id) or liushou_unit_in_scope(unit_id, 'dropout_close'));
create policy dropout_case_insert on dropout_case for insert
    with check (status = 'open' and liushou_school_writable(school_id)
        and exists (select from school_status_change c where c.id = dropout_case.id and c.to_status = 'dropped_out'
                    and c.enrolment_id = dropout_case.enrolment_id and c.person_id = dropout_case.person_id));
-- The school closes a case when the child is back; the town closes it with a reason.
create policy dropout_case_update on dropout_case for update
    using (liushou_school_writable(school_id) or liushou_unit_in_scope(unit_id, 'dropout_close'))
    with check ((closed_how = 'returned' and liushou_school_writable(school_id))
        or (closed_how = 'closed_by_town' and closed_by = liushou_account() and liushou_unit_in_scope(unit_id, 'dropout_close')));

alter table school_talk enable row level security;
create policy school_talk_read on school_talk for select using (liushou_school_roll_visible(school_id, person_id));
create policy school_talk_insert on school_talk for insert
    with check (teacher_account_id = liushou_account() and liushou_unit_in_scope(school_id, 'school')
        and exists (select from school_enrolment e where e.id = enrolment_id and e.school_id = school_talk.school_id
                    and e.person_id = school_talk.person_id and e.ended_on is null));

alter table family_contact enable row level security;
create policy family_contact_read on family_contact for select using (liushou_school_roll_visible(school_id, person_id));
create policy family_contact_insert on family_contact for insert
    with check (recorded_by = liushou_account() and liushou_unit_in_scope(school_id, 'school')
        and exists (select from school_enrolment e where e.id = enrolment_id and e.school_id = family_contact.school_id
                    and e.person_id = family_contact.person_id and e.ended_on is null));

alter table learning_plan enable row level security;
create policy learning_plan_read on learning_plan for select using (liushou_school_roll_visible(school_id, person_id));
create policy learning_plan_insert on learning_plan for insert
    with check (teacher_account_id = liushou_account() and liushou_unit_in_scope(school_id, 'school')
        and exists (select from school_enrolment e where e.id = enrolment_id and e.school_id = learning_plan.school_id
                    and e.person_id = learning_plan.person_id and e.ended_on is null)
        and (pairing_id is null or exists (select from pairing_person pp join pairing g on g.id = pp.pairing_id
                                           where pp.pairing_id = learning_plan.pairing_id and pp.person_id = learning_plan.person_id
                                             and g.kind = 'learning_buddy')));

alter table learning_check enable row level security;
create policy learning_check_read on learning_check for select using (liushou_school_roll_visible(school_id, person_id));
create policy learning_check_insert on learning_check for insert
    with check (checked_by = liushou_account() and liushou_unit_in_scope(school_id, 'school')
        and exists (select from learning_plan l where l.id = plan_id and l.person_id = learning_check.person_id
                    and l.school_id = learning_check.school_id));

alter table school_counsellor enable row level security;
create policy school_counsellor_read on school_counsellor for select
    using (liushou_school_writable(school_id) or liushou_unit_in_scope(school_id, 'counselling'));
create policy school_counsellor_insert on school_counsellor for insert
    with check (designated_by = liushou_account() and liushou_unit_in_scope(school_id, 'schools_manage')
        and liushou_is_school_staff(account_id, school_id));
create policy school_counsellor_update on school_counsellor for update
    using (liushou_unit_in_scope(school_id, 'schools_manage'))
    with check (liushou_unit_in_scope(school_id, 'schools_manage') and revoked_by = liushou_account());

-- Details: the school's counsellors and the town supervisor only. Everyone else who sees the child
-- gets counselling_summary (dates only).
alter table counselling_session enable row level security;
create policy counselling_session_read on counselling_session for select
    using (liushou_is_counsellor(school_id) or liushou_unit_in_scope(school_id, 'counselling'));
create policy counselling_session_insert on counselling_session for insert
    with check (counsellor_account_id = liushou_account() and liushou_is_counsellor(school_id)
        and exists (select from school_enrolment e where e.person_id = counselling_session.person_id and e.school_id = counselling_session.school_id
                    and e.ended_on is null));

grant select, insert, update on school_enrolment, dropout_case, school_counsellor to liushou_app;
grant select, insert on school_status_change, school_talk, counselling_session, family_contact, learning_plan, learning_check to liushou_app;

-- That sessions happened (date and school), for anyone who may see the child.
create function counselling_summary(p_person uuid)
    returns table (held_on date, school_id uuid, school_name text)
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
            select s.held_on, s.school_id, u.name from counselling_session s join org_unit u on u.id = s.school_id
            where s.person_id = p_person order by s.held_on desc, s.recorded_at desc;
    end
    $$;
revoke all on function counselling_summary(uuid) from public;
grant execute on function counselling_summary(uuid) to liushou_app;

-- Status changes raise alerts: follow-ups routed to the village cadre and the town's child-welfare
-- supervisor (the town's education contact), a third source next to door checks and checkups.
alter table follow_up add column school_status_change_id uuid references school_status_change (id);
alter table follow_up drop constraint follow_up_one_source;
alter table follow_up add constraint follow_up_one_source check (num_nonnulls(check_id, checkup_id, school_status_change_id) = 1);
drop policy follow_up_insert on follow_up;
create policy follow_up_insert on follow_up for insert
    with check (status = 'open' and (
        (check_id is not null and routed_role = follow_up_role(need)
         and exists (select from door_check c where c.id = check_id and c.unit_id = follow_up.unit_id
             and c.person_id is not distinct from follow_up.person_id and c.household_id is not distinct from follow_up.household_id))
        or (checkup_id is not null and need = 'health' and routed_role in ('clinic_staff', 'village_cadre')
            and exists (select from checkup c where c.id = checkup_id and c.person_id = follow_up.person_id)
            and follow_up.unit_id = liushou_person_unit(follow_up.person_id))
        or (school_status_change_id is not null and need = 'schooling' and routed_role in ('village_cadre', 'child_welfare_supervisor')
            and exists (select from school_status_change c where c.id = school_status_change_id and c.person_id = follow_up.person_id
                        and c.to_status in ('transferred_out', 'suspended', 'dropped_out', 'long_absence'))
            and follow_up.unit_id = liushou_person_unit(follow_up.person_id))));

-- A roll row's status on a day: null when the child was not on that roll that day.
create function school_enrolment_status_on(p_enrolment uuid, p_on date) returns text
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        e school_enrolment%rowtype;
    begin
        select * into e from school_enrolment where id = p_enrolment;
        if not found or e.enrolled_on > p_on or (e.ended_on is not null and e.ended_on <= p_on) then
            return null;
        end if;
        return coalesce((select c.to_status from school_status_change c where c.enrolment_id = e.id and c.effective_on <= p_on
                         order by c.effective_on desc, c.recorded_at desc limit 1), 'enrolled');
    end
    $$;
revoke all on function school_enrolment_status_on(uuid, date) from public;

-- Whether a child was in school on a day: on a roll of the county and not dropped out, or
-- transferred before that day to a school outside the county.
create function school_person_in_school(p_person uuid, p_on date) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return exists (select from school_enrolment e where e.person_id = p_person
                       and school_enrolment_status_on(e.id, p_on) in ('enrolled', 'suspended', 'long_absence'))
            or exists (select from school_enrolment e where e.person_id = p_person and e.transfer_to_name is not null and e.ended_on <= p_on
                       and not exists (select from school_enrolment later where later.person_id = p_person and later.id <> e.id
                                       and later.enrolled_on >= e.ended_on and later.enrolled_on <= p_on));
    end
    $$;
revoke all on function school_person_in_school(uuid, date) from public;

-- 入学率, 巩固率 and 入园率 on a day for a unit and its direct child units (towns, villages, grids and
-- schools), for callers whose person area holds the unit, or staff of the school asked for.
--   compulsory age: 6 to 15 full years on the day; preschool age: 3 to 5.
--   children: active persons filed as left-behind children or children in difficulty.
--   geographic units count the children filed there; a school counts the children on its roll that
--   day (dropped-out children stay on the roll).
--   enrolled: in school on the day (see school_person_in_school).
--   cohort (巩固率): compulsory-age children who were in school on 1 September of the school year
--   (at this school, for a school); retained: those still in school on the day, at any school.
create function school_rates(p_unit uuid, p_on date)
    returns table (unit_id uuid, unit_name text, unit_kind text, compulsory bigint, compulsory_enrolled bigint, cohort bigint, retained bigint,
        preschool bigint, preschool_enrolled bigint, year_start date)
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        root org_unit%rowtype;
        v_start date;
    begin
        select * into root from org_unit u where u.id = p_unit
            and (u.path <@ liushou_scope_for('person_area') or (u.kind = 'school' and u.path <@ liushou_scope_for('school')));
        if not found then
            return;
        end if;
        v_start := make_date(extract(year from p_on)::int - case when extract(month from p_on) >= 9 then 0 else 1 end, 9, 1);
        return query
            with units as (
                select u.id, u.name, u.kind, u.path from org_unit u where u.id = p_unit
                union all
                select c.id, c.name, c.kind, c.path from org_unit c
                where root.kind <> 'school' and c.parent_id = p_unit and c.active and c.kind in ('town', 'village', 'grid', 'school')
            ),
            children as (
                select p.id, pu.path as home, extract(year from age(p_on, p.birth_date))::int as years,
                    school_person_in_school(p.id, p_on) as in_school, school_person_in_school(p.id, v_start) as in_school_at_start
                from person p join org_unit pu on pu.id = p.unit_id
                where p.status = 'active' and p.categories && array['left_behind_child', 'child_in_difficulty'] and p.birth_date <= p_on
                  and (root.kind = 'school' or pu.path <@ root.path
                       or exists (select from school_enrolment e join org_unit s on s.id = e.school_id where e.person_id = p.id and s.path <@ root.path))
            ),
            membership as (
                select u.id as unit, c.*,
                    case when u.kind = 'school'
                         then exists (select from school_enrolment e where e.person_id = c.id and e.school_id = u.id
                                      and school_enrolment_status_on(e.id, p_on) is not null)
                         else c.home <@ u.path end as member,
                    case when u.kind = 'school'
                         then exists (select from school_enrolment e where e.person_id = c.id and e.school_id = u.id
                                      and school_enrolment_status_on(e.id, v_start) in ('enrolled', 'suspended', 'long_absence'))
                         else c.home <@ u.path and c.in_school_at_start end as in_cohort
                from units u cross join children c
            )
            select u.id, u.name, u.kind,
                count(m.id) filter (where m.member and m.years between 6 and 15),
                count(m.id) filter (where m.member and m.years between 6 and 15 and m.in_school),
                count(m.id) filter (where m.in_cohort and m.years between 6 and 15),
                count(m.id) filter (where m.in_cohort and m.years between 6 and 15 and m.in_school),
                count(m.id) filter (where m.member and m.years between 3 and 5),
                count(m.id) filter (where m.member and m.years between 3 and 5 and m.in_school),
                v_start
            from units u left join membership m on m.unit = u.id
            group by u.id, u.name, u.kind, u.path
            order by u.id = p_unit desc, u.kind, u.name;
    end
    $$;
revoke all on function school_rates(uuid, date) from public;
grant execute on function school_rates(uuid, date) to liushou_app;
