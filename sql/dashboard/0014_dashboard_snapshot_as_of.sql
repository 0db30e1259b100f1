-- A past week's dashboard snapshot, for the demo seed only (`liushou serve --demo`, `liushou demo seed`).
-- The seed writes its history in date order through the API and, after each past week, records the
-- counts as they stand then under that week. The counts are `dashboard_counts_under`'s; only the two
-- visit-compliance numbers depend on the clock, so they are recounted as of the week's end
-- (an obligation was kept if its last satisfying check lay within one cadence before then); before
-- the first door check on record the week has no visit numbers at all (not 0 %).
-- Owner only: the application role cannot call it, so no server request can rewrite the past.
create function dashboard_snapshot_record_past_week(p_as_of timestamptz) returns bigint
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        week date := date_trunc('week', p_as_of at time zone 'Asia/Shanghai')::date;
        written bigint;
    begin
        if week >= date_trunc('week', now() at time zone 'Asia/Shanghai')::date then
            raise exception 'week % is not in the past', week;
        end if;
        delete from dashboard_snapshot s where s.week_start = week;
        insert into dashboard_snapshot (week_start, unit_id, unit_path, metric, value)
        select week, c.unit_id, c.unit_path, c.metric, c.value
        from org_unit county cross join lateral dashboard_counts_under(county.path) c
        where county.parent_id is null and c.metric not in ('knock_ok', 'cadre_ok')
          and (c.metric not in ('knock_due', 'cadre_due') or exists (select from door_check d where d.occurred_at <= p_as_of));
        insert into dashboard_snapshot (week_start, unit_id, unit_path, metric, value)
        select week, o.unit_id, u.path, case o.rule_key when 'daily_knock' then 'knock_ok' else 'cadre_ok' end, count(*)
        from visit_obligation o join org_unit u on u.id = o.unit_id
        where o.rule_key in ('daily_knock', 'cadre_weekly') and o.last_check_at > p_as_of - o.cadence
        group by o.unit_id, u.path, o.rule_key;
        select count(*) into written from dashboard_snapshot s where s.week_start = week;
        return written;
    end
    $$;
revoke all on function dashboard_snapshot_record_past_week(timestamptz) from public;
