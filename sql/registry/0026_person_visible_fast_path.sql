-- Who may see a person, decided faster for most readers (issue 23). Row-level security on person
-- called liushou_person_visible for every row a statement touched; as a security-definer PL/pgSQL
-- function with its own search_path, one call costs about 24 µs, most of it the function call
-- itself. The usual answer — the person's unit is in the caller's person area (village cadres,
-- grid workers, town and county staff) — is now an inline subquery the planner runs by index
-- (under 1 µs); the function is called only when that fails (school and clinic staff, volunteers).
-- The answer does not change: the subquery is the function's first test, run as the caller, and
-- org_unit's own policy only narrows it (a unit hidden from the caller falls through to the
-- function, which decides as before).
alter policy person_read on person
    using (exists (select from org_unit u where u.id = unit_id and u.path <@ liushou_scope_for('person_area'))
        or liushou_person_visible(id, unit_id, village_id, school_id));
