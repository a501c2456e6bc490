"""/v2: the version document and the resource collections."""

import pecan
from wsme import types as wtypes

from mistral_svc.api import rest_utils
from mistral_svc.api.controllers.v2 import actions as v2_actions
from mistral_svc.api.controllers.v2 import (
    action_executions,
    code_sources,
    cron_triggers,
    dynamic_actions,
    environments,
    event_triggers,
    executions,
    services,
    tasks,
    workbooks,
    workflows,
)


class RootResource(wtypes.Base):
    uri = wtypes.text


class Controller:
    """API v2."""

    workbooks = workbooks.WorkbooksController()
    workflows = workflows.WorkflowsController()
    actions = v2_actions.ActionsController()
    environments = environments.EnvironmentsController()
    executions = executions.ExecutionsController()
    tasks = tasks.TasksController()
    action_executions = action_executions.ActionExecutionsController()
    services = services.ServicesController()
    cron_triggers = cron_triggers.CronTriggersController()
    event_triggers = event_triggers.EventTriggersController()
    code_sources = code_sources.CodeSourcesController()
    dynamic_actions = dynamic_actions.DynamicActionsController()

    @rest_utils.wsexpose(RootResource)
    def index(self):
        return RootResource(uri="%s/v2" % pecan.request.application_url)
