-- Relief cases (帮扶救助): a need raised for a person goes submitted → village reviewed → town
-- decided (approved with an amount, or rejected with a reason) → paid → closed, or is withdrawn;
-- a rejected case may be appealed once (it goes back to "village_reviewed", awaiting a new town
-- decision with a fresh deadline).
--
-- Guards mirrored from the Swift state machine (LiushouRelief.ReliefStateMachine):
--   * relief_state_edge lists the legal transitions and the row scope (role) each needs; a trigger
--     refuses any other change of state, a version that does not move by one, a filing field that
--     changes, and an actor without the edge's scope on the case's unit;
--   * a transition row names the version it started from: unique (case_id, seq), so two concurrent
--     transitions from one version cannot both be recorded; unique (case_id, idempotency_key) so a
--     retried request is answered from its first result and never applied twice;
--   * one open case per person and type (partial unique index);
--   * the decision deadline is computed here (relief_decision_due, working days by the county's
--     calendar of holidays and exchanged weekend days) and checked on insert.
--
-- Scopes (set per transaction like the registry's):
--   liushou.scope.relief          read, raise, withdraw, appeal
--   liushou.scope.relief_review   village review (村级评议)
--   liushou.scope.relief_decide   town decision, closing
--   liushou.scope.relief_pay      payment
--   liushou.scope.relief_rules    county case types and deadlines
-- Amounts are in fen (bigint); there is no floating point in any amount.

create table relief_case_type (
    id uuid primary key,
    -- NULL: a platform default; else the county that adds the type or overrides a default's rules.
    county_id uuid references org_unit (id),
    type_key text not null check (type_key ~ '^[a-z0-9_]{2,40}$'),
    name text not null check (length(btrim(name)) between 1 and 100),
    -- Emergency cases are decided within this many hours (24 by policy).
    emergency_hours integer not null check (emergency_hours between 1 and 168),
    -- Normal cases within this many working days (Monday to Friday, China Standard Time).
    decision_working_days integer not null check (decision_working_days between 1 and 90),
    max_amount_fen bigint check (max_amount_fen > 0),
    created_by uuid references account (id),
    created_at timestamptz not null default now()
);
create unique index relief_case_type_key on relief_case_type (coalesce(county_id, '00000000-0000-0000-0000-000000000000'::uuid), type_key);

insert into relief_case_type (id, county_id, type_key, name, emergency_hours, decision_working_days, max_amount_fen) values
    ('7b2c0d1f-0001-4000-8000-000000000001', null, 'minimum_living', '最低生活保障（低保）', 24, 20, null),
    ('7b2c0d1f-0001-4000-8000-000000000002', null, 'extreme_poverty', '特困人员救助供养', 24, 20, null),
    ('7b2c0d1f-0001-4000-8000-000000000003', null, 'temporary', '临时救助', 24, 5, null),
    ('7b2c0d1f-0001-4000-8000-000000000004', null, 'medical', '医疗救助', 24, 10, null),
    ('7b2c0d1f-0001-4000-8000-000000000005', null, 'education', '教育资助（金秋助学、两免一补）', 24, 10, null),
    ('7b2c0d1f-0001-4000-8000-000000000006', null, 'happiness_project', '幸福工程', 24, 15, null),
    ('7b2c0d1f-0001-4000-8000-000000000007', null, 'emergency_help', '生活、生产应急救助', 24, 3, null);

-- The legal transitions and the row scope whose holder may take each.
create table relief_state_edge (
    from_state text not null,
    to_state text not null,
    action text not null,
    scope text not null,
    primary key (from_state, to_state)
);
insert into relief_state_edge (from_state, to_state, action, scope) values
    ('submitted', 'village_reviewed', 'review', 'relief_review'),
    ('village_reviewed', 'approved', 'approve', 'relief_decide'),
    ('village_reviewed', 'rejected', 'reject', 'relief_decide'),
    ('approved', 'paid', 'pay', 'relief_pay'),
    ('paid', 'closed', 'close', 'relief_decide'),
    ('submitted', 'withdrawn', 'withdraw', 'relief'),
    ('village_reviewed', 'withdrawn', 'withdraw', 'relief'),
    ('rejected', 'village_reviewed', 'appeal', 'relief');

create table relief_case (
    -- Chosen by the client, so a retried submission is recognised (same id and content: the same case).
    id uuid primary key,
    person_id uuid not null references person (id),
    household_id uuid references household (id),
    -- The person's unit (grid or village) when the case was raised: the unit scopes are checked on.
    unit_id uuid not null references org_unit (id),
    village_id uuid not null references org_unit (id),
    type_id uuid not null references relief_case_type (id),
    type_key text not null,
    urgency text not null check (urgency in ('emergency', 'normal')),
    need text not null check (length(btrim(need)) between 1 and 2000),
    amount_requested_fen bigint not null check (amount_requested_fen between 0 and 10000000000),
    amount_granted_fen bigint check (amount_granted_fen > 0),
    documents text[] not null check (cardinality(documents) <= 50),
    source text not null check (source in ('follow_up', 'cadre', 'self')),
    follow_up_id uuid references follow_up (id),
    officer_account_id uuid references account (id),
    raised_by uuid not null references account (id),
    raised_by_name text not null,
    state text not null check (state in ('submitted', 'village_reviewed', 'approved', 'rejected', 'paid', 'closed', 'withdrawn')),
    appeals integer not null default 0 check (appeals between 0 and 1),
    submitted_at timestamptz not null default now(),
    -- When the current decision clock started (submission, or the appeal) and when it runs out.
    decision_clock_from timestamptz not null default now(),
    decision_due_at timestamptz not null,
    decided_at timestamptz,
    decision_reason text,
    paid_on date,
    paid_amount_fen bigint check (paid_amount_fen > 0),
    payment_channel text check (payment_channel in ('bank_transfer', 'social_security_card', 'cash')),
    closed_at timestamptz,
    -- SHA-256 of the client's submission: a retry with the same id is the same case only if equal.
    content_hash bytea not null,
    version integer not null default 1,
    updated_at timestamptz not null default now(),
    check ((source = 'follow_up') = (follow_up_id is not null)),
    check ((state in ('approved', 'paid', 'closed')) = (amount_granted_fen is not null)),
    check ((state in ('paid', 'closed')) = (paid_on is not null and paid_amount_fen is not null and payment_channel is not null)),
    check (paid_amount_fen is null or paid_amount_fen <= amount_granted_fen),
    check ((state = 'rejected') <= (decision_reason is not null))
);
-- The duplicate guard: one open case of a type per person.
create unique index relief_case_open on relief_case (person_id, type_key) where state in ('submitted', 'village_reviewed', 'approved', 'paid');
create index relief_case_village on relief_case (village_id, state);
create index relief_case_person on relief_case (person_id, submitted_at desc);
create index relief_case_due on relief_case (decision_due_at) where state in ('submitted', 'village_reviewed');
create index relief_case_paid on relief_case (village_id, paid_on) where paid_on is not null;

create table relief_transition (
    id uuid primary key,
    case_id uuid not null references relief_case (id),
    -- The case's version the transition started from.
    seq integer not null,
    action text not null,
    from_state text not null,
    to_state text not null,
    actor_account_id uuid not null references account (id),
    actor_name text not null,
    actor_role text not null,
    at timestamptz not null default now(),
    comment text check (length(comment) <= 2000),
    amount_fen bigint check (amount_fen > 0),
    paid_on date,
    channel text,
    idempotency_key text not null check (length(idempotency_key) between 1 and 200),
    -- SHA-256 of the request body: the same key with another body is refused.
    request_hash bytea not null,
    unique (case_id, seq),
    unique (case_id, idempotency_key),
    foreign key (from_state, to_state) references relief_state_edge (from_state, to_state)
);

-- A county's calendar of exceptions to Monday-to-Friday: public holidays (working = false) and
-- weekend days worked in exchange (调休, working = true).
create table relief_calendar_day (
    county_id uuid not null references org_unit (id),
    day date not null,
    working boolean not null,
    note text check (length(note) <= 100),
    updated_by uuid references account (id),
    updated_at timestamptz not null default now(),
    primary key (county_id, day)
);

-- A deadline `p_days` working days after `p_from`, at the same local time of day (China Standard
-- Time): Monday to Friday, except the days the county's calendar marks otherwise.
create function relief_add_working_days(p_from timestamptz, p_days integer, p_county uuid default null) returns timestamptz
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        v_local timestamp := p_from at time zone 'Asia/Shanghai';
        v_left integer := p_days;
        v_working boolean;
    begin
        while v_left > 0 loop
            v_local := v_local + interval '1 day';
            select c.working into v_working from relief_calendar_day c where c.county_id = p_county and c.day = v_local::date;
            if not found then
                v_working := extract(isodow from v_local) < 6;
            end if;
            if v_working then
                v_left := v_left - 1;
            end if;
        end loop;
        return v_local at time zone 'Asia/Shanghai';
    end
    $$;
revoke all on function relief_add_working_days(timestamptz, integer, uuid) from public;
grant execute on function relief_add_working_days(timestamptz, integer, uuid) to liushou_app;

-- When a case of a type filed in a unit must be decided, counted from `p_from`: emergency within the
-- type's hours, others within its working days by the unit's county calendar.
create function relief_decision_due(p_from timestamptz, p_urgency text, p_type uuid, p_unit uuid) returns timestamptz
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        t relief_case_type%rowtype;
        v_county uuid;
    begin
        select * into t from relief_case_type where id = p_type;
        if not found then
            return null;
        end if;
        if p_urgency = 'emergency' then
            return p_from + make_interval(hours => t.emergency_hours);
        end if;
        select c.id into v_county from org_unit u join org_unit c on c.path = subpath(u.path, 0, 1) where u.id = p_unit;
        return relief_add_working_days(p_from, t.decision_working_days, v_county);
    end
    $$;
revoke all on function relief_decision_due(timestamptz, text, uuid, uuid) from public;
grant execute on function relief_decision_due(timestamptz, text, uuid, uuid) to liushou_app;

-- Whether a county is the root of one of the caller's subtrees (its types are read by its staff).
create function liushou_county_of_mine(p_county uuid) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return exists (select from org_unit u, unnest(liushou_scope()) as s (path)
                       where u.id = p_county and u.kind = 'county' and u.path = subpath(s.path, 0, 1));
    end
    $$;
revoke all on function liushou_county_of_mine(uuid) from public;
grant execute on function liushou_county_of_mine(uuid) to liushou_app;

-- Whether an account may be the officer responsible for a case in a unit: it holds relief_officer,
-- town_admin or county_admin on a unit covering it (the caller may not see the officer's town).
create function relief_officer_covers(p_account uuid, p_unit uuid) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return exists (select from role_grant g join org_unit gu on gu.id = g.unit_id join org_unit u on u.id = p_unit
                       join account a on a.id = g.account_id
                       where g.account_id = p_account and g.revoked_at is null and a.disabled_at is null
                         and g.role in ('relief_officer', 'town_admin', 'county_admin') and u.path <@ gu.path);
    end
    $$;
revoke all on function relief_officer_covers(uuid, uuid) from public;
grant execute on function relief_officer_covers(uuid, uuid) to liushou_app;

-- The state machine's guard: a filing never changes; a state changes only along an edge, by one
-- version, by a caller holding the edge's scope on the case's unit; an appeal counts itself.
create function relief_case_guard() returns trigger
    language plpgsql
    as $$
    declare
        e relief_state_edge%rowtype;
    begin
        if new.person_id <> old.person_id or new.unit_id <> old.unit_id or new.village_id <> old.village_id or new.type_id <> old.type_id
            or new.type_key <> old.type_key or new.urgency <> old.urgency or new.need <> old.need
            or new.amount_requested_fen <> old.amount_requested_fen or new.raised_by <> old.raised_by
            or new.submitted_at <> old.submitted_at or new.content_hash <> old.content_hash then
            raise exception 'the filing of a relief case does not change' using errcode = '23514';
        end if;
        if new.state is distinct from old.state then
            select * into e from relief_state_edge where from_state = old.state and to_state = new.state;
            if not found then
                raise exception 'illegal relief case transition % -> %', old.state, new.state using errcode = '23514';
            end if;
            if new.version <> old.version + 1 then
                raise exception 'a relief case transition moves the version by one' using errcode = '23514';
            end if;
            if e.action = 'appeal' and new.appeals <> old.appeals + 1 then
                raise exception 'an appeal is counted' using errcode = '23514';
            end if;
            if coalesce(current_setting('liushou.account_id', true), '') <> '' and not liushou_unit_in_scope(new.unit_id, e.scope) then
                raise exception 'the caller may not % this relief case', e.action using errcode = '42501';
            end if;
        elsif new.appeals <> old.appeals or new.amount_granted_fen is distinct from old.amount_granted_fen
            or new.paid_amount_fen is distinct from old.paid_amount_fen then
            raise exception 'amounts and appeals change only with a transition' using errcode = '23514';
        end if;
        new.updated_at := now();
        return new;
    end
    $$;
create trigger relief_case_guard before update on relief_case for each row execute function relief_case_guard();

-- Row-level security.
alter table relief_case_type enable row level security;
create policy relief_case_type_read on relief_case_type for select using (county_id is null or liushou_county_of_mine(county_id));
create policy relief_case_type_insert on relief_case_type for insert
    with check (county_id is not null and created_by = liushou_account() and liushou_unit_in_scope(county_id, 'relief_rules'));

alter table relief_calendar_day enable row level security;
create policy relief_calendar_read on relief_calendar_day for select using (liushou_county_of_mine(county_id));
create policy relief_calendar_insert on relief_calendar_day for insert
    with check (updated_by = liushou_account() and liushou_unit_in_scope(county_id, 'relief_rules'));
create policy relief_calendar_update on relief_calendar_day for update
    using (liushou_unit_in_scope(county_id, 'relief_rules'))
    with check (updated_by = liushou_account() and liushou_unit_in_scope(county_id, 'relief_rules'));

alter table relief_case enable row level security;
create policy relief_case_read on relief_case for select
    using (liushou_unit_in_scope(unit_id, 'relief') or raised_by = liushou_account());
-- A case is raised, as oneself, for an active person one sees in one's relief scope, with the
-- deadline its type sets.
create policy relief_case_insert on relief_case for insert
    with check (state = 'submitted' and version = 1 and appeals = 0 and raised_by = liushou_account()
        and amount_granted_fen is null and paid_on is null and decided_at is null
        and liushou_unit_in_scope(unit_id, 'relief')
        and exists (select from person p where p.id = person_id and p.unit_id = relief_case.unit_id and p.village_id = relief_case.village_id
                    and p.status = 'active')
        and decision_due_at = relief_decision_due(decision_clock_from, urgency, type_id, village_id)
        and (follow_up_id is null or exists (select from follow_up f where f.id = follow_up_id and f.person_id = relief_case.person_id)));
create policy relief_case_update on relief_case for update
    using (liushou_unit_in_scope(unit_id, 'relief')) with check (liushou_unit_in_scope(unit_id, 'relief'));

alter table relief_transition enable row level security;
create policy relief_transition_read on relief_transition for select using (exists (select from relief_case c where c.id = case_id));
-- A transition is recorded, as oneself, right after the case moved to its target state.
create policy relief_transition_insert on relief_transition for insert
    with check (actor_account_id = liushou_account()
        and exists (select from relief_case c where c.id = case_id and c.state = to_state and c.version = seq + 1));

grant select on relief_state_edge to liushou_app;
grant select, insert on relief_case_type, relief_transition to liushou_app;
grant select, insert, update on relief_case, relief_calendar_day to liushou_app;
