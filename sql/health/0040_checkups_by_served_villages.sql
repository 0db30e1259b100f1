-- Checkups tested against the caller's clinics once a statement, and a batch answered without
-- reading back what it just stored (issue 23).
--
-- * `checkup_insert` (0034) joined, for every row, the service areas, the units and the person.
--   It now reads the person's village and asks whether (clinic, village) is among the pairs the
--   caller's clinics serve: an uncorrelated `in`, computed once a statement and hashed. The same
--   rows qualify: a service area of the checkup's clinic for the person's village, the clinic's
--   unit in the caller's clinic scope, each table under its policies as before.
-- * `checkup_read` called `liushou_person_served_by_my_clinic(person_id)` (security-definer
--   PL/pgSQL, about 20 µs a call) for every row read, and for every row `checkups_record` inserts:
--   `INSERT … RETURNING` also tests the read policy. The same test now comes first inline, as
--   0026 did for people: the person, as the caller sees it, in a village the caller's clinics
--   serve. When it holds, the function holds too (it runs the same join without the caller's
--   policies, which can only hide rows); when it fails, the function decides as before.
-- * `checkups_record` answered every row by joining the batch with `checkup` on (clinic,
--   record id) under that read policy, which the planner did by scanning the table. A batch whose
--   rows were all inserted is now answered from the insert alone; otherwise each row not inserted
--   looks its stored checkup up by the (clinic_id, record_id) index.

alter policy checkup_insert on checkup
    with check (recorded_by = liushou_account()
        and exists (select from person p
                    where p.id = checkup.person_id
                      and (checkup.clinic_id, p.village_id) in (
                          select a.clinic_id, a.village_id from clinic_service_area a join org_unit c on c.id = a.clinic_id
                          where c.path <@ (select liushou_scope_for('clinic')))));

alter policy checkup_read on checkup
    using (exists (select from person p
                   where p.id = checkup.person_id
                     and p.village_id in (
                         select a.village_id from clinic_service_area a join org_unit c on c.id = a.clinic_id
                         where c.path <@ (select liushou_scope_for('clinic'))))
        or liushou_person_served_by_my_clinic(person_id));

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
            insert into follow_up (id, check_id, checkup_id, person_id, unit_id, need, routed_role, status)
            select gen_random_uuid(), null, i.id, i.person_id, liushou_person_unit(i.person_id), 'health', r.role, 'open'
            from unnest(input) i join unnest(created) n(id) on n.id = i.id cross join (values ('clinic_staff'), ('village_cadre')) as r(role)
            where i.follow_up_needed;
            insert into person_event (id, person_id, module, kind, summary, account_name, record_id)
            select gen_random_uuid(), i.person_id, 'health', 'checkup', i.summary, i.account_name, i.id::text
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
