-- Which payout took each commission, in a narrow table of its own instead of a column of
-- conversions. Conventions as in 0001.
--
-- A payout run links every payable commission of a program at once: a million of them at scale.
-- As a column, each link rewrote a conversion row: in PostgreSQL a new version of the whole wide
-- row with an entry in each of its indexes (17-21 s of a 34 s run over 1,000,000 commissions);
-- here it is one INSERT ... SELECT of two integers per commission. A commission is payable while
-- it is approved and has no row here; a failed payout deletes its rows, which makes its
-- commissions payable again.
--
-- No foreign keys: the rows are written only by a run's INSERT ... SELECT, which takes both ids
-- from their tables in the same statement, and neither conversions nor payouts are ever deleted.
-- PostgreSQL checks a foreign key by locking the referenced row (FOR KEY SHARE), which for a
-- million commissions is a write to every conversion's page: the cost this table avoids.
CREATE TABLE payout_commissions (
	conversion_id BIGINT PRIMARY KEY,
	payout_id BIGINT NOT NULL
);
INSERT INTO payout_commissions (conversion_id, payout_id)
	SELECT id, payout_id FROM conversions WHERE payout_id IS NOT NULL;
CREATE INDEX payout_commissions_payout ON payout_commissions (payout_id);

-- The payable commissions of a program by approval time (0006), now with the linked ones until
-- their payout is settled: a run skips those through the table above.
DROP INDEX conversions_payable;
CREATE INDEX conversions_payable ON conversions (advertiser_id, approved_at) WHERE status = 'approved';

-- A partner's approved commissions by program, currency and approval time, with their amounts:
-- what a partner's balance shows as payable when (sqldb.UnpaidApproved), read from the index
-- alone instead of a scan of every conversion since 0006 dropped conversions_unpaid.
CREATE INDEX conversions_partner_approved ON conversions (partner_id, advertiser_id, ledger_currency, approved_at, ledger_amount)
	WHERE status = 'approved';

-- conversions.payout_id stays, no longer read or written, so that processes of the previous
-- version keep working during a rolling upgrade (docs/operations.md, "Upgrades"); a later
-- migration drops it with its index conversions_payout.
