-- "Invoice not received": the address the caller confirmed for the copy of
-- the invoices (the client's from the ledger, or the one given on the
-- phone), kept with the outcome so the call shows where the copy went.
-- NULL for every other outcome, and for copies asked before this column.
ALTER TABLE call_attempts ADD COLUMN copy_to TEXT;
