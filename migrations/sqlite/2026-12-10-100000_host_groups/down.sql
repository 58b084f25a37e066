ALTER TABLE hosts DROP COLUMN group_id;
ALTER TABLE hosts ADD COLUMN host_group TEXT;
DROP TABLE host_groups;
