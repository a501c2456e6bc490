"""/v2: the version document and the resource collections."""

import pecan
from wsme import types as wtypes

from mistral_svc.api import rest_utils
from mistral_svc.api.controllers.v2 import (
    action_executions,
    executions,
    services,
    tasks,
    workflows,
)


class RootResource(wtypes.Base):
    uri = wtypes.text


class Controller:
    """API v2."""

    workflows = workflows.WorkflowsController()
    executions = executions.ExecutionsController()
    tasks = tasks.TasksController()
    action_executions = action_executions.ActionExecutionsController()
    services = services.ServicesController()

    @rest_utils.wsexpose(RootResource)
    def index(self):
        return RootResource(uri="%s/v2" % pecan.request.application_url)
