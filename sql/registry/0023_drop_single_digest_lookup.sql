-- Duplicate ID numbers are found with every digest a number may be stored under
-- (`liushou_active_id_number_exists(bytea[])`, 0020). The one-digest form from 0003 misses numbers
-- stored under a previous key during a rotation; no server since 0020 calls it, so it goes.
drop function liushou_active_id_number_exists(bytea);
