-- A door check's timeline events and follow-ups get time-ordered ids (issue 23).
--
-- `door_checks_record` made their ids with `gen_random_uuid()`: one random leaf page of
-- `person_event`'s month and of `follow_up`'s primary key a row. They are now made by
-- `liushou_uuid7()` (migration 0049), so a batch's new entries share the pages at the end of each
-- index. The field app makes its checks' own ids the same way since this change (the key table
-- `door_check_key` and each month's primary key take them): in the benchmark's county of 4.4
-- million stored checks, claiming the keys of a batch of 1,000 took 23-33 ms with random ids and
-- 6.6-7.2 ms with time-ordered ones (`pg_stat_statements`, the same database, alternating).
--
-- Otherwise the function is 0036's, statement for statement: the same answers, locks and order.
-- No answer depends on how ids sort (the timeline breaks ties of time by id, as it did with random
-- ids); an id made by an older client (or another system) is random and is taken as before.

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
            select liushou_uuid7(), m.member, i.occurred_at, 'grid', 'door_check.' || i.kind, i.summary, i.visitor_name, i.id::text
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
                select liushou_uuid7(), i.id, i.person_id, i.household_id, i.unit_id, n.need, follow_up_role(n.need), 'open'
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
