-- An obligation names its rule for whoever may read the obligation (stop 52's review).
--
-- The obligations of a person and the task list joined `visit_rule` under its read policy, which
-- shows the platform's rules and those of units the caller sees. A village's own override (say
-- its daily knock every two days) is not among them for a class teacher or a clinic's staff, who
-- see the child but not the village: the join dropped the obligation from their view and from
-- their 今日任务. A rule's description is not confidential, so it is read here as the table's owner
-- by the id the readable obligation holds.

create function visit_rule_description(p_rule uuid) returns text
    language sql stable security definer set search_path = public, pg_temp
    as $$ select r.description from visit_rule r where r.id = p_rule $$;
revoke all on function visit_rule_description(uuid) from public;
grant execute on function visit_rule_description(uuid) to liushou_app;
