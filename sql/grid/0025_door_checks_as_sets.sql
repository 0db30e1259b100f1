-- Door checks recorded as sets (issue 23). An offline batch of 1,000 checks used to run its
-- statements once per check (insert, obligation update through a function, timeline, follow-ups):
-- about 0.9 ms of database time a check. Now each kind of write is one statement for the whole
-- batch, under the caller's row-level security as before, with the same answers item by item:
--   * items are taken in the order the client sent them; the first item of an id inserts it; a
--     later item of the same id, or an id already stored, answers duplicate (same content hash) or
--     conflict;
--   * an obligation moves to the latest satisfying check of the batch (ties: the earlier item),
--     only if that is later than its last check — what applying the checks in order did;
--   * obligation rows are locked in (person, rule) order, so concurrent batches cannot deadlock on them.

-- One item of door_checks_record's JSON array, read once.
create type door_check_item as (
    ord bigint,
    id uuid,
    person_id uuid,
    household_id uuid,
    unit_id uuid,
    visitor_account_id uuid,
    visitor_name text,
    visitor_role text,
    occurred_at timestamptz,
    channel text,
    kind text,
    outcome text,
    needs text[],
    notes text,
    latitude double precision,
    longitude double precision,
    content_hash bytea,
    summary text,
    -- The item that inserts its id (the first of its id in the batch).
    first boolean
);

-- A person whose obligations a stored check may satisfy.
create type visit_check_target as (
    check_id uuid,
    ord bigint,
    member uuid,
    kind text,
    occurred_at timestamptz
);

-- Moves forward the obligations that stored checks satisfy (each check's person, or every active
-- member of its household). Acts only on checks that exist, so it cannot be used to fake a visit.
create function visit_obligations_satisfy_many(p_checks uuid[]) returns void
    language plpgsql security definer set search_path = public, pg_temp
    -- Planned once a session: a custom plan for every call costs more than the write of one check.
    set plan_cache_mode = force_generic_plan
    as $$
    declare
        v_targets visit_check_target[];
    begin
        select array_agg(row(c.id, n.ord, coalesce(c.person_id, m.id), c.kind, c.occurred_at)::visit_check_target)
            into v_targets
        from unnest(p_checks) with ordinality as n (id, ord)
        join door_check c on c.id = n.id
        left join person m on c.household_id is not null and m.household_id = c.household_id and m.status = 'active'
        where door_check_outcome_sees_person(c.outcome) and (c.person_id is not null or m.id is not null);
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
revoke all on function visit_obligations_satisfy_many(uuid[]) from public;
grant execute on function visit_obligations_satisfy_many(uuid[]) to liushou_app;

-- Records door checks given as a JSON array (one check or a batch of 1,000), each kind of write one
-- statement. Runs as the caller: row-level security decides what may be inserted. Each item answers
-- created, duplicate (same id, same content) or conflict (same id, different content), in order.
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

        with inserted as (
            insert into door_check (id, person_id, household_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at,
                channel, kind, outcome, needs, notes, latitude, longitude, content_hash)
            select i.id, i.person_id, i.household_id, i.unit_id, i.visitor_account_id, i.visitor_name, i.visitor_role, i.occurred_at,
                i.channel, i.kind, i.outcome, i.needs, i.notes, i.latitude, i.longitude, i.content_hash
            -- Every item is offered, repeats too: each passes the policies and checks as it did one
            -- at a time; a repeat of an id then meets the first and is skipped.
            from unnest(v_items) i
            order by i.ord
            on conflict on constraint door_check_pkey do nothing
            returning door_check.id
        )
        select coalesce(array_agg(inserted.id), '{}') into v_created from inserted;

        if cardinality(v_created) > 0 then
            perform visit_obligations_satisfy_many(array(select i.id from unnest(v_items) i where i.first and i.id = any (v_created) order by i.ord));
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

        -- A stored check is read only for an item that did not insert its id.
        return query
            select i.id,
                case when i.first and i.id = any (v_created) then 'created'
                     when (select c.content_hash from door_check c where c.id = i.id) = i.content_hash then 'duplicate'
                     else 'conflict' end
            from unnest(v_items) i
            order by i.ord;
    end
    $$;

-- The per-check function is no longer called.
drop function visit_obligations_satisfy(uuid);
