"""Keystone authentication of the ``mistral-svc`` command, through keystoneauth1.

The options and environment variables are python-mistralclient's (``--os-auth-url``,
``--os-username``, ``--os-password``, ``--os-project-name``, the domain options,
``OS_*``...). With ``--os-auth-url`` the command gets a token from Keystone (or checks
the one given with ``--os-auth-token``) and, unless ``--os-mistral-url`` says where the
API is, finds it in the service catalogue (service type ``workflowv2``). Without it
no Keystone is involved: the API is reached with auth off (or with the token given).
"""

import os

#: ``--os-auth-type`` values meaning "Keystone with what was given" (mistralclient's).
KEYSTONE = ("keystone", "")


def from_env(*names, default=None):
    """The first of the environment variables ``names`` that is set and not empty, else
    ``default``."""
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return default


def add_options(parser):
    """python-mistralclient's authentication options on ``parser``."""
    def opt(flag, dest, *env, help, **kw):
        parser.add_argument(flag, dest=dest, default=kw.pop("default", None) or from_env(*env),
                            help="%s (Env: %s)" % (help, " or ".join(env)), **kw)

    opt("--os-auth-url", "auth_url", "OS_AUTH_URL", help="Keystone URL")
    opt("--os-username", "username", "OS_USERNAME", help="Authentication username")
    opt("--os-user-id", "user_id", "OS_USER_ID", help="Authentication user ID")
    opt("--os-password", "password", "OS_PASSWORD", help="Authentication password")
    opt("--os-project-name", "project_name", "OS_PROJECT_NAME", "OS_TENANT_NAME",
        help="Project to scope the token to")
    parser.add_argument("--os-tenant-name", dest="project_name", help="Alias of "
                        "--os-project-name")
    opt("--os-user-domain-name", "user_domain_name", "OS_USER_DOMAIN_NAME",
        help="Authentication user domain name")
    opt("--os-user-domain-id", "user_domain_id", "OS_USER_DOMAIN_ID",
        help="Authentication user domain ID")
    opt("--os-project-domain-name", "project_domain_name", "OS_PROJECT_DOMAIN_NAME",
        help="Authentication project domain name")
    opt("--os-project-domain-id", "project_domain_id", "OS_PROJECT_DOMAIN_ID",
        help="Authentication project domain ID")
    opt("--os-region-name", "region_name", "OS_REGION_NAME", help="Region of the API")
    opt("--os-auth-type", "auth_type", "OS_AUTH_TYPE", "MISTRAL_AUTH_TYPE",
        help="keystoneauth1 plugin (keystone, password, token, v3password...; "
        "default keystone)")
    parser.add_argument("--auth-type", dest="auth_type", help="Alias of --os-auth-type")
    opt("--os-mistral-service-type", "service_type", "OS_MISTRAL_SERVICE_TYPE",
        default=from_env("OS_MISTRAL_SERVICE_TYPE", default="workflowv2"),
        help="Service type of the API in the catalogue")
    opt("--os-mistral-endpoint-type", "endpoint_type", "OS_MISTRAL_ENDPOINT_TYPE",
        "OS_INTERFACE", default=from_env("OS_MISTRAL_ENDPOINT_TYPE", "OS_INTERFACE",
                                     default="publicURL"),
        help="Endpoint interface in the catalogue")
    opt("--os-cert", "cert", "OS_CERT", help="Client certificate for TLS")
    opt("--os-key", "key", "OS_KEY", help="Client key for TLS")


def _plugin(options):
    from keystoneauth1 import loading

    name = (options.auth_type or "keystone").lower()
    if name in KEYSTONE:
        name = "token" if options.token and not options.password else "password"
    loader = loading.get_plugin_loader(name)
    given = {
        "auth_url": options.auth_url, "username": options.username,
        "user_id": options.user_id, "password": options.password,
        "token": options.token, "project_name": options.project_name,
        "project_id": options.project_id,
        "user_domain_name": options.user_domain_name,
        "user_domain_id": options.user_domain_id,
        "project_domain_name": options.project_domain_name,
        "project_domain_id": options.project_domain_id,
    }
    if not (options.user_domain_name or options.user_domain_id):
        given["user_domain_id"] = "default" if name != "token" else None
    if not (options.project_domain_name or options.project_domain_id):
        given["project_domain_id"] = "default"
    names = {o.dest for o in loader.get_options()}
    return loader.load_from_options(**{k: v for k, v in given.items()
                                       if v is not None and k in names})


def authenticate(options, verify):
    """``(token, project_id, url)`` from Keystone, or None without ``--os-auth-url``.
    ``url`` is the API's from the catalogue when ``--os-mistral-url`` is not given."""
    if not options.auth_url:
        return None
    from keystoneauth1 import session

    cert = (options.cert, options.key) if options.cert and options.key else options.cert
    sess = session.Session(auth=_plugin(options), verify=verify, cert=cert)
    token = sess.get_token()
    project_id = sess.get_project_id()
    url = None
    if not options.mistral_url:
        interface = (options.endpoint_type or "public").replace("URL", "")
        url = sess.get_endpoint(service_type=options.service_type, interface=interface,
                                region_name=options.region_name)
    return token, project_id, url
