"""``mistral-svc-db-manage``: upgrade the schema, show its revision, load system actions."""

import argparse
import sys

from mistral_svc import config


def main(argv=None):
    parser = argparse.ArgumentParser(prog="mistral-svc-db-manage")
    # Upstream's order puts the config file before the command (``--config-file F
    # upgrade head``); after the command it reaches oslo.config unparsed.
    parser.add_argument("--config-file", action="append", default=[], metavar="PATH",
                        help="configuration file (may be repeated)")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("upgrade", help="upgrade the schema to a revision (default head)")
    up.add_argument("revision", nargs="?", default="head")
    sub.add_parser("current", help="print the schema revision of the database")
    sub.add_parser("populate", help="load the system actions into the database")
    rev = sub.add_parser("revision", help="write a new migration script (developers)")
    rev.add_argument("-m", "--message", required=True)
    args, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    leading = [arg for path in args.config_file for arg in ("--config-file", path)]
    config.parse_args(leading + rest)

    from mistral_svc.db import session as db_session
    from mistral_svc.db.migration import cli as migration

    db_session.configure(config.database_url(), **config.database_pool_options())
    if args.command == "upgrade":
        migration.upgrade(args.revision)
        print("Schema at revision %s" % migration.current())
    elif args.command == "current":
        print(migration.current() or "(empty database)")
    elif args.command == "populate":
        from mistral_svc.services import action_catalog

        count = action_catalog.populate()
        print("System actions loaded: %d" % count)
    elif args.command == "revision":
        migration.revision(args.message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
