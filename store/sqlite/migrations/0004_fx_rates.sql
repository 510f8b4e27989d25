-- Currency reference rates (SPEC section 2): one euro buys per_eur units of currency on date.
-- date is the day as written, 'YYYY-MM-DD', rather than the BIGINT microseconds of other
-- times: a rate is for a calendar day, not an instant, and the text sorts as the days do.
-- per_eur is the exact decimal as text: the rates are ratios, not money in minor units, and
-- text keeps every digit the same way in both databases. WITHOUT ROWID: lookups and the
-- ordered read are by the key.
CREATE TABLE fx_rates (
	date TEXT NOT NULL,
	currency TEXT NOT NULL,
	per_eur TEXT NOT NULL,
	PRIMARY KEY (date, currency)
) WITHOUT ROWID;
