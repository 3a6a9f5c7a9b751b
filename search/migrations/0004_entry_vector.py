import django.contrib.postgres.search
from django.db import migrations, models

# PostgreSQL only (SQLite searches its FTS5 table). The segmenting backend matches and ranks on
# a narrow copy of the index entries (search.models.IndexEntryVector) instead of Wagtail's wide
# `wagtailsearch_indexentry` rows, whose body vectors mostly live out of line in TOAST: matching
# and ranking 监督 over 12,000 pages read 34,000 buffers there and 2,800 here. Row triggers on
# the index table keep the copy in step with every insert, update (title norms) and delete, a
# statement trigger with TRUNCATE. The expression index of 0003 is no longer used and dropped.
TABLE = "mingjian_search_entryvector"
INDEX = "mingjian_entryvector_vector_gin"
SYNC = "mingjian_entryvector_sync"
CLEAR = "mingjian_entryvector_clear"
OLD_FUNCTION = "mingjian_title_body"
OLD_INDEX = "mingjian_indexentry_title_body_gin"
# The page id when object_id is a number (every page's is); NULL otherwise.
OBJECT_ID = "CASE WHEN {e}.object_id ~ '^[0-9]{{1,18}}$' THEN {e}.object_id::bigint END"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(
        f"CREATE TABLE {TABLE} (entry_id integer PRIMARY KEY, content_type_id integer NOT NULL, "
        "object_id bigint, title_norm double precision NOT NULL, title tsvector NOT NULL, vector tsvector NOT NULL)"
    )
    run(f"CREATE INDEX {INDEX} ON {TABLE} USING gin (vector)")
    run(
        f"CREATE FUNCTION {SYNC}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id <> NEW.id) THEN "
        f"DELETE FROM {TABLE} WHERE entry_id = OLD.id; END IF; "
        f"IF TG_OP <> 'DELETE' THEN "
        f"INSERT INTO {TABLE} (entry_id, content_type_id, object_id, title_norm, title, vector) "
        f"VALUES (NEW.id, NEW.content_type_id, {OBJECT_ID.format(e='NEW')}, NEW.title_norm, NEW.title, "
        "NEW.title || NEW.body) "
        "ON CONFLICT (entry_id) DO UPDATE SET content_type_id = EXCLUDED.content_type_id, "
        "object_id = EXCLUDED.object_id, title_norm = EXCLUDED.title_norm, title = EXCLUDED.title, "
        "vector = EXCLUDED.vector; END IF; RETURN NULL; END $$"
    )
    run(f"CREATE FUNCTION {CLEAR}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN TRUNCATE {TABLE}; RETURN NULL; END $$")
    run(
        f"CREATE TRIGGER {SYNC} AFTER INSERT OR UPDATE OR DELETE ON wagtailsearch_indexentry "
        f"FOR EACH ROW EXECUTE FUNCTION {SYNC}()"
    )
    run(f"CREATE TRIGGER {CLEAR} AFTER TRUNCATE ON wagtailsearch_indexentry FOR EACH STATEMENT EXECUTE FUNCTION {CLEAR}()")
    run(
        f"INSERT INTO {TABLE} (entry_id, content_type_id, object_id, title_norm, title, vector) "  # noqa: S608 - constant names
        f"SELECT e.id, e.content_type_id, {OBJECT_ID.format(e='e')}, e.title_norm, e.title, e.title || e.body "
        "FROM wagtailsearch_indexentry e"
    )
    run(f"ANALYZE {TABLE}")
    run(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    run(f"DROP FUNCTION IF EXISTS {OLD_FUNCTION}(tsvector, tsvector)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(f"DROP TRIGGER IF EXISTS {SYNC} ON wagtailsearch_indexentry")
    run(f"DROP TRIGGER IF EXISTS {CLEAR} ON wagtailsearch_indexentry")
    run(f"DROP FUNCTION IF EXISTS {SYNC}()")
    run(f"DROP FUNCTION IF EXISTS {CLEAR}()")
    run(f"DROP TABLE IF EXISTS {TABLE}")
    # Back to 0003's state.
    run(
        f"CREATE OR REPLACE FUNCTION {OLD_FUNCTION}(title tsvector, body tsvector) RETURNS tsvector "
        "AS $$ BEGIN RETURN title || body; END $$ LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000"
    )
    run(
        f'CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON "wagtailsearch_indexentry" USING gin ({OLD_FUNCTION}("title", "body"))'
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mingjian_search", "0003_indexentry_title_body_gin"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndexEntryVector",
            fields=[
                ("entry_id", models.IntegerField(primary_key=True, serialize=False)),
                ("content_type_id", models.IntegerField()),
                ("object_id", models.BigIntegerField(null=True)),
                ("title_norm", models.FloatField()),
                ("title", django.contrib.postgres.search.SearchVectorField()),
                ("vector", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={"db_table": "mingjian_search_entryvector", "managed": False},
        ),
        migrations.RunPython(create, drop),
    ]
