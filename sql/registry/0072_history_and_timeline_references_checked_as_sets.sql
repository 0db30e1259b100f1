-- A history or timeline row's person is checked a statement at a time, not a row at a time (issue 23).
--
-- `person_change` (a file's field history) and `person_event` (the timeline every module appends to)
-- referenced their person through a foreign key each. A key checks every new row with a query of its
-- own and a row lock: writing the history and the timeline of a ledger chunk of 1,000 new people took
-- 205 million instructions with the keys and 125 million without (callgrind, the backend of a demo
-- county's cluster), and every door check, checkup and case paid the same for its timeline rows.
--
-- The keys are replaced by triggers that keep what they kept, as 0069 and 0071 did:
-- - an insert locks the distinct people its rows name (`for key share`, so none of them can be
--   deleted or change its id until the transaction ends) with one query, and fails with foreign_key_violation (23503), naming the old constraint and the missing
--   person; `person_event` is partitioned by month and the trigger is on the partitioned table, so it
--   sees the rows of every month the statement wrote;
-- - an update that changes a row's person (only the owner may update these tables) checks the new
--   one with one lookup, before the row is written: an update that also moves a timeline row to
--   another month is a delete and an insert, which fire no AFTER UPDATE trigger;
-- - a row written straight into one month's table (not through `person_event`) is not checked, nor is
--   a month attached again after an archive: the README's re-attach steps look for rows naming no
--   one first;
-- - deleting a person a history or timeline row names, or changing its id, fails the same way, and
--   only in READ COMMITTED (0069's reasons); TRUNCATE of `person` is refused while either table has
--   rows. The application's role may not delete people at all.

-- As `reference_rows_lock` (0071), with its statements planned once a session: every door check,
-- checkup and case writes a timeline row, most of them one at a time.
create function person_named_rows_inserted() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_people uuid[];
        v_found integer;
        v_missing uuid;
    begin
        v_people := array(select distinct n.person_id from new_rows n where n.person_id is not null);
        select count(*) into v_found from (select p.id from person p where p.id = any (v_people) order by p.id for key share of p) l;
        if v_found < cardinality(v_people) then
            select w.id into v_missing from unnest(v_people) w (id) where not exists (select from person p where p.id = w.id) limit 1;
            raise exception '% names person %, who does not exist', TG_TABLE_NAME, v_missing
                using errcode = 'foreign_key_violation', constraint = TG_ARGV[0], table = TG_TABLE_NAME;
        end if;
        return null;
    end
    $$;
revoke all on function person_named_rows_inserted() from public;

-- Before a row's person changes (returns the row).
create function person_named_row_changed() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        perform from person p where p.id = new.person_id for key share of p;
        if not found then
            raise exception '% names person %, who does not exist', TG_TABLE_NAME, new.person_id
                using errcode = 'foreign_key_violation', constraint = TG_ARGV[0], table = TG_TABLE_NAME;
        end if;
        return new;
    end
    $$;
revoke all on function person_named_row_changed() from public;

create trigger person_change_check_person_inserted after insert on person_change
    referencing new table as new_rows
    for each statement execute function person_named_rows_inserted('person_change_person_id_fkey');
create trigger person_change_check_person_changed before update of person_id on person_change
    for each row when (old.person_id is distinct from new.person_id)
    execute function person_named_row_changed('person_change_person_id_fkey');
create trigger person_event_check_person_inserted after insert on person_event
    referencing new table as new_rows
    for each statement execute function person_named_rows_inserted('person_event_person_fkey');
create trigger person_event_check_person_changed before update of person_id on person_event
    for each row when (old.person_id is distinct from new.person_id)
    execute function person_named_row_changed('person_event_person_fkey');

-- A person still named by a history or timeline row is neither deleted nor given another id (0071's guards).
create trigger person_history_kept after delete on person
    referencing old table as old_rows
    for each statement execute function referenced_rows_deleted(
        'person_change', 'person_id', 'person_change_person_id_fkey', 'person_event', 'person_id', 'person_event_person_fkey');
create trigger person_history_keep_id after update of id on person
    for each row when (old.id is distinct from new.id)
    execute function referenced_id_changed(
        'person_change', 'person_id', 'person_change_person_id_fkey', 'person_event', 'person_id', 'person_event_person_fkey');
create trigger person_history_not_truncated before truncate on person
    for each statement execute function referenced_rows_truncated('person_change', 'person_event');

-- Both checks find a person's rows by index (person_change_person; person_event_person in every month).

alter table person_change drop constraint person_change_person_id_fkey;
alter table person_event drop constraint person_event_person_fkey;
