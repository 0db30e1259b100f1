-- Who may see a person through an assignment is read once a statement, not once a row (issue 23).
--
-- `person_read` (0039) tries three subqueries the planner runs once a statement (the caller's area,
-- schools and clinics) and then calls `liushou_person_visible`, a security-definer PL/pgSQL
-- function, for every row they all refuse. A statement that scans people outside the caller's area
-- makes that call for each of them: a village cadre's first page of left-behind children, in a
-- county of 355,000 people with 50,000 in the cadre's village, scanned every file of the county and
-- called the function about 305,000 times, 11.8 s (the 5 s statement timeout answered 503). The
-- function's one test the subqueries did not make — an active assignment of the person to the
-- caller (volunteers and other assignees) — is now a fourth subquery, also read once a statement:
-- the same page takes 277 ms (EXPLAIN ANALYZE, as the cadre, the same database).
--
-- The answer is the function's, row for row. The function's first three tests read `org_unit` and
-- `clinic_service_area` as their owner; the subqueries read them as the caller, whose policies
-- show the units under `liushou.scope_paths`. Every path of a `liushou.scope.<name>` setting is
-- the path of one of the caller's grants, and `liushou.scope_paths` covers every grant
-- (`TenantDatabase.scopeSettings`), so no unit those tests need is hidden. The assignment subquery
-- reads `person_assignment` as the caller too, whose policy shows the caller's own assignments.
-- `liushou_person_visible` stays for the functions that decide about one person. Whoever sets
-- these settings by hand (psql, tests) must keep every `liushou.scope.<name>` path inside
-- `liushou.scope_paths`, as the server does: no fallback runs as the owner any more.
--
-- The subquery reads the caller's assignments by account: the partial index of 0003 holds only
-- assignments without an end, and an assignment ended in the future still counts, so an index
-- of all assignments by account serves it, and replaces the partial one (same columns: every
-- read it served this one serves, and an assignment's write updates one index, not two).

create index person_assignment_by_account on person_assignment (account_id, person_id);
drop index person_assignment_account;

alter policy person_read on person
    using (exists (select from org_unit u where u.id = person.unit_id and u.path <@ (select liushou_scope_for('person_area')))
        or (person.school_id is not null
            and exists (select from org_unit s where s.id = person.school_id and s.path <@ (select liushou_scope_for('school'))))
        or person.village_id in (select a.village_id from clinic_service_area a join org_unit c on c.id = a.clinic_id
                                 where c.path <@ (select liushou_scope_for('clinic')))
        or person.id in (select pa.person_id from person_assignment pa
                         where pa.account_id = (select liushou_account()) and pa.started_at <= now()
                           and (pa.ended_at is null or pa.ended_at > now())));
