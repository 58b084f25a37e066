-- Values not yet sealed get their plaintext back. Sealed values (v1:…) cannot be opened in
-- SQL: an older Kairos would sign with them as they are, so set those secrets again.
UPDATE webhooks SET secret = substr(secret, 3) WHERE secret LIKE 'p:%';
