/* schema_v7.h — SQL that turns a current database back into the shape of
 * schema version 7 (before the lang columns of migration v8), for the
 * tests that make an old database to migrate. Run it on a connection
 * with the "bw" tokenizer registered; then drop what later versions
 * (and older ones) added and set user_version. */
#ifndef BW_TEST_SCHEMA_V7_H
#define BW_TEST_SCHEMA_V7_H

#define SCHEMA_UNDO_V8 \
	"DROP TRIGGER turns_ad; DROP TRIGGER turns_au;" \
	"DROP TRIGGER briefings_ad; DROP TRIGGER briefings_au;" \
	"DROP TABLE turns_fts; DROP TABLE heads_fts;" \
	"DROP VIEW turns_src; DROP VIEW heads_src;" \
	"ALTER TABLE turns DROP COLUMN lang;" \
	"ALTER TABLE briefings DROP COLUMN lang;" \
	"CREATE VIEW turns_src AS" \
	" SELECT t.id AS id, coalesce(s.name, t.asker) AS speaker," \
	"  NULL AS title, t.text AS text" \
	" FROM turns t LEFT JOIN speakers s ON s.id = t.speaker_id;" \
	"CREATE VIEW heads_src AS" \
	" SELECT id, NULL AS speaker, title, summary AS text FROM briefings;" \
	"CREATE VIRTUAL TABLE turns_fts USING fts5(speaker, title, text," \
	" content='turns_src', content_rowid='id', tokenize='bw');" \
	"CREATE VIRTUAL TABLE heads_fts USING fts5(speaker, title, text," \
	" content='heads_src', content_rowid='id', tokenize='bw');" \
	"CREATE TRIGGER turns_ad AFTER DELETE ON turns BEGIN" \
	" INSERT INTO turns_fts(turns_fts, rowid, speaker, title, text)" \
	"  VALUES ('delete', old.id," \
	"  coalesce((SELECT name FROM speakers WHERE id = old.speaker_id)," \
	"   old.asker), NULL, old.text);" \
	" END;" \
	"CREATE TRIGGER turns_au AFTER UPDATE ON turns BEGIN" \
	" INSERT INTO turns_fts(turns_fts, rowid, speaker, title, text)" \
	"  VALUES ('delete', old.id," \
	"  coalesce((SELECT name FROM speakers WHERE id = old.speaker_id)," \
	"   old.asker), NULL, old.text);" \
	" INSERT INTO turns_fts(rowid, speaker, title, text) VALUES (new.id," \
	"  coalesce((SELECT name FROM speakers WHERE id = new.speaker_id)," \
	"   new.asker), NULL, new.text);" \
	" END;" \
	"CREATE TRIGGER briefings_ad AFTER DELETE ON briefings BEGIN" \
	" INSERT INTO heads_fts(heads_fts, rowid, speaker, title, text)" \
	"  VALUES ('delete', old.id, NULL, old.title, old.summary);" \
	" END;" \
	"CREATE TRIGGER briefings_au AFTER UPDATE OF title, summary" \
	" ON briefings BEGIN" \
	" INSERT INTO heads_fts(heads_fts, rowid, speaker, title, text)" \
	"  VALUES ('delete', old.id, NULL, old.title, old.summary);" \
	" INSERT INTO heads_fts(rowid, speaker, title, text)" \
	"  VALUES (new.id, NULL, new.title, new.summary);" \
	" END;" \
	"INSERT INTO turns_fts(turns_fts) VALUES('rebuild');" \
	"INSERT INTO heads_fts(heads_fts) VALUES('rebuild');"

#endif
