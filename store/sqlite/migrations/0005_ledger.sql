-- The ledger and payouts (issue 4). Conventions as in 0001.

-- Where a conversion's commission is in its life: when its hold period ends (approve_at), when
-- it was approved, which payout took it, and what it credits the partner (ledger_amount, minor
-- units of ledger_currency, at fx_rate from the conversion's currency; '' when none applied).
ALTER TABLE conversions ADD COLUMN approve_at INTEGER;
ALTER TABLE conversions ADD COLUMN approved_at INTEGER;
ALTER TABLE conversions ADD COLUMN payout_id INTEGER;
ALTER TABLE conversions ADD COLUMN ledger_currency TEXT NOT NULL DEFAULT '';
ALTER TABLE conversions ADD COLUMN ledger_amount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversions ADD COLUMN fx_rate TEXT NOT NULL DEFAULT '';
UPDATE conversions SET ledger_currency = currency, ledger_amount = payout,
	approve_at = time + (SELECT hold_days FROM offers WHERE offers.id = conversions.offer_id) * 86400000000,
	approved_at = CASE WHEN status IN ('approved', 'paid') THEN updated_at END;
-- The approval job's query, and the payout run's.
CREATE INDEX conversions_due ON conversions (approve_at) WHERE status = 'pending';
CREATE INDEX conversions_unpaid ON conversions (advertiser_id, partner_id, ledger_currency, approved_at)
	WHERE status = 'approved' AND payout_id IS NULL;
CREATE INDEX conversions_payout ON conversions (payout_id) WHERE payout_id IS NOT NULL;

-- Payout settings of a program (its advertiser): schedule, net days, and the account it pays from.
ALTER TABLE advertisers ADD COLUMN payout_schedule TEXT NOT NULL DEFAULT 'monthly';
ALTER TABLE advertisers ADD COLUMN payout_weekday INTEGER NOT NULL DEFAULT 1;
ALTER TABLE advertisers ADD COLUMN payout_day INTEGER NOT NULL DEFAULT 1;
ALTER TABLE advertisers ADD COLUMN net_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE advertisers ADD COLUMN legal_name TEXT NOT NULL DEFAULT '';
ALTER TABLE advertisers ADD COLUMN iban TEXT NOT NULL DEFAULT '';
ALTER TABLE advertisers ADD COLUMN bic TEXT NOT NULL DEFAULT '';
-- Where a partner is paid.
ALTER TABLE partners ADD COLUMN paypal_email TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN iban TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN bic TEXT NOT NULL DEFAULT '';

-- Append-only: rows are inserted, never updated or deleted. amount is positive; kind says which
-- way it moves (pactum.Balance.Apply).
CREATE TABLE ledger_entries (
	id INTEGER PRIMARY KEY,
	partner_id INTEGER NOT NULL,
	advertiser_id INTEGER NOT NULL,
	currency TEXT NOT NULL,
	kind TEXT NOT NULL,
	amount INTEGER NOT NULL CHECK (amount > 0),
	conversion_id INTEGER,
	payout_id INTEGER,
	time INTEGER NOT NULL
);
CREATE INDEX ledger_entries_balance ON ledger_entries (advertiser_id, partner_id, currency);
CREATE INDEX ledger_entries_partner ON ledger_entries (partner_id, id);
CREATE INDEX ledger_entries_conversion ON ledger_entries (conversion_id) WHERE conversion_id IS NOT NULL;

-- What the conversions before this migration had earned, so that balances start right.
INSERT INTO ledger_entries (partner_id, advertiser_id, currency, kind, amount, conversion_id, time)
	SELECT partner_id, advertiser_id, currency, 'accrued', payout, id, time FROM conversions
	WHERE partner_id IS NOT NULL AND payout > 0 AND status IN ('pending', 'approved', 'paid');
INSERT INTO ledger_entries (partner_id, advertiser_id, currency, kind, amount, conversion_id, time)
	SELECT partner_id, advertiser_id, currency, 'approved', payout, id, updated_at FROM conversions
	WHERE partner_id IS NOT NULL AND payout > 0 AND status IN ('approved', 'paid');

-- One run per program and date: running the same date again finds it (the unique index), and
-- two runs at once cannot both create it.
CREATE TABLE payout_runs (
	id INTEGER PRIMARY KEY,
	advertiser_id INTEGER NOT NULL REFERENCES advertisers (id),
	date TEXT NOT NULL,
	payouts INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (advertiser_id, date)
);

-- One payout per partner and currency in a run.
CREATE TABLE payouts (
	id INTEGER PRIMARY KEY,
	run_id INTEGER NOT NULL REFERENCES payout_runs (id),
	advertiser_id INTEGER NOT NULL,
	partner_id INTEGER NOT NULL,
	currency TEXT NOT NULL,
	amount INTEGER NOT NULL CHECK (amount > 0),
	commissions INTEGER NOT NULL,
	status TEXT NOT NULL,
	method TEXT NOT NULL,
	reference TEXT NOT NULL,
	reason TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (run_id, partner_id, currency)
);
CREATE INDEX payouts_partner ON payouts (partner_id, id);
CREATE INDEX payouts_advertiser ON payouts (advertiser_id, id);
