-- Who may see a person, decided faster (issue 23). Row-level security on person called
-- liushou_person_visible for every row a statement touched; as a security-definer PL/pgSQL function
-- with its own search_path one call costs 24 µs or more, most of it the call itself — a quarter of
-- a door check, most of a clinic batch. The function's own tests now come first as inline
-- subqueries the planner runs by index (about 1 µs): the person's unit in the caller's person area
-- (village cadres, grid workers, town and county staff), the person's school in the caller's
-- schools, a clinic serving the person's village in the caller's clinics. The function is called
-- only when all three fail (volunteers and other assignees). The answer does not change: each
-- subquery is one of the function's tests, run as the caller, and the policies of org_unit and
-- clinic_service_area can only narrow it (a row hidden from the caller falls through to the
-- function, which decides as before).
alter policy person_read on person
    using (exists (select from org_unit u where u.id = person.unit_id and u.path <@ liushou_scope_for('person_area'))
        or (person.school_id is not null
            and exists (select from org_unit s where s.id = person.school_id and s.path <@ liushou_scope_for('school')))
        or exists (select from clinic_service_area a join org_unit c on c.id = a.clinic_id
                   where a.village_id = person.village_id and c.path <@ liushou_scope_for('clinic'))
        or liushou_person_visible(person.id, person.unit_id, person.village_id, person.school_id));
