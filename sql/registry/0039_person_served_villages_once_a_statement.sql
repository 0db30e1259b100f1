-- A clinic's people: the villages its clinics serve read once a statement (issue 23).
--
-- The third test of `person_read` (0026, 0038) looked for a clinic of the caller serving the
-- person's village with a correlated subquery: for every row, a join of the service areas with the
-- units, which the planner ran as a scan of org_unit per row (35 units on the demo; a county's
-- thousands in a deployment). It now asks whether the person's village is among the villages the
-- caller's clinics serve, an uncorrelated `in` that PostgreSQL computes once a statement and hashes
-- (a clinic serves tens of villages). The same test: a row of clinic_service_area joined to a unit
-- in the caller's clinic scope, for the person's village; under the same policies of both tables.
-- A clinic batch of 5,000 checkups replayed in psql: about 490 ms before this and 0040, 350 ms after.

alter policy person_read on person
    using (exists (select from org_unit u where u.id = person.unit_id and u.path <@ (select liushou_scope_for('person_area')))
        or (person.school_id is not null
            and exists (select from org_unit s where s.id = person.school_id and s.path <@ (select liushou_scope_for('school'))))
        or person.village_id in (select a.village_id from clinic_service_area a join org_unit c on c.id = a.clinic_id
                                 where c.path <@ (select liushou_scope_for('clinic')))
        or liushou_person_visible(person.id, person.unit_id, person.village_id, person.school_id));
