-- Indexes for payout runs over a million commissions (scripts/bench-payouts.sh). Conventions as
-- in 0001.

-- A run sums a program's entries by partner, currency and kind (sqldb.Balances): with kind and
-- amount in the index that is a scan of the index alone, in the order the sums come out,
-- rather than a lookup of every entry's row in an order unrelated to the table's (5 s of a
-- 1,000,000-commission run in SQLite). It serves whatever the index it replaces served.
CREATE INDEX ledger_entries_sums ON ledger_entries (advertiser_id, partner_id, currency, kind, amount);
DROP INDEX ledger_entries_balance;

-- The payable commissions of a program, by the time they were approved: a run takes those
-- approved before its cutoff. Commissions are approved in about the order they were stored, so
-- a run that links them (UPDATE conversions SET payout_id) in this order visits the table and
-- this index front to back, where conversions_unpaid, by partner, sent it to a random row of
-- the table for each one (half the time of that statement, which dominates the run).
CREATE INDEX conversions_payable ON conversions (advertiser_id, approved_at)
	WHERE status = 'approved' AND payout_id IS NULL;
DROP INDEX conversions_unpaid;
