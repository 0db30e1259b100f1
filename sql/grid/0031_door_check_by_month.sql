-- Door checks (`door_check`) partitioned by month, as the timeline was in 0030 (issue 25).
--
-- Door checks are the second largest history: every knock, visit and call of every grid worker,
-- cadre, volunteer and teacher, kept for years, read almost only for the last weeks (a person's
-- latest checks, a village's lists). By China month (Asia/Shanghai), an old month is a partition
-- that can be detached and archived whole, and vacuum and indexes carry only live months.
--
-- A check's id is the client's: an offline phone retries an upload with it, and a retry with the
-- same content answers duplicate, other content conflict. A partitioned table's unique keys must
-- hold the partition key, so the primary key becomes (id, occurred_at) and cannot keep ids unique
-- across months. The id's uniqueness moves to a small table, `door_check_key` (id, occurred_at),
-- one row a check, claimed by a BEFORE INSERT trigger on door_check (security definer: the
-- application role cannot touch the key table otherwise): a row whose id is claimed already, in
-- any month, is not stored, whoever inserts it. A refused insert rolls its claim back with it.
-- Follow-ups and volunteer visits now reference `door_check_key (id)`: their links hold while
-- months are detached.
--
-- Lookups by id alone would probe every month's index (60 months: 60 probes); the write path's
-- lookups give the time too, so only the check's month is read:
--   * `visit_obligations_satisfy_many` takes the checks' ids and times;
--   * `door_checks_record` reads the stored check of a repeated id within a second of the item's
--     time (a content hash holds the time to the second: a duplicate is within a second), as
--     does the server's lookup of stored retries (within the batch's times).
--   * the volunteer visit insert policy and the service-hours list bound the check's time by the
--     visit's (the same instant).
-- The follow-up insert policy still looks a check up by id alone (follow-ups carry no time): a
-- check with needs probes every month's index once per need.
--
-- Statements that join door_check on values known only when they run (these lookups) prune at
-- run time, but PostgreSQL 15 still locks every month's partition and indexes when it starts them:
-- the cost of a write grows with the months kept attached (measured in bench-grid). Detach and
-- archive months that are no longer read.
--
-- The server creates the months ahead (`history_partitions_ensure()`, which now also makes
-- door_check's months). A check dated outside every month lands in `door_check_default` and is
-- moved into its month when that month is created.
--
-- Archiving a month: `set lock_timeout = '5s'; alter table door_check detach partition
-- door_check_y2025m01` (not `concurrently`: PostgreSQL refuses it while a default partition exists),
-- `pg_dump -t door_check_y2025m01`, then drop it. Its rows in `door_check_key` may stay (they
-- keep its ids from being reused, and keep follow-ups and visit records of that month valid); they
-- may be deleted once retries of that age are impossible (the server refuses checks older than 60
-- days) and no follow-up or volunteer visit references them.
--
-- This migration copies the existing rows, holding the table exclusively while it does: it runs
-- with the upgrade's stop-the-world. The key is claimed by a trigger, which does not fire under
-- `session_replication_role = replica`: whatever copies door_check that way (a logical-replication
-- upgrade, a bulk load) copies door_check_key with it.

alter table door_check rename to door_check_unpartitioned;
alter index door_check_pkey rename to door_check_unpartitioned_pkey;
alter index door_check_person rename to door_check_unpartitioned_person;
alter index door_check_household rename to door_check_unpartitioned_household;
alter index door_check_unit rename to door_check_unpartitioned_unit;

create table door_check (
    id uuid not null,
    person_id uuid,
    household_id uuid,
    unit_id uuid not null,
    visitor_account_id uuid not null,
    visitor_name text not null,
    visitor_role text not null,
    occurred_at timestamptz not null,
    received_at timestamptz not null default now(),
    channel text not null,
    kind text not null,
    outcome text not null,
    needs text[] not null,
    notes text,
    latitude double precision,
    longitude double precision,
    -- SHA-256 of the client's content: a retried upload with the same id is a duplicate only if equal.
    content_hash bytea not null,
    constraint door_check_pkey primary key (id, occurred_at),
    constraint door_check_channel_known check (channel in ('in_person', 'phone', 'video')),
    constraint door_check_kind_known check (kind in ('cadre_visit', 'grid_knock', 'volunteer_visit', 'teacher_home_visit')),
    constraint door_check_outcome_known check (outcome in ('all_well', 'needs_follow_up', 'urgent', 'not_home', 'away')),
    constraint door_check_needs_known check (needs <@ array['daily_life', 'health', 'study', 'legal', 'psychological', 'safety']),
    constraint door_check_notes_length check (length(notes) <= 2000),
    constraint door_check_latitude_range check (latitude between -90 and 90),
    constraint door_check_longitude_range check (longitude between -180 and 180),
    constraint door_check_person_or_household check ((person_id is null) <> (household_id is null)),
    -- Each kind of check is made by its own roles.
    constraint door_check_kind_by_role check (
        (kind = 'cadre_visit' and visitor_role in ('village_cadre', 'child_welfare_supervisor', 'town_admin', 'county_admin'))
        or (kind = 'grid_knock' and visitor_role in ('grid_worker', 'village_cadre'))
        or (kind = 'volunteer_visit' and visitor_role = 'volunteer')
        or (kind = 'teacher_home_visit' and visitor_role = 'school_staff'))
) partition by range (occurred_at);
create table door_check_default partition of door_check default;

-- Every check's id, once: what keeps ids unique across months, and what follow-ups and volunteer
-- visits reference.
create table door_check_key (
    id uuid not null,
    occurred_at timestamptz not null,
    constraint door_check_key_pkey primary key (id)
);

-- history_partition_create with the partition key's column named (person_event's is `at`,
-- door_check's `occurred_at`).
drop function history_partition_create(text, date);
create function history_partition_create(p_table text, p_month date, p_column text) returns boolean
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        name text := format('%s_y%sm%s', p_table, to_char(p_month, 'YYYY'), to_char(p_month, 'MM'));
        low timestamptz := date_trunc('month', p_month)::timestamp at time zone 'Asia/Shanghai';
        high timestamptz := (date_trunc('month', p_month) + interval '1 month')::timestamp at time zone 'Asia/Shanghai';
    begin
        if to_regclass(name) is not null then
            return false;
        end if;
        execute format('create table %I (like %I including defaults including constraints)', name, p_table);
        -- Rows of that month that arrived before it had a partition. The default partition is locked
        -- first: a row of that month inserted between the move and the attach would fail the attach.
        execute format('lock table %I in exclusive mode', p_table || '_default');
        execute format('with moved as (delete from %I where %I >= $1 and %I < $2 returning *) insert into %I select * from moved',
            p_table || '_default', p_column, p_column, name) using low, high;
        execute format('alter table %I attach partition %I for values from (%L) to (%L)', p_table, name, low, high);
        return true;
    end
    $$;
revoke all on function history_partition_create(text, date, text) from public;

-- As in 0030, for every partitioned history table: the timeline and door checks, and by default
-- from two months back: a phone offline for weeks uploads checks (accepted up to 60 days old) and
-- their timeline rows into the months they happened in, not into the default partition.
create or replace function history_partitions_ensure(p_months_ahead integer default 3, p_from date default null) returns integer
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        this_month date := date_trunc('month', now() at time zone 'Asia/Shanghai')::date;
        month date;
        created integer := 0;
    begin
        if not pg_try_advisory_xact_lock(hashtext('liushou.history_partitions')) then
            return 0;
        end if;
        perform set_config('lock_timeout', '5s', true);
        for month in
            select generate_series(coalesce(date_trunc('month', p_from)::date, this_month - interval '2 months'),
                this_month + make_interval(months => p_months_ahead), interval '1 month')::date
        loop
            if history_partition_create('person_event', month, 'at') then
                created := created + 1;
            end if;
            if history_partition_create('door_check', month, 'occurred_at') then
                created := created + 1;
            end if;
        end loop;
        return created;
    end
    $$;

-- door_check's months: every month the existing checks fall in (older than six years: left in the
-- default partition), and the next three.
select history_partition_create('door_check', m::date, 'occurred_at')
from generate_series(
    date_trunc('month', coalesce(
        (select greatest(min(occurred_at at time zone 'Asia/Shanghai')::date, (now() - interval '6 years')::date) from door_check_unpartitioned
         having count(*) > 0),
        (now() at time zone 'Asia/Shanghai')::date)),
    date_trunc('month', now() at time zone 'Asia/Shanghai') + interval '3 months',
    interval '1 month') as m;

insert into door_check_key (id, occurred_at)
select id, occurred_at from door_check_unpartitioned;
insert into door_check (id, person_id, household_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at, received_at, channel,
    kind, outcome, needs, notes, latitude, longitude, content_hash)
select id, person_id, household_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at, received_at, channel,
    kind, outcome, needs, notes, latitude, longitude, content_hash
from door_check_unpartitioned;

-- Foreign keys after the copy: each is checked by one query, not per row.
alter table door_check
    add constraint door_check_person_fkey foreign key (person_id) references person (id),
    add constraint door_check_household_fkey foreign key (household_id) references household (id),
    add constraint door_check_unit_fkey foreign key (unit_id) references org_unit (id),
    add constraint door_check_visitor_fkey foreign key (visitor_account_id) references account (id);

-- Every new check claims its id first (after the copy, whose ids are claimed above).
create function door_check_claim_key() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        insert into door_check_key (id, occurred_at) values (new.id, new.occurred_at) on conflict (id) do nothing;
        if not found then
            -- Stored before, in this month or another: the row is not stored again.
            return null;
        end if;
        return new;
    end
    $$;
revoke all on function door_check_claim_key() from public;
create trigger door_check_claim_key before insert on door_check for each row execute function door_check_claim_key();

-- A check's id and time are what its key holds, and moving a check to another month would be a
-- delete and an insert that the key refuses (the check would vanish): neither changes.
create function door_check_keep_key() returns trigger
    language plpgsql
    as $$
    begin
        if new.id is distinct from old.id or new.occurred_at is distinct from old.occurred_at then
            raise exception 'a door check''s id and time do not change' using errcode = 'check_violation';
        end if;
        return new;
    end
    $$;
create trigger door_check_keep_key before update on door_check for each row execute function door_check_keep_key();

-- Follow-ups and volunteer visits reference the key.
alter table follow_up drop constraint follow_up_check_id_fkey;
alter table follow_up add constraint follow_up_check_id_fkey foreign key (check_id) references door_check_key (id);
alter table volunteer_visit drop constraint volunteer_visit_check_id_fkey;
alter table volunteer_visit add constraint volunteer_visit_check_id_fkey foreign key (check_id) references door_check_key (id);

-- Policies naming door_check name the table itself, not its name: the same text again, for the
-- new table (follow_up_insert as 0009 left it, volunteer_visit_insert as 0005 did, its check now
-- looked up within a second of the visit's time: the visit and its check are the same instant).
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
drop policy volunteer_visit_insert on volunteer_visit;
create policy volunteer_visit_insert on volunteer_visit for insert
    with check (exists (select from volunteer v where v.id = volunteer_id and v.account_id = liushou_account())
        and exists (select from door_check c where c.id = check_id and c.visitor_account_id = liushou_account() and c.person_id = volunteer_visit.person_id
            and c.occurred_at between volunteer_visit.occurred_at - interval '1 second' and volunteer_visit.occurred_at + interval '1 second')
        and liushou_pairing_helped_by_me(pairing_id));

-- Nothing else may still reference the old table: dropped without cascade.
drop table door_check_unpartitioned;

create index door_check_person on door_check (person_id, occurred_at desc) where person_id is not null;
create index door_check_household on door_check (household_id, occurred_at desc) where household_id is not null;
create index door_check_unit on door_check (unit_id, occurred_at desc);
analyze door_check;
analyze door_check_key;

-- A visitor records only their own checks of people (or households) they can see (as in 0004).
alter table door_check enable row level security;
create policy door_check_read on door_check for select
    using (visitor_account_id = liushou_account() or liushou_unit_in_scope(unit_id, 'person_area'));
create policy door_check_insert on door_check for insert
    with check (visitor_account_id = liushou_account()
        and occurred_at <= now() + interval '10 minutes' and received_at >= now() - interval '1 minute'
        and exists (select from role_grant g where g.account_id = liushou_account() and g.role = visitor_role and g.revoked_at is null)
        and (exists (select from person p where p.id = person_id and p.unit_id = door_check.unit_id and p.status = 'active')
             or exists (select from household h where h.id = household_id and h.unit_id = door_check.unit_id)));
grant select, insert, update on door_check to liushou_app;

-- Moves forward the obligations that stored checks satisfy (each check's person, or every active
-- member of its household), as 0025's one did, the checks named by id and time so that only their
-- months are read. Acts only on checks that exist, so it cannot be used to fake a visit.
create function visit_obligations_satisfy_many(p_checks uuid[], p_at timestamptz[]) returns void
    language plpgsql security definer set search_path = public, pg_temp
    -- Its static statements are planned once a session: a custom plan for every call costs more
    -- than the write of one check. (The read of door_check below is planned each call, on purpose.)
    set plan_cache_mode = force_generic_plan
    as $$
    declare
        v_targets visit_check_target[];
    begin
        -- Planned with the checks' first and last times as constants (EXECUTE plans it with its
        -- values), so that only their months are opened and locked: a plan that prunes months only
        -- when it runs still locks every attached month and its indexes as it starts (PostgreSQL
        -- 15), which with five years attached halved the writes of single checks.
        execute $read$
            select array_agg(row(c.id, n.ord, coalesce(c.person_id, m.id), c.kind, c.occurred_at)::visit_check_target)
            from unnest($1, $2) with ordinality as n (id, at, ord)
            join door_check c on c.id = n.id and c.occurred_at = n.at
            left join person m on c.household_id is not null and m.household_id = c.household_id and m.status = 'active'
            where c.occurred_at between $3 and $4
              and door_check_outcome_sees_person(c.outcome) and (c.person_id is not null or m.id is not null)
            $read$
            into v_targets
            using p_checks, p_at, (select min(a) from unnest(p_at) a), (select max(a) from unnest(p_at) a);
        if v_targets is null then
            return;
        end if;
        perform from visit_obligation o where o.person_id in (select t.member from unnest(v_targets) t)
            order by o.person_id, o.rule_key for update;
        update visit_obligation o
            set last_check_id = b.check_id, last_check_at = b.occurred_at, next_due_at = b.occurred_at + o.cadence
            from (
                select distinct on (v.person_id, v.rule_key) v.person_id, v.rule_key, t.check_id, t.occurred_at
                from unnest(v_targets) t
                join visit_obligation v on v.person_id = t.member and t.kind = any (v.check_kinds)
                order by v.person_id, v.rule_key, t.occurred_at desc, t.ord
            ) b
            where o.person_id = b.person_id and o.rule_key = b.rule_key
              and (o.last_check_at is null or o.last_check_at < b.occurred_at);
    end
    $$;
revoke all on function visit_obligations_satisfy_many(uuid[], timestamptz[]) from public;
grant execute on function visit_obligations_satisfy_many(uuid[], timestamptz[]) to liushou_app;
drop function visit_obligations_satisfy_many(uuid[]);

-- Records door checks given as a JSON array (one check or a batch of 1,000), as 0025's did, with
-- the same answers item by item: the first item of each id is offered to the insert, in id order
-- (so concurrent batches claim ids in one order and wait for each other rather than deadlock);
-- the trigger stores it unless its id is taken; any other item answers duplicate (the stored check
-- of its id has the same content hash) or conflict.
create or replace function door_checks_record(p_items jsonb)
    returns table (id uuid, status text)
    language plpgsql
    set plan_cache_mode = force_generic_plan
    as $$
    #variable_conflict use_column
    declare
        v_items door_check_item[];
        v_created uuid[];
        -- Whether any item has needs (follow-ups to open).
        v_needs boolean;
    begin
        select bool_or(cardinality(x.needs) > 0 and x.outcome <> 'all_well'), array_agg(row(x.ord, x.id, x.person_id, x.household_id, x.unit_id, x.visitor_account_id, x.visitor_name, x.visitor_role,
                x.occurred_at, x.channel, x.kind, x.outcome, x.needs, x.notes, x.latitude, x.longitude, x.content_hash, x.summary,
                x.first)::door_check_item order by x.ord)
            into v_needs, v_items
        from (
            select y.*, row_number() over (partition by y.id order by y.ord) = 1 as first from (
            select e.ord, (e.item->>'id')::uuid as id, (e.item->>'personId')::uuid as person_id,
                (e.item->>'householdId')::uuid as household_id, (e.item->>'unitId')::uuid as unit_id,
                (e.item->>'visitorAccountId')::uuid as visitor_account_id, e.item->>'visitorName' as visitor_name,
                e.item->>'visitorRole' as visitor_role, (e.item->>'occurredAt')::timestamptz as occurred_at, e.item->>'channel' as channel,
                e.item->>'kind' as kind, e.item->>'outcome' as outcome,
                array(select jsonb_array_elements_text(coalesce(e.item->'needs', '[]'))) as needs, e.item->>'notes' as notes,
                (e.item->>'latitude')::double precision as latitude, (e.item->>'longitude')::double precision as longitude,
                decode(e.item->>'contentHash', 'hex') as content_hash, e.item->>'summary' as summary
            from jsonb_array_elements(p_items) with ordinality as e (item, ord)
        ) y) x;
        if v_items is null then
            return;
        end if;

        -- Under the caller's policies and the table's checks: a refused check fails the batch.
        with stored as (
            insert into door_check (id, person_id, household_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at,
                channel, kind, outcome, needs, notes, latitude, longitude, content_hash)
            select i.id, i.person_id, i.household_id, i.unit_id, i.visitor_account_id, i.visitor_name, i.visitor_role, i.occurred_at,
                i.channel, i.kind, i.outcome, i.needs, i.notes, i.latitude, i.longitude, i.content_hash
            from unnest(v_items) i
            where i.first
            order by i.id
            returning door_check.id
        )
        select coalesce(array_agg(c.id), '{}') into v_created from stored c;

        if cardinality(v_created) > 0 then
            perform visit_obligations_satisfy_many(
                array(select i.id from unnest(v_items) i where i.first and i.id = any (v_created) order by i.ord),
                array(select i.occurred_at from unnest(v_items) i where i.first and i.id = any (v_created) order by i.ord));
            -- Separate statements: a policy's subquery sees only rows of earlier statements.
            insert into person_event (id, person_id, at, module, kind, summary, account_name, record_id)
            select gen_random_uuid(), m.member, i.occurred_at, 'grid', 'door_check.' || i.kind, i.summary, i.visitor_name, i.id::text
            from unnest(v_items) i
            cross join lateral (
                select i.person_id as member where i.person_id is not null
                union all
                select p.id from person p where i.household_id is not null and p.household_id = i.household_id and p.status = 'active'
            ) m
            where i.first and i.id = any (v_created)
            order by i.ord;
            if v_needs then
                insert into follow_up (id, check_id, person_id, household_id, unit_id, need, routed_role, status)
                select gen_random_uuid(), i.id, i.person_id, i.household_id, i.unit_id, n.need, follow_up_role(n.need), 'open'
                from unnest(v_items) i cross join lateral unnest(i.needs) with ordinality as n (need, ord)
                where i.first and i.id = any (v_created) and i.outcome <> 'all_well'
                order by i.ord, n.ord;
            end if;
        end if;

        if cardinality(v_created) = cardinality(v_items) then
            -- Every item stored: no statement that reads door_check (and locks its months) runs.
            return query select i.id, 'created'::text from unnest(v_items) i order by i.ord;
            return;
        end if;

        -- An item that did not insert its id is answered from the stored check, which may be
        -- committed on the primary and not yet on the synchronous standby: a transactional WAL
        -- message makes this transaction's COMMIT wait for the standby too
        -- (PostgresTransaction.commitWaitsForStandby).
        perform pg_logical_emit_message(true, 'liushou.vouch', '');
        -- A stored check is read only for an item that did not insert its id, and only in the
        -- months within a second of the item's time: the content hash holds the time to the second,
        -- so a stored check of that id further away has other content (conflict).
        return query
            select i.id,
                case when i.first and i.id = any (v_created) then 'created'
                     when (select c.content_hash from door_check c
                           where c.id = i.id and c.occurred_at between i.occurred_at - interval '1 second' and i.occurred_at + interval '1 second')
                          = i.content_hash then 'duplicate'
                     else 'conflict' end
            from unnest(v_items) i
            order by i.ord;
    end
    $$;
