package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

const (
	fxRateColumns = `SELECT date, currency, per_eur FROM fx_rates`
	allFXRates    = fxRateColumns + ` ORDER BY date, currency`
	// fxRatesTable names the bulk upserts in bulkQueries.
	fxRatesTable = "fx_rates"
)

// PutFXRates upserts rates in one transaction, in multi-row statements of powers of two rows up
// to maxChunk, as InsertVisits does, so that the ECB's whole history (some 200,000 rates) takes
// a few hundred statements from a handful of prepared ones.
func (s *Store) PutFXRates(ctx context.Context, rates []pactum.FXRate) (int, error) {
	// PostgreSQL refuses an upsert that meets the same key twice in one statement, so repeated
	// keys are folded first, the later rate winning as it would across statements.
	index := make(map[fxKey]int, len(rates))
	rows := make([]pactum.FXRate, 0, len(rates))
	for i, r := range rates {
		if err := r.Validate(); err != nil {
			return 0, fmt.Errorf("put fx rates: %w", pactum.WithFieldPrefix(err, fmt.Sprintf("rates[%d]", i)))
		}
		k := fxKey{r.Date.Unix(), r.Currency}
		if j, ok := index[k]; ok {
			rows[j] = r
			continue
		}
		index[k] = len(rows)
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		stmts := make(map[int]*sql.Stmt)
		defer func() {
			for _, st := range stmts {
				st.Close()
			}
		}()
		args := make([]any, 0, 3*maxChunk)
		for left := rows; len(left) > 0; {
			n := maxChunk
			for n > len(left) {
				n /= 2
			}
			st, ok := stmts[n]
			if !ok {
				var err error
				if st, err = tx.PrepareContext(ctx, s.fxUpsertQuery(n)); err != nil {
					return err
				}
				stmts[n] = st
			}
			args = args[:0]
			for _, r := range left[:n] {
				args = append(args, r.Date.Format(pactum.DateLayout), r.Currency, r.PerEURString())
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return err
			}
			left = left[n:]
		}
		// A new version in the same transaction: a process that sees it sees these rates.
		_, err := tx.ExecContext(ctx, s.q(upsertSetting), pactum.SettingFXVersion, newVersion())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("put fx rates: %w", err)
	}
	return len(rows), nil
}

type fxKey struct {
	day      int64
	currency string
}

// fxUpsertQuery returns the statement that upserts n rates, cached by its row count.
func (s *Store) fxUpsertQuery(n int) string {
	key := bulkKey{fxRatesTable, n}
	if v, ok := s.bulkQueries.Load(key); ok {
		return v.(string)
	}
	var b strings.Builder
	b.WriteString("INSERT INTO fx_rates (date, currency, per_eur) VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?)")
	}
	b.WriteString(" ON CONFLICT (date, currency) DO UPDATE SET per_eur = excluded.per_eur")
	query := s.q(b.String())
	s.bulkQueries.Store(key, query)
	return query
}

// FXRates returns every stored rate, ordered by date, then currency.
func (s *Store) FXRates(ctx context.Context) ([]pactum.FXRate, error) {
	out, err := list(ctx, s.r, allFXRates, nil, scanFXRate)
	if err != nil {
		return nil, fmt.Errorf("fx rates: %w", err)
	}
	return out, nil
}

func scanFXRate(row scanner) (pactum.FXRate, error) {
	var date, currency, perEUR string
	if err := row.Scan(&date, &currency, &perEUR); err != nil {
		return pactum.FXRate{}, err
	}
	day, err := time.Parse(pactum.DateLayout, date)
	if err != nil {
		return pactum.FXRate{}, fmt.Errorf("fx rate of %s on %q: %w", currency, date, err)
	}
	rate, err := decimal.NewFromString(perEUR)
	if err != nil {
		return pactum.FXRate{}, fmt.Errorf("fx rate of %s on %s: %w", currency, date, err)
	}
	return pactum.FXRate{Date: day, Currency: currency, PerEUR: rate}, nil
}
