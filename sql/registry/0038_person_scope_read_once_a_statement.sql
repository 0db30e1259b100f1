-- Who may see and write a file: the caller's scopes read once a statement (issue 23), as 0037 does
-- for units.
--
-- The policies of `person` (0026, 0033) and `person_change` compared a unit's path with
-- `liushou_scope_for(…)`, which reads and parses a setting where it is called: once a row. As a
-- scalar subquery it is an InitPlan, evaluated once a statement. The tests and the fallbacks to the
-- security-definer functions are otherwise those of 0026 and 0033, in the same order.

alter policy person_read on person
    using (exists (select from org_unit u where u.id = person.unit_id and u.path <@ (select liushou_scope_for('person_area')))
        or (person.school_id is not null
            and exists (select from org_unit s where s.id = person.school_id and s.path <@ (select liushou_scope_for('school'))))
        or exists (select from clinic_service_area a join org_unit c on c.id = a.clinic_id
                   where a.village_id = person.village_id and c.path <@ (select liushou_scope_for('clinic')))
        or liushou_person_visible(person.id, person.unit_id, person.village_id, person.school_id));

alter policy person_insert on person
    with check (
        (exists (select from org_unit u where u.id = person.unit_id and u.path <@ (select liushou_scope_for('person_write')))
            or liushou_unit_in_scope(person.unit_id, 'person_write'))
        and (liushou_person_units_seen_valid(person.village_id, person.grid_id, person.school_id)
            or liushou_person_units_valid(person.village_id, person.grid_id, person.school_id)));

alter policy person_update on person
    using (exists (select from org_unit u where u.id = person.unit_id and u.path <@ (select liushou_scope_for('person_write')))
        or liushou_unit_in_scope(person.unit_id, 'person_write'))
    with check (
        (exists (select from org_unit u where u.id = person.unit_id and u.path <@ (select liushou_scope_for('person_write')))
            or liushou_unit_in_scope(person.unit_id, 'person_write'))
        and (liushou_person_units_seen_valid(person.village_id, person.grid_id, person.school_id)
            or liushou_person_units_valid(person.village_id, person.grid_id, person.school_id)));

alter policy person_change_insert on person_change
    with check (
        exists (select from person p join org_unit u on u.id = p.unit_id
                where p.id = person_change.person_id and u.path <@ (select liushou_scope_for('person_write')))
        or liushou_unit_in_scope(liushou_person_unit(person_change.person_id), 'person_write'));
