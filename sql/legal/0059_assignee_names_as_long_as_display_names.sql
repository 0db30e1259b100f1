-- A case's assignee name holds as many characters as an account's display name.
--
-- Assigning a legal-aid officer copies the officer's display name into `assignee_name`
-- (`liushou_legal_officer_name`, 0007). Display names have 1 to 100 characters
-- (`account.display_name`), the assignee name had 1 to 50: assigning an officer whose name is
-- longer than 50 characters failed the check and answered 500. The name is a copy for the case's
-- pages and reports, so it takes the account's limit; a lawyer's name, typed with the assignment,
-- is still limited to 50 characters by the API.

alter table legal_case_detail
    drop constraint legal_case_detail_assignee_name_check;

alter table legal_case_detail
    add constraint legal_case_detail_assignee_name_length
        check (length(btrim(assignee_name)) between 1 and 100);
