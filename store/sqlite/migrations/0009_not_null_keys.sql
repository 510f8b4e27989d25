-- A PRIMARY KEY column of a rowid table may hold NULL in SQLite unless it is declared NOT NULL
-- (a bug SQLite keeps for compatibility), and several NULLs at that, since NULLs are distinct:
-- settings and log_positions, as 0001 made them, would take a setting or a stream position
-- without a name, which PostgreSQL refuses. store/storetest's TestSchemaParity found it. SQLite
-- cannot add NOT NULL to a column, so both are rebuilt with the same columns (a row without a
-- name, which the store never wrote, is left out); nothing references them. (schema_migrations, made by sqldb.Migrate, declares NOT NULL for new
-- databases; only Migrate writes it, with file names.) store/postgres has an empty 0009.

CREATE TABLE settings_new (
	name TEXT NOT NULL PRIMARY KEY,
	value TEXT NOT NULL
);
INSERT INTO settings_new (name, value) SELECT name, value FROM settings WHERE name IS NOT NULL;
DROP TABLE settings;
ALTER TABLE settings_new RENAME TO settings;

CREATE TABLE log_positions_new (
	stream TEXT NOT NULL PRIMARY KEY,
	pos INTEGER NOT NULL
);
INSERT INTO log_positions_new (stream, pos) SELECT stream, pos FROM log_positions WHERE stream IS NOT NULL;
DROP TABLE log_positions;
ALTER TABLE log_positions_new RENAME TO log_positions;
