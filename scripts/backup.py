#!/usr/bin/env python
"""Back up and restore the Mingjian database and media files (see docs/operations.md).

    python scripts/backup.py backup  [--dir backups]
    python scripts/backup.py restore [BACKUP_DIR] [--force]

The database is the one Django is configured for (DJANGO_SETTINGS_MODULE, DATABASE_URL /
SQLITE_PATH). SQLite is copied with SQLite's online backup API (consistent while the site
runs, no sqlite3 CLI needed); PostgreSQL with pg_dump's custom format and pg_restore.
Each backup is a folder `<dir>/<YYYYmmdd-HHMMSS>/` holding the database, `media.tar.gz`
and `manifest.json` with the row count of every table; restore checks the restored
database against those counts and exits non-zero on any difference.
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    return settings


def _is_sqlite(db: dict) -> bool:
    return db["ENGINE"] == "django.db.backends.sqlite3"


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        sys.exit(f"{name} 未安装：PostgreSQL 备份需要 postgresql-client（与服务器同一主版本或更新）。")
    return path


def _pg_params(db: dict) -> dict:
    return {
        k: v
        for k, v in (
            ("host", db.get("HOST")),
            ("port", db.get("PORT")),
            ("user", db.get("USER")),
            ("password", db.get("PASSWORD")),
            ("dbname", db["NAME"]),
        )
        if v
    }


def _pg_counts(conn) -> dict[str, int]:
    from psycopg import sql

    names = [
        r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    ]
    return {n: conn.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(n))).fetchone()[0] for n in names}


def table_counts(db: dict) -> dict[str, int]:
    """Rows in every table of the database described by a Django DATABASES entry."""
    if _is_sqlite(db):
        with sqlite3.connect(f"file:{db['NAME']}?mode=ro", uri=True) as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608 - names from the catalogue
    import psycopg

    with psycopg.connect(**_pg_params(db)) as conn:
        return _pg_counts(conn)


def backup(db: dict, media_root: Path, out_dir: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = out_dir / stamp
    n = 1
    while target.exists():
        n += 1
        target = out_dir / f"{stamp}-{n}"
    target.mkdir(parents=True)
    if _is_sqlite(db):
        engine = "sqlite"
        src = sqlite3.connect(db["NAME"])
        dst = sqlite3.connect(target / "db.sqlite3")
        with dst:
            src.backup(dst)
        dst.close()
        src.close()
        counts = table_counts({"ENGINE": db["ENGINE"], "NAME": str(target / "db.sqlite3")})
    else:
        engine = "postgresql"
        import psycopg

        # Count the rows in the very snapshot pg_dump copies, so the manifest matches the dump
        # even while the site keeps writing.
        with psycopg.connect(**_pg_params(db)) as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            counts = _pg_counts(conn)
            subprocess.run(  # noqa: S603 - fixed argv
                [
                    _pg_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(target / "db.dump"),
                    db["NAME"],
                ],
                env=_pg_env(db),
                check=True,
            )
            conn.rollback()
    if media_root.is_dir():
        with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
            archive.add(media_root, arcname=".")
    manifest = {"engine": engine, "created": stamp, "database": str(db["NAME"]), "tables": counts}
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    sys.stdout.write(f"备份完成：{target}（{engine}，{len(counts)} 张表，{sum(counts.values())} 行）\n")
    return target


def _is_empty(db: dict) -> bool:
    if _is_sqlite(db) and not Path(db["NAME"]).exists():
        return True
    return not table_counts(db)


def restore(db: dict, media_root: Path, source: Path, *, force: bool = False) -> None:
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    engine = "sqlite" if _is_sqlite(db) else "postgresql"
    if manifest["engine"] != engine:
        sys.exit(f"备份来自 {manifest['engine']}，当前数据库是 {engine}，无法直接恢复。")
    if not force and not _is_empty(db):
        sys.exit(f"目标数据库 {db['NAME']} 不是空的；确认覆盖请加 --force（make restore FORCE=1）。")
    if engine == "sqlite":
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(f"file:{source / 'db.sqlite3'}?mode=ro", uri=True)
        dst = sqlite3.connect(db["NAME"])
        with dst:
            src.backup(dst)
        dst.close()
        src.close()
    else:
        subprocess.run(  # noqa: S603 - fixed argv
            [
                _pg_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--clean",
                "--if-exists",
                "--exit-on-error",
                "--dbname",
                db["NAME"],
                str(source / "db.dump"),
            ],
            env=_pg_env(db),
            check=True,
        )
    if (source / "media.tar.gz").exists():
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(source / "media.tar.gz", "r:gz") as archive:
            archive.extractall(media_root, filter="data")
    restored = table_counts(db)
    diffs = {t: (n, restored.get(t)) for t, n in manifest["tables"].items() if restored.get(t) != n}
    if diffs:
        sys.exit(f"恢复后行数不一致（表：备份/恢复）：{diffs}")
    sys.stdout.write(f"恢复完成：{source} → {db['NAME']}，{len(restored)} 张表行数与备份一致。\n")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="明鉴数据库与媒体文件的备份和恢复")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backup", help="备份到 <dir>/<时间戳>/")
    b.add_argument("--dir", default=str(REPO / "backups"))
    r = sub.add_parser("restore", help="从备份目录恢复（默认最新一份）")
    r.add_argument("source", nargs="?", default="")
    r.add_argument("--dir", default=str(REPO / "backups"))
    r.add_argument("--force", action="store_true", help="允许覆盖非空数据库")
    args = parser.parse_args(argv)

    settings = _setup_django()
    db = settings.DATABASES["default"]
    media_root = Path(settings.MEDIA_ROOT)
    if args.command == "backup":
        backup(db, media_root, Path(args.dir))
        return
    source = Path(args.source) if args.source else None
    if source is None:
        candidates = sorted(p for p in Path(args.dir).glob("*/manifest.json"))
        if not candidates:
            sys.exit(f"{args.dir} 中没有备份。")
        source = candidates[-1].parent
    restore(db, media_root, source, force=args.force)


if __name__ == "__main__":
    main()
