-- A checkup's follow-ups and timeline events get time-ordered ids (issue 23), as a door check's
-- did in 0050.
--
-- `checkups_record` made their ids with `gen_random_uuid()`: one random leaf page of `follow_up`'s
-- primary key and of `person_event`'s month a row. They are now made by `liushou_uuid7()`
-- (migration 0049), so a batch's new entries share the pages at the end of each index. The checkup
-- ids themselves are made by the server, time-ordered since 0049's change.
--
-- One more change: a checkup that needs follow-up opens two (the clinic's and the village cadre's),
-- and the person's unit for them was looked up by `liushou_person_unit` (security-definer PL/pgSQL)
-- once for each; it is now looked up once a checkup (the insert policy of `follow_up` still tests
-- each follow-up's unit with it: three calls a checkup instead of four). The follow-ups' statement
-- of a part of 2,500
-- checkups, 250 of them needing follow-up, took 14.6 ms before and 13.3 ms after
-- (`pg_stat_statements`, eight parts each).
--
-- Otherwise the function is 0040's, statement for statement: the same answers, locks and order.
-- No answer depends on how ids sort (the timeline breaks ties of time by id).

create or replace function checkups_record(p_rows jsonb)
    returns table (input_id uuid, id uuid, status text)
    language plpgsql
    as $$
    declare
        input checkup_input[] := array(select r from jsonb_populate_recordset(null::checkup_input, p_rows) r);
        created uuid[];
    begin
        with inserted as (
            insert into checkup (id, person_id, clinic_id, record_id, checked_on, kind, measurements, diagnoses, findings, follow_up_needed,
                clinician, content_hash, recorded_by)
            select i.id, i.person_id, i.clinic_id, i.record_id, i.checked_on, i.kind, coalesce(i.measurements, '{}'), coalesce(i.diagnoses, '{}'),
                i.findings, i.follow_up_needed, i.clinician, decode(i.content_hash, 'hex'), liushou_account()
            from unnest(input) i
            on conflict (clinic_id, record_id) do nothing
            returning checkup.id
        )
        select coalesce(array_agg(inserted.id), '{}') into created from inserted;
        if cardinality(created) > 0 then
            -- Separate statements: a policy's subquery sees only rows of earlier statements.
            -- The person's unit looked up once a checkup, not once for each of its two follow-ups.
            with due as materialized (
                select i.id, i.person_id, liushou_person_unit(i.person_id) as unit_id
                from unnest(input) i join unnest(created) n(id) on n.id = i.id
                where i.follow_up_needed
            )
            insert into follow_up (id, check_id, checkup_id, person_id, unit_id, need, routed_role, status)
            select liushou_uuid7(), null, d.id, d.person_id, d.unit_id, 'health', r.role, 'open'
            from due d cross join (values ('clinic_staff'), ('village_cadre')) as r(role);
            insert into person_event (id, person_id, module, kind, summary, account_name, record_id)
            select liushou_uuid7(), i.person_id, 'health', 'checkup', i.summary, i.account_name, i.id::text
            from unnest(input) i join unnest(created) n(id) on n.id = i.id;
        end if;
        if cardinality(created) = cardinality(input) then
            -- Every row inserted (each under the id it was given).
            return query select i.id, i.id, 'created'::text from unnest(input) i;
            return;
        end if;
        return query
            select i.id, coalesce(n.id, c.id),
                case when n.id is not null then 'created'
                     when encode(c.content_hash, 'hex') = i.content_hash then 'duplicate'
                     else 'conflict' end
            from unnest(input) i
            left join unnest(created) n (id) on n.id = i.id
            left join lateral (
                select c.id, c.content_hash from checkup c
                where n.id is null and c.clinic_id = i.clinic_id and c.record_id = i.record_id
                -- One row at most (a unique key); the limit keeps the lookup an index probe per row.
                limit 1
            ) c on true;
    end
    $$;
