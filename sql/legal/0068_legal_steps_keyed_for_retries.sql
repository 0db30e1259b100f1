-- Legal-aid steps sent with an Idempotency-Key are kept by that key, so a retry is answered, not refused.
--
-- A decision, review, assignment, first contact or closing whose answer was lost (a phone's network
-- dropping after the COMMIT) was sent again at the version the client had read: the case had moved
-- on, so the retry met 412 and the console said the step was not saved, though it was. An
-- assignment (assigned to assigned is a step of its own) sent twice was applied twice, audited twice.
-- The relief workflow keys its transitions for the same reason (0006); legal aid has no table of
-- transitions, so each keyed step leaves one row here: who sent it, what (a digest of the body) and
-- for which case. A retry with the same key, sender and body is answered with the case as it stands;
-- the same key with another body is refused. Steps sent without a key behave as before.
create table legal_case_step (
    case_id uuid not null
        constraint legal_case_step_case references legal_case (id),
    idempotency_key text not null
        constraint legal_case_step_key_length check (length(idempotency_key) between 1 and 200),
    action text not null
        constraint legal_case_step_action check (action in ('decision', 'review', 'assignment', 'first-contact', 'close')),
    -- The case's unit, as on its notes: row-level security reads it without a join.
    unit_id uuid not null
        constraint legal_case_step_unit references org_unit (id),
    actor_id uuid not null
        constraint legal_case_step_actor references account (id),
    -- SHA-256 of the step's body (keys sorted).
    request_hash bytea not null,
    at timestamptz not null default now(),
    constraint legal_case_step_pkey primary key (case_id, idempotency_key)
);

alter table legal_case_step enable row level security;
create policy legal_case_step_read on legal_case_step for select using (liushou_unit_in_scope(unit_id, 'legal_aid'));
create policy legal_case_step_insert on legal_case_step for insert
    with check (liushou_unit_in_scope(unit_id, 'legal_aid') and actor_id = liushou_account()
        and exists (select from legal_case c where c.id = case_id and c.unit_id = legal_case_step.unit_id));
grant select, insert on legal_case_step to liushou_app;
