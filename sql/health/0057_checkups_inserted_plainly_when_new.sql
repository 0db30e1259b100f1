-- A clinic batch's checkups are inserted plainly when none of their records is stored yet (issue 23).
--
-- `checkups_record` (0040, 0053) wrote every part with `on conflict (clinic_id, record_id) do
-- nothing returning checkup.id`. The conflict clause makes each row a speculative insertion (the
-- unique index probed before the insert and confirmed after it), and `returning` runs the read
-- policy of `checkup` on every row inserted. Almost every part is new records; a retry is the
-- exception, and a record sent by two transactions at once rarer still.
--
-- The records this clinic has stored are now looked up first, one index probe a row (the `limit 1`
-- keeps the planner from turning the test into an anti-join that reads the table), and the other
-- rows are inserted plainly: either all of them go in, and they are the ones created, or the
-- statement fails. If a record is nonetheless taken when its row goes in (another transaction
-- stored it meanwhile, or the caller's policies hide the stored one), the unique violation undoes
-- that statement alone (the block's subtransaction) and the rows go in as 0053 inserted them.
--
-- The answers are 0053's but for one case: a row whose record is stored and which would itself
-- fail the insert's policy or checks was an error with 0053 (the conflict clause still checks a
-- conflicting row) and is now answered duplicate or conflict, as a row that passes them is. The
-- rest of the function is 0053's.
--
-- Measured on a kept county (500,000 people, demo.clinic, `pg_stat_statements`, 16 parts of 2,500
-- each run, alternating with 0053's function): the insert 103 and 112 ms a part before, 82 and 91
-- after; a batch of 5,000 over HTTP 402 and 423 ms (median) before, 386 and 399 after.

create or replace function checkups_record(p_rows jsonb)
    returns table (input_id uuid, id uuid, status text)
    language plpgsql
    as $$
    declare
        input checkup_input[] := array(select r from jsonb_populate_recordset(null::checkup_input, p_rows) r);
        created uuid[];
    begin
        begin
            created := array(
                select i.id from unnest(input) i
                where not exists (select from checkup c where c.clinic_id = i.clinic_id and c.record_id = i.record_id limit 1));
            insert into checkup (id, person_id, clinic_id, record_id, checked_on, kind, measurements, diagnoses, findings,
                follow_up_needed, clinician, content_hash, recorded_by)
            select i.id, i.person_id, i.clinic_id, i.record_id, i.checked_on, i.kind, coalesce(i.measurements, '{}'),
                coalesce(i.diagnoses, '{}'), i.findings, i.follow_up_needed, i.clinician, decode(i.content_hash, 'hex'), liushou_account()
            from unnest(input) i
            -- Every row new (the usual part) needs no test of its id; a retry's stored rows are left out.
            where cardinality(created) = cardinality(input) or i.id = any (created);
        exception when unique_violation then
            -- A record stored meanwhile by another transaction, or one this caller cannot see: the
            -- statement is undone and the rows go in as 0053 wrote them, each record once.
            with inserted as (
                insert into checkup (id, person_id, clinic_id, record_id, checked_on, kind, measurements, diagnoses, findings,
                    follow_up_needed, clinician, content_hash, recorded_by)
                select i.id, i.person_id, i.clinic_id, i.record_id, i.checked_on, i.kind, coalesce(i.measurements, '{}'),
                    coalesce(i.diagnoses, '{}'), i.findings, i.follow_up_needed, i.clinician, decode(i.content_hash, 'hex'),
                    liushou_account()
                from unnest(input) i
                on conflict (clinic_id, record_id) do nothing
                returning checkup.id
            )
            select coalesce(array_agg(inserted.id), '{}') into created from inserted;
        end;
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
