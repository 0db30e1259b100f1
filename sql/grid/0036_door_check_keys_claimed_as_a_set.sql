-- Door checks claim their ids as a set, and their insert policy reads the caller's roles once (issue 23).
--
-- Since 0031 every door check claimed its id in `door_check_key` through a BEFORE INSERT trigger:
-- one PL/pgSQL call and one `insert … on conflict` a row, about 15 ms of the 100 ms a batch of
-- 1,000 checks spends in the database, and a trigger call in every single check. The claim is
-- now one statement a batch: `door_checks_record` claims the ids of its new items through
-- `door_check_keys_claim` (in id order, as the trigger's inserts were: concurrent batches wait for
-- each other on shared ids rather than deadlock) and inserts only the items whose ids it claimed.
--
-- What the trigger guaranteed whoever inserts, that an id is stored once across months, is now a
-- foreign key: a check's (id, occurred_at) must be its key's. The key's primary key holds one time
-- per id, so a second row of an id at any other time (in this month or another) has no key and is
-- refused (the trigger skipped it silently; an error says more), and one at the same time collides
-- with the partition's primary key. The foreign key's check is one index lookup per row, which also
-- takes a FOR KEY SHARE lock on the key (about 4 µs a row). Whatever inserts door checks directly
-- (a bulk load, a test) claims their keys first; under `session_replication_role = replica`
-- neither is checked, as before. A check keeps its key for as long as its month is attached: keys
-- of an archived month can go once the month is detached and dropped (and no follow-up or
-- volunteer visit references them). Attaching a new month checks the foreign key on it and locks
-- the key table against claims meanwhile; months are made ahead, empty, so that is a moment.
--
-- The claim function is security definer: the application role still cannot read or write the
-- key table. It claims only for a signed-in account and only times the insert policy accepts; a
-- caller with the application role (only the server's own connections) could still claim an id
-- without storing a check, which makes a later check of that id answer conflict, never overwrite
-- one.
--
-- The insert policy asked for each row whether the caller holds an active grant of the row's
-- visitor role (an index probe and role_grant's own policy, about 7 µs a row). It now reads the
-- caller's active roles once a statement (an uncorrelated `in`, which PostgreSQL hashes): the same
-- rule.
--
-- This migration reads every stored check twice (the keys of checks loaded without them, then the
-- foreign key's validation, which PostgreSQL 15 cannot postpone on a partitioned table): it runs
-- with the upgrade's stop-the-world. An id stored in two months (possible only through loads
-- under `replica`) stops it with the foreign key's error; find such ids with
-- `select id from door_check group by id having count(*) > 1`.

alter table door_check_key
    add constraint door_check_key_id_time_unique unique (id, occurred_at);

-- Checks loaded without their keys (under `session_replication_role = replica`) get them now.
insert into door_check_key (id, occurred_at)
select c.id, c.occurred_at from door_check c
where not exists (select from door_check_key k where k.id = c.id)
on conflict do nothing;

alter table door_check
    add constraint door_check_key_fkey foreign key (id, occurred_at) references door_check_key (id, occurred_at);

drop trigger door_check_claim_key on door_check;
drop function door_check_claim_key();

-- Claims the ids not yet stored, in id order; returns those it claimed.
create function door_check_keys_claim(p_ids uuid[], p_at timestamptz[]) returns setof uuid
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        if liushou_account() is null then
            raise exception 'door check ids are claimed by a signed-in account' using errcode = 'insufficient_privilege';
        end if;
        if exists (select from unnest(p_at) a where a is null or a > now() + interval '10 minutes') then
            raise exception 'a door check''s time is missing or in the future' using errcode = 'check_violation';
        end if;
        return query
            insert into door_check_key (id, occurred_at)
            select k.id, k.at from unnest(p_ids, p_at) as k (id, at) order by k.id
            -- Every unique index an arbiter: two uploads of one check at once both wait on the key,
            -- and the second answers duplicate, whichever index it reaches first.
            on conflict do nothing
            returning door_check_key.id;
    end
    $$;
revoke all on function door_check_keys_claim(uuid[], timestamptz[]) from public;
grant execute on function door_check_keys_claim(uuid[], timestamptz[]) to liushou_app;

alter policy door_check_insert on door_check
    with check (visitor_account_id = liushou_account()
        and occurred_at <= now() + interval '10 minutes' and received_at >= now() - interval '1 minute'
        and visitor_role in (select g.role from role_grant g where g.account_id = liushou_account() and g.revoked_at is null)
        and (exists (select from person p where p.id = person_id and p.unit_id = door_check.unit_id and p.status = 'active')
             or exists (select from household h where h.id = household_id and h.unit_id = door_check.unit_id)));

-- As 0031's, with the same answers item by item: the first item of each id is offered to the
-- claim; the items whose ids it claimed are stored; any other item answers duplicate (the stored
-- check of its id has the same content hash) or conflict. When every item is new (the usual
-- batch), no statement tests items against the claimed ids.
create or replace function door_checks_record(p_items jsonb)
    returns table (id uuid, status text)
    language plpgsql
    set plan_cache_mode = force_generic_plan
    as $$
    #variable_conflict use_column
    declare
        v_items door_check_item[];
        v_created uuid[];
        -- Every item's id claimed: each item is the first of its id and new.
        v_all_new boolean;
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

        v_created := array(select door_check_keys_claim(
            array(select i.id from unnest(v_items) i where i.first),
            array(select i.occurred_at from unnest(v_items) i where i.first)));
        v_all_new := cardinality(v_created) = cardinality(v_items);
        if cardinality(v_created) > 0 then
            -- Under the caller's policies and the table's checks: a refused check fails the batch
            -- (and its claims with it).
            insert into door_check (id, person_id, household_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at,
                channel, kind, outcome, needs, notes, latitude, longitude, content_hash)
            select i.id, i.person_id, i.household_id, i.unit_id, i.visitor_account_id, i.visitor_name, i.visitor_role, i.occurred_at,
                i.channel, i.kind, i.outcome, i.needs, i.notes, i.latitude, i.longitude, i.content_hash
            from unnest(v_items) i
            where i.first and (v_all_new or i.id = any (v_created))
            order by i.id;

            perform visit_obligations_satisfy_many(
                array(select i.id from unnest(v_items) i where i.first and (v_all_new or i.id = any (v_created)) order by i.ord),
                array(select i.occurred_at from unnest(v_items) i where i.first and (v_all_new or i.id = any (v_created)) order by i.ord));
            -- Separate statements: a policy's subquery sees only rows of earlier statements.
            insert into person_event (id, person_id, at, module, kind, summary, account_name, record_id)
            select gen_random_uuid(), m.member, i.occurred_at, 'grid', 'door_check.' || i.kind, i.summary, i.visitor_name, i.id::text
            from unnest(v_items) i
            cross join lateral (
                select i.person_id as member where i.person_id is not null
                union all
                select p.id from person p where i.household_id is not null and p.household_id = i.household_id and p.status = 'active'
            ) m
            where i.first and (v_all_new or i.id = any (v_created))
            order by i.ord;
            if v_needs then
                insert into follow_up (id, check_id, person_id, household_id, unit_id, need, routed_role, status)
                select gen_random_uuid(), i.id, i.person_id, i.household_id, i.unit_id, n.need, follow_up_role(n.need), 'open'
                from unnest(v_items) i cross join lateral unnest(i.needs) with ordinality as n (need, ord)
                where i.first and (v_all_new or i.id = any (v_created)) and i.outcome <> 'all_well'
                order by i.ord, n.ord;
            end if;
        end if;

        if v_all_new then
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
