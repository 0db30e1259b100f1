-- The visit obligations' guards (0069) run the shared guard functions of 0071, under the same trigger
-- names, and 0069's three copies of those functions go.
--
-- 0069 guarded the people, rules and units that obligations name (no delete, id change or truncate
-- while an obligation names them, only in READ COMMITTED) with three functions of its own. 0071 then
-- wrote the same checks once for any table named without a key: `referenced_rows_deleted` and
-- `referenced_id_changed` take the child table, its column and the old constraint's name as trigger
-- arguments, `referenced_rows_truncated` the child tables. The nine triggers are recreated on those,
-- with the same names, events and errors (foreign_key_violation naming the old constraint; a
-- truncate refused naming the table); ObligationReferencesTests pass unchanged.
--
-- (This was first written at the end of 0071 after 0071 had been applied; a landed migration is
-- never edited, so it stands here.)

drop trigger person_obligations_kept on person;
drop trigger person_obligations_keep_id on person;
drop trigger person_obligations_not_truncated on person;
drop trigger visit_rule_obligations_kept on visit_rule;
drop trigger visit_rule_obligations_keep_id on visit_rule;
drop trigger visit_rule_obligations_not_truncated on visit_rule;
drop trigger org_unit_obligations_kept on org_unit;
drop trigger org_unit_obligations_keep_id on org_unit;
drop trigger org_unit_obligations_not_truncated on org_unit;
drop function visit_obligation_referenced_rows_deleted();
drop function visit_obligation_referenced_id_changed();
drop function visit_obligation_referenced_rows_truncated();

create trigger person_obligations_kept after delete on person
    referencing old table as old_rows
    for each statement execute function referenced_rows_deleted('visit_obligation', 'person_id', 'visit_obligation_person_id_fkey');
create trigger person_obligations_keep_id after update of id on person
    for each row when (old.id is distinct from new.id)
    execute function referenced_id_changed('visit_obligation', 'person_id', 'visit_obligation_person_id_fkey');
create trigger person_obligations_not_truncated before truncate on person
    for each statement execute function referenced_rows_truncated('visit_obligation');
create trigger visit_rule_obligations_kept after delete on visit_rule
    referencing old table as old_rows
    for each statement execute function referenced_rows_deleted('visit_obligation', 'rule_id', 'visit_obligation_rule_id_fkey');
create trigger visit_rule_obligations_keep_id after update of id on visit_rule
    for each row when (old.id is distinct from new.id)
    execute function referenced_id_changed('visit_obligation', 'rule_id', 'visit_obligation_rule_id_fkey');
create trigger visit_rule_obligations_not_truncated before truncate on visit_rule
    for each statement execute function referenced_rows_truncated('visit_obligation');
create trigger org_unit_obligations_kept after delete on org_unit
    referencing old table as old_rows
    for each statement execute function referenced_rows_deleted('visit_obligation', 'unit_id', 'visit_obligation_unit_id_fkey');
create trigger org_unit_obligations_keep_id after update of id on org_unit
    for each row when (old.id is distinct from new.id)
    execute function referenced_id_changed('visit_obligation', 'unit_id', 'visit_obligation_unit_id_fkey');
create trigger org_unit_obligations_not_truncated before truncate on org_unit
    for each statement execute function referenced_rows_truncated('visit_obligation');
