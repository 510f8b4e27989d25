-- Fraud and traffic quality (issue 17, docs/fraud.md). Conventions as in 0001.

-- A program's and an offer's fraud rules (pactum.FraudSettings as JSON; '{}' is every default).
ALTER TABLE advertisers ADD COLUMN fraud TEXT NOT NULL DEFAULT '{}';
ALTER TABLE offers ADD COLUMN fraud TEXT NOT NULL DEFAULT '{}';

-- The reason codes of the click rules that fired on a visit, joined by '+' (pactum.ReasonSep),
-- and whether one of them rejected it (not counted: an invalid click).
ALTER TABLE clicks ADD COLUMN flags TEXT NOT NULL DEFAULT '';
ALTER TABLE clicks ADD COLUMN invalid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE impressions ADD COLUMN flags TEXT NOT NULL DEFAULT '';
ALTER TABLE impressions ADD COLUMN invalid INTEGER NOT NULL DEFAULT 0;

-- The codes of every fraud rule that fired on a conversion (its decision's are in reason), and
-- its click's address, which the repeated_ip rule counts by.
ALTER TABLE conversions ADD COLUMN flags TEXT NOT NULL DEFAULT '';
ALTER TABLE conversions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
-- repeated_ip (sqldb.RepeatedIP); most conversions come without a click, and an index that leaves
-- them out costs their inserts nothing.
CREATE INDEX conversions_offer_ip ON conversions (offer_id, ip, time) WHERE ip <> '';
-- The review queue: conversions held for review are pending without an end to their hold period
-- (pactum.Conversion.Held), so that the approval job, which takes approve_at <= now, never sees them.
CREATE INDEX conversions_held ON conversions (advertiser_id, id) WHERE status = 'pending' AND approve_at IS NULL;
