-- Webhook signing secrets are sealed at rest from now on (src/crypto.rs). The values stored
-- so far are plaintext: mark them `p:` so they are never mistaken for sealed ones; Kairos
-- seals them at its next start-up with a key derived from its secret key.
UPDATE webhooks SET secret = 'p:' || secret WHERE secret IS NOT NULL;
