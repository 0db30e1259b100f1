-- A checkup's reference check runs before the checkup's other statement triggers, and through 0071's
-- shared lock function (issue 23). What 0077 meant to land; 0077 itself stays as it landed.
--
-- 0077 named the insert's check `checkup_references_inserted`. Statement triggers on a table run in
-- the order of their names, so it ran after `checkup_alert`: the alert of a checkup needing follow-up
-- raises an event naming the clinic (a key of its own), and a checkup naming a missing clinic was
-- refused by that event's key instead of by the checkup's, with the other constraint's name. The
-- trigger is renamed `checkup_a_references_inserted`, which sorts before `checkup_alert` and
-- `checkup_dashboard_insert`.
--
-- Its function wrote the lookup, lock and refusal out three times; it now calls 0071's
-- `reference_rows_lock` for each table, which locks the distinct rows named (`for key share`, in id
-- order) and fails with foreign_key_violation (23503) naming the old constraint and the missing row,
-- as before. Planned at each statement: a clinic's checkups come in batches, not one a transaction as
-- door checks do (`deploy/bench-health.sh`: 10,081 checkups a second, median batch 492 ms, within
-- 0077's runs). Deletes, id changes and truncates of the rows a checkup names stay refused by 0077's
-- guards.
create or replace function checkup_references_inserted() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        perform reference_rows_lock('person', array(select n.person_id from new_rows n), 'checkup_person_id_fkey', 'checkup');
        perform reference_rows_lock('org_unit', array(select n.clinic_id from new_rows n), 'checkup_clinic_id_fkey', 'checkup');
        perform reference_rows_lock('account', array(select n.recorded_by from new_rows n), 'checkup_recorded_by_fkey', 'checkup');
        return null;
    end
    $$;
revoke all on function checkup_references_inserted() from public;

drop trigger checkup_references_inserted on checkup;
create trigger checkup_a_references_inserted after insert on checkup
    referencing new table as new_rows
    for each statement execute function checkup_references_inserted();
