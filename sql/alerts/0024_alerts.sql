-- Alerts that reach people (issue 22). What a mandatory report, a dropout, a checkup needing
-- follow-up, a deadline or a day's overdue visits means for whom is data (alert_rule: policy
-- defaults, a county's overrides), and an alert is written by the same transaction as its event:
-- triggers on the event's table call alert_raise, so a rolled-back write alerts nobody and a
-- committed one cannot be lost. alert_raise renders the text from the rule's template and a few
-- facts chosen here (unit names, a masked name, a category, a count, a deadline) — never an ID
-- number and never a report's, checkup's, counselling or legal detail, which the templates cannot
-- reach. Each recipient gets an inbox row (alert); each outside channel a delivery row
-- (alert_delivery, the transactional outbox) that the servers' delivery services claim with
-- FOR UPDATE SKIP LOCKED and a lease, send, and finish as sent, retried later or dead.
-- Time-based events (an unacknowledged report, relief and legal-aid deadlines, the daily digest of
-- overdue visits) are raised by alerts_tick, which every server calls; dedupe keys make each once.

create table alert_rule (
    id uuid primary key default gen_random_uuid(),
    event text not null,
    -- null: the policy default; else the county whose override this is.
    county_id uuid references org_unit (id),
    enabled boolean not null,
    -- Roles granted at the event's unit or above (school and clinic staff: at its school or clinic);
    -- `routed` is the role a follow-up's need is routed to.
    recipient_roles text[] not null,
    urgency text not null,
    channels text[] not null,
    title_template text not null,
    body_template text not null,
    -- The template id the SMS provider approved for this event.
    sms_template_id text,
    -- safeguarding.unacknowledged: minutes a report may wait for its acknowledgement.
    ack_minutes integer,
    version integer not null default 1,
    updated_by uuid references account (id),
    updated_at timestamptz not null default now(),
    constraint alert_rule_event_known check (event in ('safeguarding.reported', 'safeguarding.unacknowledged', 'follow_up.opened',
        'school.dropout', 'school.long_absence', 'checkup.follow_up', 'relief.deadline_approaching', 'relief.deadline_missed',
        'legal.deadline_approaching', 'legal.deadline_missed', 'obligations.overdue_digest', 'person.no_capable_guardian', 'channel.test')),
    constraint alert_rule_urgency_known check (urgency in ('immediate', 'same_day', 'digest')),
    constraint alert_rule_channels_known check (channels <@ array['inbox', 'wecom', 'dingtalk', 'sms'] and 'inbox' = any (channels)),
    -- Not volunteers: they see only the people paired with them, and alerts are about a unit's people.
    constraint alert_rule_roles_known check (recipient_roles <@ array['county_admin', 'town_admin', 'child_welfare_supervisor',
        'village_cadre', 'grid_worker', 'school_staff', 'clinic_staff', 'relief_officer', 'legal_aid_officer', 'routed']),
    -- A mandatory report always reaches someone at once: a county may change who and how, not switch it off.
    constraint alert_rule_safeguarding_kept check (event not like 'safeguarding.%' or county_id is null
        or (enabled and urgency = 'immediate' and cardinality(recipient_roles) > 0)),
    constraint alert_rule_title_length check (char_length(title_template) between 1 and 60),
    constraint alert_rule_body_length check (char_length(body_template) between 1 and 300),
    constraint alert_rule_sms_template_length check (sms_template_id is null or char_length(sms_template_id) between 1 and 64),
    constraint alert_rule_ack_minutes_range check (ack_minutes is null or ack_minutes between 5 and 1440),
    constraint alert_rule_one_per_county unique nulls not distinct (event, county_id)
);

-- Policy defaults (DOMAIN §5, §10): a mandatory report reaches the town's supervisor and
-- administrators at once, and the town administrator again when nobody acknowledged it in 30
-- minutes; a child living alone or without a guardian is a same-day matter; overdue visits are a
-- daily digest per worker.
insert into alert_rule (event, enabled, recipient_roles, urgency, channels, title_template, body_template, ack_minutes) values
    ('safeguarding.reported', true, '{child_welfare_supervisor,town_admin}', 'immediate', '{inbox,wecom,dingtalk,sms}',
        '强制报告：{kind}', '{unit}报告一起“{kind}”情况（对象：{person}），请立即核实并按规定向公安机关报告。', null),
    ('safeguarding.unacknowledged', true, '{town_admin}', 'immediate', '{inbox,wecom,dingtalk,sms}',
        '强制报告超时未签收', '{unit}的强制报告（{kind}）已超过{minutes}分钟无人签收，请立即处理。', 30),
    ('follow_up.opened', true, '{routed}', 'same_day', '{inbox,wecom,dingtalk}',
        '新的跟进事项：{kind}', '{unit}走访发现{count}项需要跟进的{kind}事项（{person}），请在工作台“我的跟进”中处理。', null),
    ('school.dropout', true, '{village_cadre,child_welfare_supervisor}', 'same_day', '{inbox,wecom,dingtalk}',
        '控辍保学：学生辍学', '{unit}的学生{person}被学校登记为辍学，请当日上门劝返并登记。', null),
    ('school.long_absence', true, '{village_cadre,child_welfare_supervisor}', 'same_day', '{inbox,wecom,dingtalk}',
        '学生长期缺勤', '{unit}的学生{person}被学校登记为长期缺勤，请核实原因。', null),
    ('checkup.follow_up', true, '{clinic_staff,village_cadre}', 'same_day', '{inbox,wecom,dingtalk}',
        '体检需随访', '{unit}有{count}人体检结果需要随访（{person}），请安排随访。', null),
    ('relief.deadline_approaching', true, '{relief_officer}', 'same_day', '{inbox,wecom,dingtalk}',
        '救助审批即将到期', '{unit}的一件{kind}救助申请将于{due}到期，请及时审批。', null),
    ('relief.deadline_missed', true, '{relief_officer,town_admin}', 'same_day', '{inbox,wecom,dingtalk}',
        '救助审批已逾期', '{unit}的一件{kind}救助申请已于{due}逾期未审批，请立即处理。', null),
    ('legal.deadline_approaching', true, '{legal_aid_officer}', 'same_day', '{inbox,wecom,dingtalk}',
        '法律援助首次联系即将到期', '{unit}的一件法律援助案件须在{due}前完成首次联系。', null),
    ('legal.deadline_missed', true, '{legal_aid_officer,town_admin}', 'same_day', '{inbox,wecom,dingtalk}',
        '法律援助首次联系已逾期', '{unit}的一件法律援助案件已于{due}逾期未完成首次联系，请立即处理。', null),
    ('obligations.overdue_digest', true, '{grid_worker,village_cadre}', 'digest', '{inbox,sms}',
        '逾期走访日报', '您负责的{unit}今天有{count}人走访已逾期，请尽快上门。', null),
    ('person.no_capable_guardian', true, '{village_cadre,child_welfare_supervisor}', 'same_day', '{inbox,wecom,dingtalk}',
        '儿童无有效监护人', '{unit}有{count}名儿童登记为无有效监护人（{person}），请当日落实临时监护。', null),
    ('channel.test', true, '{}', 'immediate', '{inbox,wecom,dingtalk,sms}',
        '测试消息', '这是一条来自留守关爱平台的测试消息（{unit}），收到即表示通道可用。', null);

-- One event that alerted someone; the text is rendered once, when it is raised.
create table alert_event (
    id uuid primary key default gen_random_uuid(),
    event text not null,
    county_id uuid not null references org_unit (id),
    unit_id uuid not null references org_unit (id),
    unit_path ltree not null,
    -- The school or clinic the event came from, when not above the unit.
    related_unit_id uuid references org_unit (id),
    person_id uuid references person (id),
    -- One event per key (a report's id, a case's deadline, a worker's day): retries and several
    -- servers raise it once.
    dedupe_key text,
    urgency text not null,
    title text not null,
    body text not null,
    -- A path inside this server (the console or the field app).
    link text,
    facts jsonb not null,
    created_at timestamptz not null default clock_timestamp(),
    constraint alert_event_dedupe_once unique (dedupe_key),
    constraint alert_event_urgency_known check (urgency in ('immediate', 'same_day', 'digest'))
);
create index alert_event_unit on alert_event using gist (unit_path);

-- The in-app inbox: one row per recipient.
create table alert (
    id uuid primary key default gen_random_uuid(),
    event_id uuid not null references alert_event (id),
    account_id uuid not null references account (id),
    created_at timestamptz not null default clock_timestamp(),
    read_at timestamptz,
    constraint alert_once_per_recipient unique (event_id, account_id)
);
create index alert_inbox on alert (account_id, created_at desc);
create index alert_unread on alert (account_id) where read_at is null;

-- A unit's group robot (WeCom, DingTalk) or SMS number (e.g. the police station's duty phone).
-- The webhook URL (its key is the credential), DingTalk's signing secret and phone numbers are
-- sealed by the server like ID numbers; target_hint is what people see.
create table alert_channel (
    id uuid primary key,
    unit_id uuid not null references org_unit (id),
    kind text not null,
    name text not null,
    target_sealed bytea not null,
    secret_sealed bytea,
    target_hint text not null,
    -- null: every event whose rule uses this kind of channel.
    events text[],
    active boolean not null default true,
    content_hash bytea not null,
    created_by uuid not null references account (id),
    created_at timestamptz not null default now(),
    version integer not null default 1,
    constraint alert_channel_kind_known check (kind in ('wecom', 'dingtalk', 'sms')),
    constraint alert_channel_name_length check (char_length(btrim(name)) between 1 and 50),
    constraint alert_channel_hint_length check (char_length(target_hint) between 1 and 120)
);
create index alert_channel_unit on alert_channel (unit_id) where active;

-- How a user is reached besides the inbox: a phone for SMS (sealed), WeCom and DingTalk user ids
-- that group robots mention.
create table account_contact (
    account_id uuid primary key references account (id),
    phone_sealed bytea,
    phone_hint text,
    wecom_user_id text,
    dingtalk_user_id text,
    version integer not null default 1,
    updated_at timestamptz not null default now(),
    constraint account_contact_phone_pair check ((phone_sealed is null) = (phone_hint is null)),
    constraint account_contact_wecom_length check (wecom_user_id is null or char_length(wecom_user_id) between 1 and 64),
    constraint account_contact_dingtalk_length check (dingtalk_user_id is null or char_length(dingtalk_user_id) between 1 and 64)
);

-- The outbox: one row per event and outside target. Its id is the delivery id receivers may use to
-- drop a repeat (delivery is at least once).
create table alert_delivery (
    id uuid primary key default gen_random_uuid(),
    event_id uuid not null references alert_event (id),
    channel text not null,
    -- SMS to a recipient, or a unit's channel.
    account_id uuid references account (id),
    channel_id uuid references alert_channel (id),
    -- `account:<id>` or `channel:<id>`: what rate limits count.
    target text not null,
    status text not null default 'pending',
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    -- A server is sending it until then; after that another may claim it again.
    leased_until timestamptz,
    last_error text,
    created_at timestamptz not null default clock_timestamp(),
    sent_at timestamptz,
    constraint alert_delivery_channel_known check (channel in ('wecom', 'dingtalk', 'sms')),
    constraint alert_delivery_status_known check (status in ('pending', 'sent', 'dead')),
    constraint alert_delivery_one_target check ((account_id is null) <> (channel_id is null)),
    constraint alert_delivery_sent_at check ((status = 'sent') = (sent_at is not null)),
    constraint alert_delivery_once_per_target unique (event_id, target)
);
create index alert_delivery_due on alert_delivery (next_attempt_at) where status = 'pending';
create index alert_delivery_recent on alert_delivery (target, sent_at) where status = 'sent';
create index alert_delivery_leased on alert_delivery (target) where status = 'pending';
create index alert_delivery_listed on alert_delivery (status, created_at desc);
create index alert_delivery_sent_at on alert_delivery (sent_at) where status = 'sent';
create index alert_delivery_dead on alert_delivery (created_at desc) where status = 'dead';
create index alert_delivery_event on alert_delivery (event_id);

-- The effective rule for an event in a county: the county's override, else the default.
create function alert_rule_for(p_event text, p_county uuid) returns setof alert_rule
    language sql stable security definer set search_path = public, pg_temp
    as $$
        select r.* from alert_rule r where r.event = p_event and (r.county_id = p_county or r.county_id is null)
        order by r.county_id is null limit 1
    $$;
revoke all on function alert_rule_for(text, uuid) from public;

-- Fills a template's {placeholders} from the facts; a placeholder without a fact reads as empty.
create function alert_render(p_template text, p_facts jsonb) returns text
    language plpgsql immutable
    as $$
    declare
        result text := p_template;
        fact record;
    begin
        for fact in select key, value from jsonb_each_text(p_facts) loop
            result := replace(result, '{' || fact.key || '}', coalesce(fact.value, ''));
        end loop;
        return regexp_replace(result, '\{[a-z]+\}', '', 'g');
    end
    $$;

-- A unit as people name it: its names below the county (一乡·甲村·甲村一组).
create function alert_unit_label(p_unit uuid) returns text
    language sql stable security definer set search_path = public, pg_temp
    as $$
        select coalesce(string_agg(a.name, '·' order by nlevel(a.path)) filter (where nlevel(a.path) > 1), max(u.name))
        from org_unit u join org_unit a on u.path <@ a.path
        where u.id = p_unit
    $$;
revoke all on function alert_unit_label(uuid) from public;

-- The town and village of a unit (一乡·甲村): what outside messages name, never the grid.
create function alert_area_label(p_unit uuid) returns text
    language sql stable security definer set search_path = public, pg_temp
    as $$
        select coalesce(string_agg(a.name, '·' order by nlevel(a.path)) filter (where nlevel(a.path) between 2 and 3), max(u.name))
        from org_unit u join org_unit a on u.path <@ a.path
        where u.id = p_unit
    $$;
revoke all on function alert_area_label(uuid) from public;

-- A person's name as alerts show it: the family name and one * per other character (王**).
create function alert_masked_name(p_person uuid) returns text
    language sql stable security definer set search_path = public, pg_temp
    as $$
        select left(p.name, 1) || repeat('*', greatest(char_length(p.name) - 1, 1)) from person p where p.id = p_person
    $$;
revoke all on function alert_masked_name(uuid) from public;

-- A timestamp as China reads it: 12月3日 14:05.
create function alert_china_time(p_at timestamptz) returns text
    language sql immutable
    as $$ select to_char(p_at at time zone 'Asia/Shanghai', 'FMMM"月"FMDD"日" HH24:MI') $$;

-- Digests are not sent at night: one made between 21:00 and 08:00 China time waits for 08:00.
create function alert_quiet_until(p_at timestamptz) returns timestamptz
    language sql immutable
    as $$
        select case
            when extract(hour from p_at at time zone 'Asia/Shanghai') >= 21
                then (date_trunc('day', p_at at time zone 'Asia/Shanghai') + interval '1 day 8 hours') at time zone 'Asia/Shanghai'
            when extract(hour from p_at at time zone 'Asia/Shanghai') < 8
                then (date_trunc('day', p_at at time zone 'Asia/Shanghai') + interval '8 hours') at time zone 'Asia/Shanghai'
            else p_at
        end
    $$;

-- Raises one event: renders its text from the county's rule, gives each recipient an inbox row (the
-- rule's roles granted at the unit or above, at the related school or clinic, at a clinic serving
-- the unit's village, at the person's school) and queues the outside deliveries (SMS to recipients with a phone; the channels of the unit and the
-- units above it, or of the school or clinic). With p_account the event is that account's alone
-- (a digest: no group channel); with p_channel it goes to that channel alone (a test). Returns the
-- event's id, or null when the rule is off or the dedupe key was raised before.
create function alert_raise(
    p_event text, p_unit uuid, p_facts jsonb, p_link text, p_dedupe text default null, p_person uuid default null,
    p_related_unit uuid default null, p_routed_role text default null, p_account uuid default null, p_channel uuid default null
) returns uuid
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        unit_path ltree;
        county uuid;
        rule alert_rule;
        roles text[];
        facts jsonb;
        raised uuid;
        recipients uuid[] := '{}';
        starts timestamptz;
    begin
        select u.path into unit_path from org_unit u where u.id = p_unit;
        if unit_path is null then return null; end if;
        select c.id into county from org_unit c where c.path = subpath(unit_path, 0, 1);
        select * into rule from alert_rule_for(p_event, county);
        if rule.id is null or not rule.enabled then return null; end if;
        facts := jsonb_strip_nulls(p_facts) || jsonb_build_object('area', alert_area_label(p_unit));
        insert into alert_event (event, county_id, unit_id, unit_path, related_unit_id, person_id, dedupe_key, urgency, title, body, link, facts)
        values (p_event, county, p_unit, unit_path, p_related_unit, p_person, p_dedupe, rule.urgency,
                alert_render(rule.title_template, facts), alert_render(rule.body_template, facts), p_link, facts)
        on conflict (dedupe_key) do nothing
        returning id into raised;
        if raised is null then return null; end if;

        if p_account is not null then
            recipients := array[p_account];
        elsif p_channel is null then
            roles := array_remove(array_replace(rule.recipient_roles, 'routed', p_routed_role), null);
            select coalesce(array_agg(distinct g.account_id), '{}') into recipients
            from role_grant g
            join org_unit gu on gu.id = g.unit_id
            join account a on a.id = g.account_id
            where g.revoked_at is null and a.disabled_at is null and a.kind = 'user' and g.role = any (roles)
                and (gu.path @> unit_path or gu.id = p_related_unit
                    -- Clinic staff serve villages outside their clinic's subtree; school staff the children enrolled there.
                    or (g.role = 'clinic_staff' and exists (select from clinic_service_area s join org_unit v on v.id = s.village_id
                                                            where s.clinic_id = gu.id and unit_path <@ v.path))
                    or (g.role = 'school_staff' and gu.id = (select p.school_id from person p where p.id = p_person)));
        end if;
        insert into alert (event_id, account_id) select raised, r from unnest(recipients) as r on conflict do nothing;

        starts := case when rule.urgency = 'digest' then alert_quiet_until(now()) else now() end;
        if 'sms' = any (rule.channels) and p_channel is null then
            insert into alert_delivery (event_id, channel, account_id, target, next_attempt_at)
            select raised, 'sms', c.account_id, 'account:' || c.account_id, starts
            from account_contact c where c.account_id = any (recipients) and c.phone_sealed is not null;
        end if;
        if p_account is null then
            insert into alert_delivery (event_id, channel, channel_id, target, next_attempt_at)
            select raised, ch.kind, ch.id, 'channel:' || ch.id, starts
            from alert_channel ch join org_unit cu on cu.id = ch.unit_id
            where ch.active and case
                when p_channel is not null then ch.id = p_channel
                else ch.kind = any (rule.channels) and (ch.events is null or p_event = any (ch.events))
                    and (cu.path @> unit_path or cu.id = p_related_unit)
            end;
        end if;
        return raised;
    end
    $$;
revoke all on function alert_raise(text, uuid, jsonb, text, text, uuid, uuid, text, uuid, uuid) from public;

-- The events' sources: each trigger runs in the transaction of the write that caused it.

create function alert_safeguarding_kind(p_kind text) returns text
    language sql immutable
    as $$
        select case p_kind
            when 'living_alone' then '儿童独居' when 'missing' then '儿童失踪' when 'guardian_incapable' then '监护人丧失监护能力'
            when 'neglect' then '监护人不履行监护职责' when 'violence' then '疑似遭受家庭暴力' when 'injury' then '疑似遭受不法侵害'
            else '其他' end
    $$;

create function alert_on_safeguarding_report() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        perform alert_raise('safeguarding.reported', new.unit_id,
            jsonb_build_object('unit', alert_unit_label(new.unit_id), 'person', coalesce(alert_masked_name(new.person_id), '未登记人员'),
                'kind', alert_safeguarding_kind(new.kind)),
            '/console/#/safeguarding', 'safeguarding.reported:' || new.id, new.person_id);
        return null;
    end
    $$;
create trigger safeguarding_report_alert after insert on safeguarding_report
    for each row execute function alert_on_safeguarding_report();

create function alert_need_label(p_need text) returns text
    language sql immutable
    as $$
        select case p_need
            when 'daily_life' then '生活困难' when 'health' then '健康' when 'study' then '学业' when 'legal' then '法律'
            when 'psychological' then '心理' when 'safety' then '安全' else '其他' end
    $$;

-- Rows of one transaction that alert together (follow-ups, children newly without a capable
-- guardian): row triggers stage them, and one deferred trigger per group raises its event when the
-- transaction commits. An offline batch of checks or a ledger import (one statement per row) thus
-- alerts once per unit and role, not once per row; a rolled-back write leaves nothing staged.
create table alert_staged (
    id bigint generated always as identity primary key,
    txid bigint not null default txid_current(),
    event text not null,
    unit_id uuid not null,
    routed_role text,
    person_id uuid,
    need text,
    constraint alert_staged_event_known check (event in ('follow_up.opened', 'person.no_capable_guardian'))
);
create index alert_staged_group on alert_staged (txid, event, unit_id);

create function alert_stage_follow_up() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        insert into alert_staged (event, unit_id, routed_role, person_id, need)
        values ('follow_up.opened', new.unit_id, new.routed_role, new.person_id, new.need);
        return null;
    end
    $$;
-- A school's status change and a checkup open follow-ups too; their own events alert for them.
create trigger follow_up_alert after insert on follow_up for each row
    when (new.status = 'open' and new.school_status_change_id is null and new.checkup_id is null)
    execute function alert_stage_follow_up();

create function alert_stage_guardianless() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        insert into alert_staged (event, unit_id, person_id) values ('person.no_capable_guardian', new.unit_id, new.id);
        return null;
    end
    $$;
create trigger person_guardianless_alert_insert after insert on person for each row
    when (new.no_capable_guardian and new.status = 'active') execute function alert_stage_guardianless();
create trigger person_guardianless_alert_update after update of no_capable_guardian, status on person for each row
    when (new.no_capable_guardian and new.status = 'active' and not (old.no_capable_guardian and old.status = 'active'))
    execute function alert_stage_guardianless();

-- At commit, the first staged row of a group takes the whole group and raises its event; the
-- group's other rows find it gone.
create function alert_flush_staged() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        taken record;
    begin
        with rows as (
            delete from alert_staged s
            where s.txid = new.txid and s.event = new.event and s.unit_id = new.unit_id and s.routed_role is not distinct from new.routed_role
            returning s.*
        )
        select count(*) as n, count(distinct r.person_id) as people, min(r.id) as first_id,
            (array_agg(r.person_id order by r.id))[1] as person_id, (array_agg(r.need order by r.id))[1] as need,
            count(distinct r.need) as needs
        into taken from rows r;
        if taken.n = 0 then return null; end if;
        if new.event = 'follow_up.opened' then
            perform alert_raise('follow_up.opened', new.unit_id,
                jsonb_build_object('unit', alert_unit_label(new.unit_id), 'count', taken.n::text,
                    'kind', case when taken.needs = 1 then alert_need_label(taken.need) else '多类' end,
                    'person', case when taken.people = 1 then coalesce(alert_masked_name(taken.person_id), '一户家庭') else taken.people || '人' end),
                '/console/#/followups', 'follow_up.opened:' || taken.first_id,
                case when taken.people = 1 then taken.person_id end, null, new.routed_role);
        else
            perform alert_raise('person.no_capable_guardian', new.unit_id,
                jsonb_build_object('unit', alert_unit_label(new.unit_id), 'count', taken.people::text,
                    'person', case when taken.people = 1 then alert_masked_name(taken.person_id) else taken.people || '人' end),
                case when taken.people = 1 then '/console/#/person/' || taken.person_id else '/console/#/persons' end,
                'person.no_capable_guardian:' || taken.first_id, case when taken.people = 1 then taken.person_id end);
        end if;
        return null;
    end
    $$;
create constraint trigger alert_staged_flush after insert on alert_staged deferrable initially deferred
    for each row execute function alert_flush_staged();

create function alert_on_school_status() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        unit uuid;
    begin
        select p.unit_id into unit from person p where p.id = new.person_id;
        perform alert_raise(case new.to_status when 'dropped_out' then 'school.dropout' else 'school.long_absence' end, unit,
            jsonb_build_object('unit', alert_unit_label(unit), 'person', alert_masked_name(new.person_id),
                'kind', case new.to_status when 'dropped_out' then '辍学' else '长期缺勤' end),
            '/console/#/schools', 'school.status:' || new.id, new.person_id, new.school_id);
        return null;
    end
    $$;
create trigger school_status_change_alert after insert on school_status_change
    for each row when (new.to_status in ('dropped_out', 'long_absence')) execute function alert_on_school_status();

-- Checkups of one upload that need a follow-up: one alert per village (person's unit) and clinic.
create function alert_on_checkups() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        found record;
    begin
        for found in
            select p.unit_id, n.clinic_id, count(distinct n.person_id) as n, min(n.id::text) as first_id, (array_agg(n.person_id order by n.id))[1] as person_id
            from new_rows n join person p on p.id = n.person_id
            where n.follow_up_needed group by p.unit_id, n.clinic_id
        loop
            perform alert_raise('checkup.follow_up', found.unit_id,
                jsonb_build_object('unit', alert_unit_label(found.unit_id), 'count', found.n::text,
                    'person', case when found.n = 1 then alert_masked_name(found.person_id) else found.n || '人' end),
                '/console/#/clinics', 'checkup.follow_up:' || found.first_id,
                case when found.n = 1 then found.person_id end, found.clinic_id);
        end loop;
        return null;
    end
    $$;
create trigger checkup_alert after insert on checkup referencing new table as new_rows
    for each statement execute function alert_on_checkups();

-- The workers whose daily digest was worked out (sent or not needed), so each is looked at once a day.
create table alert_digest_day (
    account_id uuid not null references account (id),
    day date not null,
    constraint alert_digest_day_once primary key (account_id, day)
);

-- Time-based events, raised by every server's delivery service about twice a minute; one server at
-- a time does the work, and dedupe keys make each event once whoever raises it. p_now places the
-- digest in its China day and hours (tests pass one).
create function alerts_tick(p_now timestamptz default now()) returns integer
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        raised integer := 0;
        item record;
        local_now timestamp := p_now at time zone 'Asia/Shanghai';
    begin
        if not pg_try_advisory_xact_lock(hashtext('liushou.alerts_tick')) then
            return 0;
        end if;
        -- Mandatory reports nobody acknowledged within the county's window: the town administrator.
        for item in
            select s.id, s.unit_id, s.person_id, s.kind, r.ack_minutes
            from safeguarding_report s
            join org_unit u on u.id = s.unit_id
            join org_unit c on c.path = subpath(u.path, 0, 1)
            cross join lateral alert_rule_for('safeguarding.unacknowledged', c.id) r
            where s.acknowledged_at is null and s.reported_at <= now() - make_interval(mins => coalesce(r.ack_minutes, 30))
                and s.reported_at > now() - interval '7 days'
                and not exists (select from alert_event e where e.dedupe_key = 'safeguarding.unacknowledged:' || s.id)
        loop
            if alert_raise('safeguarding.unacknowledged', item.unit_id,
                jsonb_build_object('unit', alert_unit_label(item.unit_id), 'person', coalesce(alert_masked_name(item.person_id), '未登记人员'),
                    'kind', alert_safeguarding_kind(item.kind), 'minutes', coalesce(item.ack_minutes, 30)::text),
                '/console/#/safeguarding', 'safeguarding.unacknowledged:' || item.id, item.person_id) is not null then
                raised := raised + 1;
            end if;
        end loop;
        -- Relief decisions due within a day, and overdue ones (each deadline once).
        for item in
            select c.id, c.unit_id, c.decision_due_at, t.name as type_name,
                case when c.decision_due_at <= now() then 'relief.deadline_missed' else 'relief.deadline_approaching' end as event
            from relief_case c join relief_case_type t on t.id = c.type_id
            where c.state in ('submitted', 'village_reviewed') and c.decision_due_at <= now() + interval '1 day'
                and c.decision_due_at > now() - interval '30 days'
                and not exists (select from alert_event e where e.dedupe_key =
                    (case when c.decision_due_at <= now() then 'relief.deadline_missed:' else 'relief.deadline_approaching:' end)
                    || c.id || ':' || extract(epoch from c.decision_due_at)::bigint)
        loop
            if alert_raise(item.event, item.unit_id,
                jsonb_build_object('unit', alert_unit_label(item.unit_id), 'kind', item.type_name, 'due', alert_china_time(item.decision_due_at)),
                '/console/#/relief/' || item.id, item.event || ':' || item.id || ':' || extract(epoch from item.decision_due_at)::bigint) is not null then
                raised := raised + 1;
            end if;
        end loop;
        -- Legal-aid first contacts due within a day, and overdue ones.
        for item in
            select c.id, c.unit_id, d.first_contact_due,
                case when d.first_contact_due <= now() then 'legal.deadline_missed' else 'legal.deadline_approaching' end as event
            from legal_case_detail d join legal_case c on c.id = d.case_id
            where d.first_contact_at is null and d.assigned_at is not null and d.first_contact_due <= now() + interval '1 day'
                and d.first_contact_due > now() - interval '30 days' and c.stage in ('assigned', 'in_progress')
                and not exists (select from alert_event e where e.dedupe_key =
                    (case when d.first_contact_due <= now() then 'legal.deadline_missed:' else 'legal.deadline_approaching:' end)
                    || c.id || ':' || extract(epoch from d.first_contact_due)::bigint)
        loop
            if alert_raise(item.event, item.unit_id,
                jsonb_build_object('unit', alert_unit_label(item.unit_id), 'due', alert_china_time(item.first_contact_due)),
                '/console/#/legal/' || item.id, item.event || ':' || item.id || ':' || extract(epoch from item.first_contact_due)::bigint) is not null then
                raised := raised + 1;
            end if;
        end loop;
        -- The daily digest of overdue visits, one per worker, from 08:00 China time (not at night):
        -- up to 1,000 workers a tick (each marked done for the day, with or without a digest), so a
        -- province's morning is spread over ticks instead of one statement. A grid worker counts the
        -- visits due a knock, a cadre those due a cadre's visit, a teacher home visits.
        if extract(hour from local_now) between 8 and 20 then
            for item in
                with due as (
                    select g.account_id, (array_agg(g.unit_id order by nlevel(gu.path)))[1] as unit_id,
                        array_agg(gu.path) as paths, array_agg(case g.role when 'grid_worker' then 'grid_knock' when 'village_cadre' then 'cadre_visit'
                            when 'school_staff' then 'teacher_home_visit' end) as kinds
                    from role_grant g
                    join account a on a.id = g.account_id and a.kind = 'user' and a.disabled_at is null
                    join org_unit gu on gu.id = g.unit_id
                    join org_unit c on c.path = subpath(gu.path, 0, 1)
                    cross join lateral alert_rule_for('obligations.overdue_digest', c.id) r
                    where g.revoked_at is null and g.role = any (r.recipient_roles) and r.enabled
                        and not exists (select from alert_digest_day d where d.account_id = g.account_id and d.day = local_now::date)
                    group by g.account_id
                    order by g.account_id
                    limit 1000
                ), marked as (
                    insert into alert_digest_day (account_id, day) select due.account_id, local_now::date from due on conflict do nothing
                )
                select due.account_id, due.unit_id, (
                    select count(distinct o.person_id) from visit_obligation o join person p on p.id = o.person_id and p.status = 'active'
                    where o.next_due_at < p_now and exists (
                        select from unnest(due.paths, due.kinds) as k (path, kind)
                        where o.unit_path <@ k.path and (k.kind is null or k.kind = any (o.check_kinds)))
                ) as n
                from due
            loop
                if item.n > 0 and alert_raise('obligations.overdue_digest', item.unit_id,
                    jsonb_build_object('unit', alert_unit_label(item.unit_id), 'count', item.n::text),
                    '/app/', 'obligations.overdue_digest:' || item.account_id || ':' || local_now::date, null, null, null,
                    item.account_id) is not null then
                    raised := raised + 1;
                end if;
            end loop;
        end if;
        -- Sent deliveries are kept 90 days (the inbox keeps the alerts), removed a batch at a time.
        delete from alert_delivery d where d.id in (
            select x.id from alert_delivery x where x.status = 'sent' and x.sent_at < now() - interval '90 days' limit 10000);
        delete from alert_digest_day d where d.day < (local_now - interval '7 days')::date;
        return raised;
    end
    $$;
revoke all on function alerts_tick(timestamptz) from public;
grant execute on function alerts_tick(timestamptz) to liushou_app;

-- Claims up to p_limit due deliveries for p_lease (a server that dies mid-send leaves them to be
-- claimed again when the lease runs out). A target that got p_per_minute messages in the last
-- minute waits: its rows are put back 15 seconds. Returns what the sender needs, sealed parts
-- sealed.
create function alert_deliveries_claim(p_limit integer, p_lease interval, p_per_minute integer)
    returns table (id uuid, channel text, attempts integer, event text, title text, body text, link text, facts jsonb,
        sms_template_id text, target_sealed bytea, secret_sealed bytea, mentions text[], event_created_at timestamptz)
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    #variable_conflict use_column
    declare
        picked uuid[];
        held uuid[];
    begin
        with candidates as (
            select d.id, d.target, d.next_attempt_at from alert_delivery d
            where d.status = 'pending' and d.next_attempt_at <= now() and (d.leased_until is null or d.leased_until <= now())
            order by d.next_attempt_at
            limit p_limit * 2
            for update skip locked
        ), targets as (
            select t.target, (
                (select count(*) from alert_delivery s where s.target = t.target and s.status = 'sent' and s.sent_at > now() - interval '1 minute')
                + (select count(*) from alert_delivery s where s.target = t.target and s.status = 'pending' and s.leased_until > now())
            ) as recent
            from (select distinct c.target from candidates c) t
        ), ranked as (
            select c.id, c.next_attempt_at, row_number() over (partition by c.target order by c.next_attempt_at, c.id) + t.recent as rank
            from candidates c join targets t on t.target = c.target
        )
        select coalesce(array_agg(r.id order by r.next_attempt_at) filter (where r.rank <= p_per_minute), '{}'),
            coalesce(array_agg(r.id) filter (where r.rank > p_per_minute), '{}')
        into picked, held
        from ranked r;
        picked := picked[1:p_limit];
        update alert_delivery d set next_attempt_at = now() + interval '15 seconds' where d.id = any (held);
        return query
        with claimed as (
        update alert_delivery d set leased_until = now() + p_lease, attempts = d.attempts + 1
        from alert_event e
        left join alert_rule_for(e.event, e.county_id) r on true
        where d.id = any (picked) and e.id = d.event_id
        returning d.id, d.channel, d.attempts, e.event, e.title, e.body, e.link, e.facts, r.sms_template_id,
            coalesce((select ch.target_sealed from alert_channel ch where ch.id = d.channel_id and ch.active),
                     (select c.phone_sealed from account_contact c where c.account_id = d.account_id)),
            (select ch.secret_sealed from alert_channel ch where ch.id = d.channel_id),
            case when d.channel = 'wecom' then
                    (select coalesce(array_agg(c.wecom_user_id order by c.wecom_user_id), '{}') from alert a
                     join account_contact c on c.account_id = a.account_id where a.event_id = e.id and c.wecom_user_id is not null)
                when d.channel = 'dingtalk' then
                    (select coalesce(array_agg(c.dingtalk_user_id order by c.dingtalk_user_id), '{}') from alert a
                     join account_contact c on c.account_id = a.account_id where a.event_id = e.id and c.dingtalk_user_id is not null)
                else '{}' end,
            e.created_at
        )
        select * from claimed;
    end
    $$;
revoke all on function alert_deliveries_claim(integer, interval, integer) from public;
grant execute on function alert_deliveries_claim(integer, interval, integer) to liushou_app;

-- Ends one claimed attempt (p_attempt: the attempts count its claim answered): sent, tried again at
-- p_retry_at, or dead (after the last try, or a target that can never work). An attempt whose
-- lease ran out and was claimed again, or a delivery retried by hand meanwhile, is left alone.
create function alert_delivery_finish(p_id uuid, p_attempt integer, p_outcome text, p_error text, p_retry_at timestamptz) returns boolean
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        update alert_delivery d set
            status = case p_outcome when 'sent' then 'sent' when 'dead' then 'dead' else 'pending' end,
            sent_at = case when p_outcome = 'sent' then now() end,
            last_error = case when p_outcome = 'sent' then d.last_error else left(p_error, 500) end,
            next_attempt_at = coalesce(p_retry_at, d.next_attempt_at),
            leased_until = null
        where d.id = p_id and d.status = 'pending' and d.attempts = p_attempt;
        return found;
    end
    $$;
revoke all on function alert_delivery_finish(uuid, integer, text, text, timestamptz) from public;
grant execute on function alert_delivery_finish(uuid, integer, text, text, timestamptz) to liushou_app;

-- A test message to one channel of the caller's scope (the caller's own account is the sender).
create function alert_channel_test(p_channel uuid) returns uuid
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        unit uuid;
        raised uuid;
    begin
        select ch.unit_id into unit from alert_channel ch where ch.id = p_channel and ch.active and liushou_unit_in_scope(ch.unit_id, 'alerts');
        if unit is null then return null; end if;
        raised := alert_raise('channel.test', unit, jsonb_build_object('unit', alert_unit_label(unit)), null,
            'channel.test:' || gen_random_uuid(), null, null, null, null, p_channel);
        return (select d.id from alert_delivery d where d.event_id = raised);
    end
    $$;
revoke all on function alert_channel_test(uuid) from public;
grant execute on function alert_channel_test(uuid) to liushou_app;

-- What the outbox holds, for /metrics: deliveries waiting and dead, and how long the oldest due one
-- has waited (a growing figure means the servers are not keeping up, or a receiver is down).
create function alert_outbox_stats() returns table (pending bigint, dead bigint, oldest_due_seconds double precision)
    language sql stable security definer set search_path = public, pg_temp
    as $$
        select (select count(*) from alert_delivery d where d.status = 'pending'),
               (select count(*) from alert_delivery d where d.status = 'dead'),
               coalesce((select extract(epoch from now() - min(d.next_attempt_at))::double precision from alert_delivery d
                         where d.status = 'pending' and d.next_attempt_at <= now()), 0)
    $$;
revoke all on function alert_outbox_stats() from public;
grant execute on function alert_outbox_stats() to liushou_app;

-- Row-level security: a user's inbox and contact settings are their own; rules are read by anyone
-- of the county and set by its administrators; channels and deliveries belong to the units of the
-- caller's `alerts` scope (county and town administrators).
alter table alert_rule enable row level security;
create policy alert_rule_read on alert_rule for select using (county_id is null or liushou_county_of_mine(county_id));
create policy alert_rule_insert on alert_rule for insert with check (county_id is not null and liushou_unit_in_scope(county_id, 'alerts'));
create policy alert_rule_update on alert_rule for update using (county_id is not null and liushou_unit_in_scope(county_id, 'alerts'));
create policy alert_rule_delete on alert_rule for delete using (county_id is not null and liushou_unit_in_scope(county_id, 'alerts'));

alter table alert_event enable row level security;
create policy alert_event_read on alert_event for select
    using (liushou_unit_in_scope(unit_id, 'alerts') or exists (select from alert a where a.event_id = alert_event.id and a.account_id = liushou_account()));

alter table alert enable row level security;
create policy alert_read on alert for select using (account_id = liushou_account());
create policy alert_update on alert for update using (account_id = liushou_account());

alter table alert_channel enable row level security;
create policy alert_channel_read on alert_channel for select using (liushou_unit_in_scope(unit_id, 'alerts'));
create policy alert_channel_insert on alert_channel for insert
    with check (liushou_unit_in_scope(unit_id, 'alerts') and created_by = liushou_account());
create policy alert_channel_update on alert_channel for update using (liushou_unit_in_scope(unit_id, 'alerts'));

alter table account_contact enable row level security;
create policy account_contact_own on account_contact for all
    using (account_id = liushou_account()) with check (account_id = liushou_account());

alter table alert_delivery enable row level security;
create policy alert_delivery_read on alert_delivery for select
    using (exists (select from alert_event e where e.id = alert_delivery.event_id and liushou_unit_in_scope(e.unit_id, 'alerts')));
create policy alert_delivery_update on alert_delivery for update
    using (exists (select from alert_event e where e.id = alert_delivery.event_id and liushou_unit_in_scope(e.unit_id, 'alerts')));

grant select, insert, update, delete on alert_rule to liushou_app;
grant select on alert_event to liushou_app;
grant select, update (read_at) on alert to liushou_app;
grant select, insert, update on alert_channel, account_contact to liushou_app;
grant select, update (status, attempts, next_attempt_at, leased_until, last_error) on alert_delivery to liushou_app;
