package storetest_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/pactum/pactum/store/postgres"
	"github.com/pactum/pactum/store/postgres/pgtest"
	"github.com/pactum/pactum/store/sqlite"
)

// allowedDifferences are the ways the migrated schemas differ on purpose, by the subject
// TestSchemaParity names, with both sides exactly as it describes them and the reason. A
// difference not listed fails the test, and so does an entry that no longer matches one.
var allowedDifferences = map[string]struct{ sqlite, postgres, why string }{
	"payout_commissions.conversion_id": {`"integer not null generated"`, `"integer not null"`,
		"a single INTEGER PRIMARY KEY is SQLite's rowid, which SQLite fills in when an insert " +
			"leaves it out; the store always gives it (a payout run's INSERT ... SELECT), and as " +
			"the rowid the table is one b-tree by conversion id instead of a table and an index"},
	"changes.position": {`"integer not null generated"`, `"integer not null"`,
		"the same rowid reason: the store always gives the position (from change_head), and " +
			"as the rowid the feed is one b-tree in position order"},
	"report_memos.conversion_id": {`"integer not null generated"`, `"integer not null"`,
		"the rowid reason again: the store always gives the conversion id, and as the rowid the " +
			"memos are one b-tree by conversion"},
	"change_head.id": {`"integer not null generated"`, `"integer not null"`,
		"its one row is made by the migration with id 1 (CHECK id = 1); as the rowid it is the " +
			"smallest table SQLite can have"},
}

// TestSchemaParity migrates a fresh SQLite database and a fresh PostgreSQL schema and compares
// what their catalogs say: tables, columns (kind of type, nullability, generated ids,
// defaults), primary keys, indexes (columns, uniqueness, partial WHERE), unique constraints,
// foreign keys and CHECK constraints. Column order is not compared: ALTER TABLE appends, and
// the store names every column it reads. Collations are not compared either (SQLite's are not
// in its catalog): SQLite compares text by bytes, as PostgreSQL's COLLATE "C" does, and the
// store orders by text only by currency codes (A-Z in any collation) and by fx_rates' days,
// whose columns are "C" in PostgreSQL.
func TestSchemaParity(t *testing.T) {
	lite, pg := sqliteSchema(t), postgresSchema(t)
	var diffs []difference
	for _, name := range union(lite, pg) {
		l, p := lite[name], pg[name]
		if l == nil || p == nil {
			diffs = append(diffs, difference{"table " + name, present(l != nil), present(p != nil)})
			continue
		}
		diffs = append(diffs, compare(name+".", l.columns, p.columns)...)
		diffs = append(diffs, compare(name+": ", l.keys, p.keys)...)
	}
	seen := make(map[string]bool)
	for _, d := range diffs {
		a, ok := allowedDifferences[d.subject]
		if ok && a.sqlite == d.sqlite && a.postgres == d.postgres {
			seen[d.subject] = true
			continue
		}
		t.Errorf("%s: SQLite %s, PostgreSQL %s", d.subject, d.sqlite, d.postgres)
	}
	for subject := range allowedDifferences {
		if !seen[subject] {
			t.Errorf("%s: the allowed difference is gone (or changed); update allowedDifferences", subject)
		}
	}
}

// TestMigrationNames: the two sets of migrations have the same file names, so that a number
// means one change in both and the next migration of both has the next number in both. A
// migration one database does not need is a file saying why (store/postgres's 0008).
func TestMigrationNames(t *testing.T) {
	lite, pg := migrationNames(t, "../sqlite/migrations"), migrationNames(t, "../postgres/migrations")
	for _, name := range union(lite, pg) {
		if !lite[name] || !pg[name] {
			t.Errorf("migration %s: SQLite %s, PostgreSQL %s", name, present(lite[name]), present(pg[name]))
		}
	}
}

func migrationNames(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations in %s: %v", dir, err)
	}
	names := make(map[string]bool)
	for _, f := range files {
		names[filepath.Base(f)] = true
	}
	return names
}

// table is what the test compares of one table, each part described as a short string.
type table struct {
	// columns by name: "integer not null generated", "text not null default ''".
	columns map[string]string
	// keys by what they are ("primary key", "index NAME", "unique (a, b)", "foreign key (a)",
	// "check EXPR"): their columns, target or condition. Indexes made by a UNIQUE or PRIMARY
	// KEY constraint are named by SQLite and PostgreSQL alike, so they go by their columns.
	keys map[string]string
}

func newTable() *table {
	return &table{columns: make(map[string]string), keys: make(map[string]string)}
}

type difference struct{ subject, sqlite, postgres string }

func present(ok bool) string {
	if ok {
		return "has it"
	}
	return "has none"
}

func union[V any](a, b map[string]V) []string {
	var names []string
	for n := range a {
		names = append(names, n)
	}
	for n := range b {
		if _, ok := a[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

func compare(prefix string, lite, pg map[string]string) []difference {
	var diffs []difference
	for _, name := range union(lite, pg) {
		l, lok := lite[name]
		p, pok := pg[name]
		switch {
		case !lok || !pok:
			diffs = append(diffs, difference{prefix + name, present(lok), present(pok)})
		case l != p:
			diffs = append(diffs, difference{prefix + name, fmt.Sprintf("%q", l), fmt.Sprintf("%q", p)})
		}
	}
	return diffs
}

// column describes a column the same way for both databases.
func column(kind string, notNull, generated bool, def string) string {
	s := kind
	if notNull {
		s += " not null"
	}
	if generated {
		s += " generated"
	}
	if def != "" {
		s += " default " + def
	}
	return s
}

var (
	casts  = regexp.MustCompile(`::[a-z_]+`)
	spaces = regexp.MustCompile(`\s+`)
)

// normalizeExpr makes a WHERE or CHECK condition comparable across the two: PostgreSQL
// prints it back with casts ('approved'::text) and parentheses around every operation.
func normalizeExpr(s string) string {
	s = casts.ReplaceAllString(s, "")
	s = strings.NewReplacer("(", "", ")", "").Replace(s)
	return strings.ToLower(strings.TrimSpace(spaces.ReplaceAllString(s, " ")))
}

// normalizeDefault makes a column default comparable: PostgreSQL adds casts, and its boolean
// defaults are SQLite's 0 and 1.
func normalizeDefault(s string) string {
	s = casts.ReplaceAllString(s, "")
	switch strings.ToLower(s) {
	case "false":
		return "0"
	case "true":
		return "1"
	}
	return s
}

func keyColumns(cols []string) string { return "(" + strings.Join(cols, ", ") + ")" }

func index(t *table, name string, unique bool, constraint string, cols []string, where string) {
	desc := keyColumns(cols)
	if where != "" {
		desc += " where " + normalizeExpr(where)
	}
	switch {
	case constraint != "":
		// Named by the database: by columns, and its kind is in the key.
		t.keys[constraint+" "+keyColumns(cols)] = desc
	case unique:
		t.keys["unique index "+name] = desc
	default:
		t.keys["index "+name] = desc
	}
}

func sqliteSchema(t *testing.T) map[string]*table {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pactum.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	type tableInfo struct {
		name, sql    string
		withoutRowid bool
	}
	var infos []tableInfo
	query(t, db, `SELECT m.name, m.sql, l.wr FROM sqlite_schema m JOIN pragma_table_list l ON l.name = m.name AND l.schema = 'main'
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'`, func(r *sql.Rows) error {
		var ti tableInfo
		err := r.Scan(&ti.name, &ti.sql, &ti.withoutRowid)
		infos = append(infos, ti)
		return err
	})
	schema := make(map[string]*table)
	for _, ti := range infos {
		tb := newTable()
		schema[ti.name] = tb
		type col struct {
			name, typ string
			notNull   bool
			def       sql.NullString
			pk        int
		}
		var cols []col
		query(t, db, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`, func(r *sql.Rows) error {
			var c col
			err := r.Scan(&c.name, &c.typ, &c.notNull, &c.def, &c.pk)
			cols = append(cols, c)
			return err
		}, ti.name)
		var pk []string
		for _, c := range slices.SortedFunc(slices.Values(cols), func(a, b col) int { return a.pk - b.pk }) {
			if c.pk > 0 {
				pk = append(pk, c.name)
			}
		}
		if len(pk) > 0 {
			tb.keys["primary key"] = keyColumns(pk)
		}
		for _, c := range cols {
			// A single INTEGER PRIMARY KEY of a rowid table is the rowid: never NULL, and
			// filled in when an insert leaves it out. Any other primary-key column of a rowid
			// table may hold NULL (a quirk SQLite keeps for compatibility) unless declared NOT
			// NULL; in a WITHOUT ROWID table it may not.
			rowid := !ti.withoutRowid && len(pk) == 1 && c.pk == 1 && strings.EqualFold(c.typ, "INTEGER")
			notNull := c.notNull || rowid || ti.withoutRowid && c.pk > 0
			tb.columns[c.name] = column(sqliteKind(c.typ), notNull, rowid, normalizeDefault(c.def.String))
		}

		type idx struct {
			name, origin string
			unique       bool
			partial      bool
		}
		var idxs []idx
		query(t, db, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, func(r *sql.Rows) error {
			var i idx
			err := r.Scan(&i.name, &i.unique, &i.origin, &i.partial)
			idxs = append(idxs, i)
			return err
		}, ti.name)
		for _, i := range idxs {
			if i.origin == "pk" {
				continue // the primary key, above
			}
			var cols []string
			query(t, db, `SELECT coalesce(name, '(expression)'), "desc" FROM pragma_index_xinfo(?) WHERE key ORDER BY seqno`, func(r *sql.Rows) error {
				var name string
				var desc bool
				err := r.Scan(&name, &desc)
				if desc {
					name += " DESC"
				}
				cols = append(cols, name)
				return err
			}, i.name)
			var where string
			if i.partial {
				var text string
				query(t, db, `SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`, func(r *sql.Rows) error {
					return r.Scan(&text)
				}, i.name)
				m := whereKeyword.FindAllStringIndex(text, -1)
				if m == nil {
					t.Fatalf("partial index %s without WHERE: %s", i.name, text)
				}
				where = text[m[len(m)-1][1]:]
			}
			constraint := ""
			if i.origin == "u" {
				constraint = "unique"
			}
			index(tb, i.name, i.unique, constraint, cols, where)
		}

		fks := make(map[int]*[2][]string)
		var fkTables = make(map[int]string)
		query(t, db, `SELECT id, "table", "from", coalesce("to", '') FROM pragma_foreign_key_list(?) ORDER BY id, seq`, func(r *sql.Rows) error {
			var id int
			var target, from, to string
			err := r.Scan(&id, &target, &from, &to)
			if fks[id] == nil {
				fks[id] = new([2][]string)
			}
			fks[id][0] = append(fks[id][0], from)
			fks[id][1] = append(fks[id][1], to)
			fkTables[id] = target
			return err
		}, ti.name)
		for id, fk := range fks {
			tb.keys["foreign key "+keyColumns(fk[0])] = fkTables[id] + " " + keyColumns(fk[1])
		}
		for _, c := range sqliteChecks(ti.sql) {
			tb.keys["check "+normalizeExpr(c)] = "present"
		}
	}
	return schema
}

var whereKeyword = regexp.MustCompile(`(?i)\sWHERE\s`)

var checkKeyword = regexp.MustCompile(`(?i)\bCHECK\s*\(`)

// sqliteChecks returns the conditions of the CHECK constraints in a CREATE TABLE statement
// (SQLite keeps the statement, with every ALTER TABLE ADD COLUMN applied to it, rather than
// the constraints in a catalog).
func sqliteChecks(stmt string) []string {
	var lines []string
	for line := range strings.Lines(stmt) {
		line, _, _ = strings.Cut(line, "--")
		lines = append(lines, line)
	}
	stmt = strings.Join(lines, " ")
	var checks []string
	for _, m := range checkKeyword.FindAllStringIndex(stmt, -1) {
		depth, quoted := 1, false
		for i := m[1]; i < len(stmt); i++ {
			switch c := stmt[i]; {
			case c == '\'':
				quoted = !quoted
			case quoted:
			case c == '(':
				depth++
			case c == ')':
				depth--
			}
			if depth == 0 {
				checks = append(checks, stmt[m[1]:i])
				break
			}
		}
	}
	return checks
}

// sqliteKind is the type affinity SQLite gives a declared type (its "Determination of column
// affinity"), in the words postgresKind uses.
func sqliteKind(declared string) string {
	d := strings.ToUpper(declared)
	switch {
	case strings.Contains(d, "INT"):
		return "integer"
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return "text"
	case strings.Contains(d, "BLOB"), d == "":
		return "blob"
	case strings.Contains(d, "REAL"), strings.Contains(d, "FLOA"), strings.Contains(d, "DOUB"):
		return "real"
	}
	return "numeric"
}

// postgresKind maps a PostgreSQL type to the SQLite affinity that holds the same values.
// SQLite's INTEGER is 64 bits: only bigint matches it, and a 32-bit integer column would
// overflow in PostgreSQL alone, so it is a kind of its own. Booleans are 0 and 1 in SQLite
// (0001's conventions).
func postgresKind(dataType string) string {
	switch dataType {
	case "bigint", "boolean":
		return "integer"
	case "integer", "smallint":
		return "32-bit " + dataType
	case "text", "character varying", "character":
		return "text"
	case "bytea":
		return "blob"
	case "double precision", "real":
		return "real"
	case "numeric":
		return "numeric"
	}
	return dataType
}

func postgresSchema(t *testing.T) map[string]*table {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	// database/sql scans no arrays; pgx's types do.
	types := pgtype.NewMap()

	schema := make(map[string]*table)
	query(t, db, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`, func(r *sql.Rows) error {
		var name string
		err := r.Scan(&name)
		schema[name] = newTable()
		return err
	})
	query(t, db, `SELECT table_name, column_name, data_type, is_nullable = 'NO',
			is_identity = 'YES' OR coalesce(column_default, '') LIKE 'nextval(%', coalesce(column_default, '')
		FROM information_schema.columns WHERE table_schema = current_schema()`, func(r *sql.Rows) error {
		var tableName, name, typ, def string
		var notNull, generated bool
		if err := r.Scan(&tableName, &name, &typ, &notNull, &generated, &def); err != nil {
			return err
		}
		if tb := schema[tableName]; tb != nil { // views have columns too
			if generated {
				def = "" // nextval(...), said by generated
			}
			tb.columns[name] = column(postgresKind(typ), notNull, generated, normalizeDefault(def))
		}
		return nil
	})
	// Every index with its key columns as written (pg_get_indexdef: a name, or an expression,
	// with DESC), and the constraint it serves, if any.
	query(t, db, `SELECT t.relname, i.relname, x.indisunique, coalesce(c.contype::text, ''),
			coalesce(pg_get_expr(x.indpred, x.indrelid), ''),
			ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) k ORDER BY k)
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class t ON t.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u')
		WHERE n.nspname = current_schema()`, func(r *sql.Rows) error {
		var tableName, name, constraint, where string
		var unique bool
		var cols []string
		if err := r.Scan(&tableName, &name, &unique, &constraint, &where, types.SQLScanner(&cols)); err != nil {
			return err
		}
		tb := schema[tableName]
		if tb == nil {
			return nil
		}
		for i, c := range cols {
			cols[i] = strings.ReplaceAll(c, `"`, "") // "time", a keyword, comes back quoted
		}
		switch constraint {
		case "p":
			tb.keys["primary key"] = keyColumns(cols)
		case "u":
			index(tb, name, unique, "unique", cols, where)
		default:
			index(tb, name, unique, "", cols, where)
		}
		return nil
	})
	columnNames := func(keys, rel string) string {
		return `ARRAY(SELECT a.attname FROM unnest(` + keys + `) WITH ORDINALITY k(num, ord)
			JOIN pg_attribute a ON a.attrelid = ` + rel + ` AND a.attnum = k.num ORDER BY k.ord)`
	}
	query(t, db, `SELECT t.relname, c.contype::text, coalesce(f.relname, ''), pg_get_constraintdef(c.oid),
			`+columnNames("c.conkey", "c.conrelid")+`, `+columnNames("c.confkey", "c.confrelid")+`
		FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		LEFT JOIN pg_class f ON f.oid = c.confrelid
		WHERE n.nspname = current_schema() AND c.contype IN ('f', 'c')`, func(r *sql.Rows) error {
		var tableName, kind, target, def string
		var from, to []string
		if err := r.Scan(&tableName, &kind, &target, &def, types.SQLScanner(&from), types.SQLScanner(&to)); err != nil {
			return err
		}
		tb := schema[tableName]
		switch {
		case tb == nil:
		case kind == "f":
			tb.keys["foreign key "+keyColumns(from)] = target + " " + keyColumns(to)
		default:
			// pg_get_constraintdef: CHECK ((amount > 0))
			tb.keys["check "+normalizeExpr(strings.TrimPrefix(def, "CHECK "))] = "present"
		}
		return nil
	})
	return schema
}

// query runs q and calls scan for each row, failing t on any error.
func query(t *testing.T, db *sql.DB, q string, scan func(*sql.Rows) error, args ...any) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
}
