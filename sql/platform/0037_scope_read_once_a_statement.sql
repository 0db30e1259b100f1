-- The caller's scope is read once a statement, not once a row (issue 23).
--
-- `org_unit_scope` compared each unit's path with `liushou_scope()`, a SQL function that reads the
-- setting `liushou.scope_paths` and parses it into an ltree[] where it is called: in a policy that
-- is once for every row the statement touches, and every other table's policy reaches org_unit
-- (a person's visibility, a check's person, a timeline row's person), so a batch of 1,000 door
-- checks parsed the scope thousands of times. Written as a scalar subquery, `(select
-- liushou_scope())` is an InitPlan: evaluated once when the statement first needs it, its value
-- then compared per row. The rule is the same: the scope is set when the transaction starts and no
-- statement changes it while it runs. Measured with a batch of 1,000 checks replayed in psql as a
-- village cadre: 83 ms before this and 0038, about 70 ms after.

alter policy org_unit_scope on org_unit
    using (path <@ (select liushou_scope()))
    with check (path <@ (select liushou_scope()));

alter policy audit_log_read on audit_log
    using (unit_path <@ (select liushou_scope()) or account_id = nullif(current_setting('liushou.account_id', true), '')::uuid);
