"""Configuration options (oslo.config), named as upstream Mistral names them.

Option names follow Mistral where Mistral has the option, so an existing mistral.conf
translates line for line. With no config file at all every default below yields the
embedded single-process service: SQLite in a state directory, the in-process ``fake://``
transport and a file-based tooz backend.
"""

import os

from oslo_config import cfg, types

CONF = cfg.CONF


def _json_object(text):
    """A JSON object given as text (items of list options)."""
    import json

    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object: %s" % text)
    return value


DEFAULT_STATE_DIR = os.path.join(os.path.expanduser("~"), ".local", "state", "mistral-svc")

default_opts = [
    cfg.StrOpt(
        "state_dir",
        default=os.environ.get("MISTRAL_SVC_STATE_DIR", DEFAULT_STATE_DIR),
        sample_default="~/.local/state/mistral-svc",
        help="Directory for the embedded default's SQLite database and tooz files.",
    ),
    cfg.StrOpt(
        "host",
        default=os.uname().nodename,
        sample_default="<this host's name>",
        help="Name of this host, used in service membership ids (<host>_<pid>).",
    ),
    cfg.IntOpt(
        "graceful_shutdown_timeout",
        default=60,
        help="Seconds a service waits for in-flight work on SIGTERM.",
    ),
]

api_opts = [
    cfg.HostAddressOpt("host", default="127.0.0.1", help="Address the API listens on."),
    cfg.PortOpt("port", default=8989, help="Port the API listens on."),
    cfg.IntOpt("api_workers", default=8, help="Threads serving API requests."),
    cfg.IntOpt(
        "max_limit", default=1000, help="Largest page a list endpoint returns in one request."
    ),
    cfg.IntOpt(
        "rpc_timeout", default=60, help="Seconds the API waits for an answer from the engine."
    ),
    cfg.BoolOpt(
        "allow_action_execution_deletion",
        default=False,
        help="Let DELETE /v2/action_executions/{id} remove finished action executions "
        "run outside a workflow (refused with 403 otherwise, as in Mistral).",
    ),
]

pecan_opts = [
    cfg.BoolOpt(
        "auth_enable",
        default=False,
        help="Require a Keystone token on every API request (keystonemiddleware's "
        "auth_token, configured in [keystone_authtoken]); objects then belong to the "
        "caller's project and policy rules apply.",
    ),
    cfg.BoolOpt("debug", default=False, help="Pecan debug mode (never in production)."),
]

engine_opts = [
    cfg.StrOpt("topic", default="mistral_engine", help="RPC topic of the engine."),
    cfg.IntOpt(
        "execution_field_size_limit_kb",
        default=1024,
        help="Largest size, in KiB, of the input, output, params or published data of a "
        "workflow, task or action execution, as Mistral measures it (the size of the "
        "value's text). A start with larger input or params is refused (400); a larger "
        "action result, action input or published value fails its task. -1 for no "
        "limit.",
    ),
    cfg.IntOpt(
        "max_subworkflow_depth",
        default=50,
        min=1,
        help="Deepest nesting of sub-workflows below a top-level execution. A task that "
        "would start its workflow one level deeper fails, and with it its workflow, "
        "so a workflow that calls itself ends instead of growing without bound.",
    ),
    cfg.FloatOpt(
        "action_heartbeat_timeout",
        default=60.0,
        help="Seconds without an executor heartbeat after which a running action "
        "execution is taken for lost: run again if its task has safe-rerun, failed "
        "otherwise.",
    ),
    cfg.FloatOpt(
        "action_ack_timeout",
        default=30.0,
        help="Seconds an engine waits for an executor to acknowledge an action "
        "execution before it sends it again (nobody started it: its message was lost). "
        "Keep it well above [executor] heartbeat_interval.",
    ),
    cfg.FloatOpt(
        "recovery_interval",
        default=10.0,
        help="Seconds between an engine's scans for work lost with a dead process.",
    ),
]

executor_opts = [
    cfg.StrOpt("topic", default="mistral_executor", help="RPC topic of executors."),
    cfg.IntOpt("workers", default=16, help="Actions an executor runs at the same time."),
    cfg.FloatOpt(
        "heartbeat_interval",
        default=5.0,
        help="Seconds between an executor's reports of the actions it runs.",
    ),
]

scheduler_opts = [
    cfg.FloatOpt(
        "pickup_job_after", default=60.0, help="Seconds a claimed job's lease lasts."
    ),
    cfg.FloatOpt("fixed_delay", default=0.5, help="Seconds between polls of due jobs."),
    cfg.IntOpt("batch_size", default=100, help="Due jobs claimed per poll."),
]

cron_trigger_opts = [
    cfg.BoolOpt("enabled", default=True, help="Fire cron triggers from the scheduler."),
]

yaql_opts = [
    cfg.IntOpt(
        "limit_iterators",
        default=100000,
        help="Most items a YAQL collection (or a Jinja range) may hold; -1 for no limit.",
    ),
    cfg.IntOpt(
        "memory_quota",
        default=256 * 1024 * 1024,
        help="Most bytes one YAQL operation may allocate, and what string and list "
        "building (Jinja's and YAQL's) may allocate in all during one evaluation; -1 "
        "for no limit.",
    ),
    cfg.BoolOpt(
        "convert_input_data",
        default=True,
        help="Give YAQL the data context as immutable structures, as Mistral does.",
    ),
    cfg.BoolOpt(
        "convert_output_data",
        default=True,
        help="Convert YAQL results to JSON-compatible types (see the next two options).",
    ),
    cfg.BoolOpt(
        "convert_tuples_to_lists",
        default=True,
        help="With convert_output_data: tuples in a YAQL result become lists.",
    ),
    cfg.BoolOpt(
        "convert_sets_to_lists",
        default=True,
        help="With convert_output_data: sets in a YAQL result become lists (results "
        "are stored as JSON, which has no sets).",
    ),
    cfg.BoolOpt(
        "iterable_dicts",
        default=False,
        help="Let YAQL iterate over a dictionary (its keys), as Python does.",
    ),
    cfg.StrOpt(
        "keyword_operator",
        default="=>",
        help="The YAQL operator for keyword arguments (f(a => 1)); empty disables them.",
    ),
    cfg.BoolOpt(
        "allow_delegates",
        default=False,
        help="Allow YAQL delegate calls ($func(...)).",
    ),
]

expressions_opts = [
    cfg.ListOpt(
        "allowed_languages",
        item_type=types.String(choices=("yaql", "jinja")),
        default=["yaql", "jinja"],
        help="Expression languages workflows may use (yaql, jinja). A definition using "
        "another is refused, and its expressions are not evaluated.",
    ),
    cfg.FloatOpt(
        "evaluation_timeout",
        default=10.0,
        min=0,
        help="Seconds one evaluation of a task's expressions (YAQL or Jinja) may run; "
        "past it the evaluation stops and the task fails with a state_info saying so. "
        "0 for no limit. [yaql] memory_quota bounds what the same evaluation may "
        "allocate.",
    ),
]

action_std_http_opts = [
    cfg.ListOpt(
        "allowed_hosts",
        default=[],
        help="Host names std.http and std.mistral_http may connect to; empty, any "
        "host whose addresses are outside denied_cidrs.",
    ),
    cfg.ListOpt(
        "denied_cidrs",
        default=["127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10"],
        help="Networks std.http may not reach, checked on every address a host resolves "
        "to, on every redirect and on each connection made. The default refuses "
        "loopback (the service's own API among it) and link-local (cloud metadata "
        "services); add e.g. 10.0.0.0/8 to refuse private networks, or empty it to "
        "allow them all (only http and https stay allowed).",
    ),
    cfg.IntOpt(
        "default_timeout",
        default=60,
        min=0,
        help="Seconds std.http waits for a server to accept the connection, and then "
        "for each further part of its answer (not for the whole request), when the "
        "action gives no timeout; 0 for no limit.",
    ),
    cfg.IntOpt(
        "max_response_size_bytes",
        default=5 * 1024 * 1024,
        min=0,
        help="Largest std.http response body, in bytes; a larger one fails the action "
        "(declared by Content-Length or not). 0 for no limit.",
    ),
]

event_engine_opts = [
    cfg.BoolOpt(
        "enabled",
        default=True,
        help="Start workflows from event triggers: the scheduler listens for "
        "oslo.messaging notifications on the exchanges and topics of the triggers.",
    ),
    cfg.FloatOpt(
        "refresh_interval",
        default=2.0,
        help="Seconds between reads of the event triggers, after which listeners are "
        "started for new (exchange, topic) pairs and stopped for pairs no trigger "
        "uses any more. A new trigger fires at the latest this long after creation.",
    ),
    cfg.StrOpt(
        "listener_pool_name",
        default="mistral_event_engine",
        help="Prefix of the notification listener pools. Schedulers using the same "
        "prefix share one queue per (exchange, topic), so each notification starts "
        "the workflows of its triggers once, whichever scheduler receives it.",
    ),
    cfg.StrOpt(
        "event_definitions_cfg_file",
        help="YAML file of event definitions: a list of {event_types: pattern or list "
        "of fnmatch patterns, properties: {name: expression}}; the last definition "
        "matching a notification's event type turns the notification (publisher, "
        "event_type, payload, context, timestamp) into the execution's "
        "params.event_params. Unset or no match: service, project_id, user_id and "
        "timestamp.",
    ),
]

coordination_opts = [
    cfg.StrOpt(
        "backend_url",
        help="tooz backend URL (redis://, memcached://, zookeeper://, file://). "
        "Unset: a file backend inside state_dir.",
    ),
    cfg.FloatOpt("heartbeat_interval", default=5.0, help="Seconds between heartbeats."),
    cfg.FloatOpt(
        "membership_timeout",
        default=30.0,
        help="Seconds after its last heartbeat that a service drops out of its group "
        "(and of GET /v2/services). Handed to the tooz backend in its URL unless the "
        "URL already sets it; keep it well above heartbeat_interval.",
    ),
]

openstack_actions_opts = [
    cfg.URIOpt(
        "auth_url",
        help="Keystone URL OpenStack actions authenticate against when the caller's "
        "context brings no token (e.g. http://keystone:5000/v3).",
    ),
    cfg.StrOpt("username", help="User of OpenStack actions run without a caller token."),
    cfg.StrOpt("password", secret=True, help="Password of that user."),
    cfg.StrOpt("project_name", help="Project OpenStack actions are scoped to."),
    cfg.StrOpt("user_domain_name", default="Default", help="Domain of the user."),
    cfg.StrOpt("project_domain_name", default="Default", help="Domain of the project."),
    cfg.StrOpt(
        "default_region",
        help="Region whose endpoints OpenStack actions use when a task gives no "
        "action_region.",
    ),
    cfg.StrOpt(
        "os_actions_endpoint_type",
        default="public",
        choices=["public", "internal", "admin"],
        help="Catalog interface of the endpoints OpenStack actions call.",
    ),
    cfg.BoolOpt("insecure", default=False, help="Skip TLS certificate checks."),
    cfg.StrOpt("cacert", help="CA bundle to verify the OpenStack endpoints with."),
    cfg.StrOpt(
        "nova_api_version",
        default="2.1",
        help="Compute API (micro)version of the nova.* actions; their inputs follow it.",
    ),
    cfg.StrOpt(
        "cinder_api_version",
        default="3.0",
        help="Block Storage API (micro)version of the cinder.* actions.",
    ),
]

notifier_opts = [
    cfg.StrOpt(
        "type", default="remote", choices=["local", "remote"],
        help="remote: engines send notifications to the notifier service "
        "(mistral-svc-server --server notifier), which delivers them; local: each "
        "engine delivers its own."),
    cfg.StrOpt("topic", default="mistral_notifier", help="RPC topic of the notifier."),
    cfg.ListOpt(
        "notify", item_type=_json_object, default=[],
        help="Publishers notified of every execution, as JSON objects like the entries "
        "of an execution's params.notify, e.g. "
        '{"type": "webhook", "url": "http://example.org/hook"}.'),
    cfg.IntOpt("delivery_attempts", default=3, min=1,
               help="Attempts to deliver a notification to one publisher."),
    cfg.FloatOpt("retry_delay", default=1.0, min=0,
                 help="Seconds before the second attempt; each further one waits twice "
                 "as long."),
    cfg.FloatOpt("webhook_timeout", default=10.0, min=0.1,
                 help="Seconds a webhook has to answer."),
    cfg.IntOpt("queue_size", default=10000, min=1,
               help="Notifications a process holds while publishers are slow; past "
               "that, new ones are dropped with a warning."),
]

_FINAL_STATES = ["SUCCESS", "ERROR", "CANCELLED"]

execution_expiration_policy_opts = [
    cfg.IntOpt(
        "evaluation_interval", min=1,
        help="Minutes between evaluations of the expiration policy by the scheduler; "
        "unset, executions are never deleted by it. Only finished executions "
        "(SUCCESS, ERROR, CANCELLED) are deleted, with their tasks, action "
        "executions and sub-workflows."),
    cfg.IntOpt(
        "older_than", min=1,
        help="Delete executions that finished this many minutes ago or more."),
    cfg.IntOpt(
        "max_finished_executions", default=0, min=0,
        help="Keep only this many of the newest finished executions, deleting older "
        "ones even when they have not expired; 0 for no such limit."),
    cfg.IntOpt(
        "batch_size", default=0, min=0,
        help="Executions deleted per transaction; 0 for 500."),
    cfg.ListOpt(
        "ignored_states", default=[],
        item_type=cfg.types.String(choices=_FINAL_STATES),
        help="Final states whose executions the policy keeps: any of SUCCESS, ERROR, "
        "CANCELLED."),
]

metrics_opts = [
    cfg.HostAddressOpt(
        "host", default="127.0.0.1",
        help="Address the engine, executor, scheduler and notifier serve /metrics on "
        "(the API serves it on its own port)."),
    cfg.PortOpt(
        "port",
        help="Port of /metrics for processes that run no API; unset, they serve none. "
        "Processes on one host each need their own port, or one shared "
        "PROMETHEUS_MULTIPROC_DIR and a single port."),
]

action_providers_opts = [
    cfg.ListOpt(
        "allowlist",
        default=[],
        help="Names (fnmatch patterns) of the action providers of the "
        "'mistral.action.providers' entry point to load. When set, only these load "
        "and denylist is ignored. Ours are legacy (the 'mistral.actions' entry point, "
        "std.* among them), openstack (nova.*, cinder.*), adhoc and dynamic.",
    ),
    cfg.ListOpt(
        "denylist",
        default=[],
        help="Names (fnmatch patterns) of action providers not to load, when allowlist "
        "is empty. 'dynamic' turns dynamic actions off: engines then fail the tasks "
        "that use one, and executors refuse to run code sources.",
    ),
]

legacy_action_provider_opts = [
    cfg.BoolOpt(
        "load_action_plugins",
        default=True,
        help="Load the action classes installed packages register under the "
        "'mistral.actions' entry point (our std.* actions are among them).",
    ),
    cfg.BoolOpt(
        "only_builtin_actions",
        default=False,
        help="Load only the 'mistral.actions' classes that ship with mistral-svc, "
        "none of other packages.",
    ),
    cfg.ListOpt(
        "allowlist",
        default=[],
        help="Names (fnmatch patterns, e.g. 'std.*') of the 'mistral.actions' entries "
        "to load. When set, only these load and denylist is ignored.",
    ),
    cfg.ListOpt(
        "denylist",
        default=[],
        help="Names (fnmatch patterns) of 'mistral.actions' entries not to load, when "
        "allowlist is empty.",
    ),
]

_opt_groups = [
    (None, default_opts),
    ("api", api_opts),
    ("pecan", pecan_opts),
    ("engine", engine_opts),
    ("executor", executor_opts),
    ("scheduler", scheduler_opts),
    ("cron_trigger", cron_trigger_opts),
    ("event_engine", event_engine_opts),
    ("coordination", coordination_opts),
    ("openstack_actions", openstack_actions_opts),
    ("action_providers", action_providers_opts),
    ("legacy_action_provider", legacy_action_provider_opts),
    ("yaql", yaql_opts),
    ("expressions", expressions_opts),
    ("action_std_http", action_std_http_opts),
    ("metrics", metrics_opts),
    ("notifier", notifier_opts),
    ("execution_expiration_policy", execution_expiration_policy_opts),
]

for _group, _opts in _opt_groups:
    CONF.register_opts(_opts, group=_group)


MAX_REQUEST_BODY_SIZE = 10 * 1024 * 1024


def _register_library_opts():
    """Register the options oslo.db and oslo.messaging own, so they can be read early.

    ``transport_url`` defaults to the in-process transport (``inproc://``, see
    mistral_svc.rpc.impl_inproc): with no config file the whole service runs in one
    process (the embedded default).
    """
    import warnings

    # oslo.messaging imports oslo.service, which imports (never patches) eventlet and warns.
    warnings.filterwarnings("ignore", message=r"(?s).*eventlet is deprecated")
    from oslo_db import options as db_options
    from oslo_messaging import transport

    db_options.set_defaults(CONF)
    from oslo_middleware import sizelimit
    from oslo_middleware.healthcheck import opts as healthcheck_opts

    from mistral_svc import logs

    logs.register_options(CONF)
    # Mistral's [healthcheck]: oslo.middleware's options; by default the check asks the
    # database and the message broker.
    CONF.register_opts(healthcheck_opts.HEALTHCHECK_OPTS, group="healthcheck")
    CONF.set_default("backends", ["mistral_svc"], group="healthcheck")
    CONF.register_opts(transport._transport_opts)
    # The API's request body limit: oslo.middleware's sizelimit option. Its own default
    # (112 KiB) is below what a definition or an input of Mistral's field size limit
    # (1 MiB) can be, so the default here leaves room for a few such fields.
    CONF.register_opts(sizelimit.OPTS, group="oslo_middleware")
    CONF.set_default("max_request_body_size", MAX_REQUEST_BODY_SIZE, group="oslo_middleware")
    CONF.set_default("transport_url", "inproc://")
    CONF.set_default("control_exchange", "mistral")


_register_library_opts()


def list_opts():
    """Options for oslo-config-generator (namespace ``mistral_svc``)."""
    import copy

    from oslo_middleware import sizelimit

    # The sample shows the default set here, not oslo.middleware's own.
    body_limit = [copy.copy(o) for o in sizelimit.OPTS]
    for opt in body_limit:
        opt.default = MAX_REQUEST_BODY_SIZE
    return [(group or "DEFAULT", opts) for group, opts in _opt_groups] + [
        ("oslo_middleware", body_limit)]


def parse_args(argv=None, config_files=None):
    """Parse the command line and config files into ``CONF``."""
    CONF(
        argv if argv is not None else [],
        project="mistral-svc",
        default_config_files=config_files,
    )


def apply_expression_limits():
    """Hand the ``[yaql]`` bounds to the (configuration-free) expressions package, and
    let it load the expression functions of installed packages."""
    from mistral_svc import expressions

    expressions.load_plugin_functions()
    expressions.configure(
        limit_iterators=CONF.yaql.limit_iterators,
        memory_quota=CONF.yaql.memory_quota,
        convert_input_data=CONF.yaql.convert_input_data,
        evaluation_timeout=CONF.expressions.evaluation_timeout,
        convert_output_data=CONF.yaql.convert_output_data,
        convert_tuples_to_lists=CONF.yaql.convert_tuples_to_lists,
        convert_sets_to_lists=CONF.yaql.convert_sets_to_lists,
        iterable_dicts=CONF.yaql.iterable_dicts,
        keyword_operator=CONF.yaql.keyword_operator,
        allow_delegates=CONF.yaql.allow_delegates,
        allowed_languages=CONF.expressions.allowed_languages,
    )


def database_url():
    """The database URL in force: the configured one, or SQLite in the state directory."""
    url = CONF.database.connection
    if url:
        return url
    os.makedirs(CONF.state_dir, exist_ok=True)
    return "sqlite:///" + os.path.join(CONF.state_dir, "mistral.sqlite")


def database_pool_options():
    """oslo.db's ``[database]`` pool options, for ``db.session.configure``."""
    db = CONF.database
    return {"max_pool_size": db.max_pool_size, "max_overflow": db.max_overflow,
            "pool_timeout": db.pool_timeout}


def transport_url():
    """The RPC transport in force: configured, or the in-process fake transport."""
    return CONF.transport_url
