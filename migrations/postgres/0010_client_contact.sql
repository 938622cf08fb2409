-- The person to ask for at the client (issue 6: a call task shows "contact
-- name and phone", and the caller's script greets them). Optional: imports
-- without the column keep working. Same schema as on the other backend.
ALTER TABLE clients ADD COLUMN contact_name TEXT;
