-- A checkup's person, clinic and recording account are checked a statement at a time, not a row at a
-- time (issue 23).
--
-- `checkup` referenced them through three foreign keys, each checked for every new row with a query of
-- its own and a row lock. A clinic's batch of 5,000 checkups, written in two halves at once, spent 47
-- of the 99 ms of one half's insert in the keys' checks (2,375 rows: the person's 28 ms, the clinic's
-- 9, the account's 10; `auto_explain` with `log_triggers`, demo county, release build), all of them
-- lookups of one clinic, one account and a few thousand people. The keys are replaced by a trigger that
-- keeps what they kept, as 0071 did for a person's references and 0073 for a door check's: an insert
-- locks the distinct people, clinics and accounts its rows name (`for key share`, as a key's check
-- does), one query a table planned once a session, and fails with foreign_key_violation (23503),
-- naming the old constraint and the missing row; an update that changes one (nothing in the
-- application does) checks the new value with one lookup. Deleting, renumbering or truncating a
-- person, unit or account a checkup names is refused by 0071's guards, only in READ COMMITTED (0069's
-- reasons).
--
-- With the trigger the three checks took 9-15 ms of such a half (`auto_explain`, the same batches).
-- `deploy/bench-health.sh`, three runs each, the same hour: 10,093 / 9,815 / 10,308 checkups a second
-- with the keys (median batch 490 / 509 / 473 ms), 11,425 / 9,930 / 10,244 with the trigger (438 / 493
-- / 445 ms): the database's share shrank, the two halves and the server still share two cores.

create function checkup_references_inserted() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_ids uuid[];
        v_found integer;
        v_missing uuid;
    begin
        v_ids := array(select distinct n.person_id from new_rows n);
        select count(*) into v_found from (select p.id from person p where p.id = any (v_ids) order by p.id for key share of p) l;
        if v_found < cardinality(v_ids) then
            select w.id into v_missing from unnest(v_ids) w (id) where not exists (select from person p where p.id = w.id) limit 1;
            raise exception 'a checkup names person %, who does not exist', v_missing
                using errcode = 'foreign_key_violation', constraint = 'checkup_person_id_fkey', table = 'checkup';
        end if;
        v_ids := array(select distinct n.clinic_id from new_rows n);
        select count(*) into v_found from (select u.id from org_unit u where u.id = any (v_ids) order by u.id for key share of u) l;
        if v_found < cardinality(v_ids) then
            select w.id into v_missing from unnest(v_ids) w (id) where not exists (select from org_unit u where u.id = w.id) limit 1;
            raise exception 'a checkup names clinic %, which does not exist', v_missing
                using errcode = 'foreign_key_violation', constraint = 'checkup_clinic_id_fkey', table = 'checkup';
        end if;
        v_ids := array(select distinct n.recorded_by from new_rows n);
        select count(*) into v_found from (select a.id from account a where a.id = any (v_ids) order by a.id for key share of a) l;
        if v_found < cardinality(v_ids) then
            select w.id into v_missing from unnest(v_ids) w (id) where not exists (select from account a where a.id = w.id) limit 1;
            raise exception 'a checkup names recording account %, which does not exist', v_missing
                using errcode = 'foreign_key_violation', constraint = 'checkup_recorded_by_fkey', table = 'checkup';
        end if;
        return null;
    end
    $$;
revoke all on function checkup_references_inserted() from public;

create trigger checkup_references_inserted after insert on checkup
    referencing new table as new_rows
    for each statement execute function checkup_references_inserted();

-- After a row's reference changed (nothing in the application does that): each new value, with one
-- lookup, as the key's check made it.
create function checkup_references_changed() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        if new.person_id is distinct from old.person_id then
            perform from person p where p.id = new.person_id for key share of p;
            if not found then
                raise exception 'a checkup names person %, who does not exist', new.person_id
                    using errcode = 'foreign_key_violation', constraint = 'checkup_person_id_fkey', table = 'checkup';
            end if;
        end if;
        if new.clinic_id is distinct from old.clinic_id then
            perform from org_unit u where u.id = new.clinic_id for key share of u;
            if not found then
                raise exception 'a checkup names clinic %, which does not exist', new.clinic_id
                    using errcode = 'foreign_key_violation', constraint = 'checkup_clinic_id_fkey', table = 'checkup';
            end if;
        end if;
        if new.recorded_by is distinct from old.recorded_by then
            perform from account a where a.id = new.recorded_by for key share of a;
            if not found then
                raise exception 'a checkup names recording account %, which does not exist', new.recorded_by
                    using errcode = 'foreign_key_violation', constraint = 'checkup_recorded_by_fkey', table = 'checkup';
            end if;
        end if;
        return null;
    end
    $$;
revoke all on function checkup_references_changed() from public;

create trigger checkup_references_changed after update of person_id, clinic_id, recorded_by on checkup
    for each row when (
        old.person_id is distinct from new.person_id
        or old.clinic_id is distinct from new.clinic_id
        or old.recorded_by is distinct from new.recorded_by)
    execute function checkup_references_changed();

-- The guards find a person's and a clinic's checkups by index (checkup_person, checkup_clinic_record);
-- an account's read the table, as its key's check did: accounts are never deleted.
create trigger person_checkups_kept after delete on person
    referencing old table as old_rows
    for each statement execute function referenced_rows_deleted('checkup', 'person_id', 'checkup_person_id_fkey');
create trigger person_checkups_keep_id after update of id on person
    for each row when (old.id is distinct from new.id)
    execute function referenced_id_changed('checkup', 'person_id', 'checkup_person_id_fkey');
create trigger person_checkups_not_truncated before truncate on person
    for each statement execute function referenced_rows_truncated('checkup');
create trigger org_unit_checkups_kept after delete on org_unit
    referencing old table as old_rows
    for each statement execute function referenced_rows_deleted('checkup', 'clinic_id', 'checkup_clinic_id_fkey');
create trigger org_unit_checkups_keep_id after update of id on org_unit
    for each row when (old.id is distinct from new.id)
    execute function referenced_id_changed('checkup', 'clinic_id', 'checkup_clinic_id_fkey');
create trigger org_unit_checkups_not_truncated before truncate on org_unit
    for each statement execute function referenced_rows_truncated('checkup');
create trigger account_checkups_kept after delete on account
    referencing old table as old_rows
    for each statement execute function referenced_rows_deleted('checkup', 'recorded_by', 'checkup_recorded_by_fkey');
create trigger account_checkups_keep_id after update of id on account
    for each row when (old.id is distinct from new.id)
    execute function referenced_id_changed('checkup', 'recorded_by', 'checkup_recorded_by_fkey');
create trigger account_checkups_not_truncated before truncate on account
    for each statement execute function referenced_rows_truncated('checkup');

alter table checkup drop constraint checkup_person_id_fkey;
alter table checkup drop constraint checkup_clinic_id_fkey;
alter table checkup drop constraint checkup_recorded_by_fkey;
